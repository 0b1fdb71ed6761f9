"""Sortable ids generated in Python: ULID layout (48-bit ms time + 80 random bits, base32).

Sorting ids sorts records by creation time, which lets listings page by id alone. Within
one process, ids made in the same millisecond still sort in creation order (the random part
is incremented instead of redrawn).
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_RANDOM_BITS = 80
_lock = threading.Lock()
_last = (0, 0)


def new_id() -> str:
    """A 26-character id, e.g. 01JD3X4Q7R8M2N5P6T9V0WXYZA."""
    global _last
    with _lock:
        millis = time.time_ns() // 1_000_000
        last_millis, last_random = _last
        if millis <= last_millis:
            millis, random_part = last_millis, last_random + 1
            if random_part >> _RANDOM_BITS:
                millis, random_part = last_millis + 1, secrets.randbits(_RANDOM_BITS)
        else:
            random_part = secrets.randbits(_RANDOM_BITS)
        _last = (millis, random_part)
    return _encode((millis << _RANDOM_BITS) | random_part, 26)


def id_time_ms(identifier: str) -> int:
    """Milliseconds since the epoch encoded in an id's first ten characters."""
    value = 0
    for char in identifier[:10]:
        value = value * 32 + _ALPHABET.index(char)
    return value


def _encode(value: int, width: int) -> str:
    chars = []
    for _ in range(width):
        value, digit = divmod(value, 32)
        chars.append(_ALPHABET[digit])
    return "".join(reversed(chars))
