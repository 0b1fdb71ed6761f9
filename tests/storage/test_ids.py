from __future__ import annotations

import time

from storage.ids import id_time_ms, new_id


def test_ids_are_unique_sorted_and_carry_their_time():
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(20_000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    alphabet = set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert all(len(i) == 26 and set(i) <= alphabet for i in ids)
    assert before <= id_time_ms(ids[0]) <= id_time_ms(ids[-1]) <= after + 1
