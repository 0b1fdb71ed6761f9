"""Submissions an intake service would send for a synthetic document: truthful or not.

`truthful` types what is on the document (all of it or a realistic subset) with only the
harmless slips applicants make: lowercase, doubled spaces, a dropped title. `contradict`
does the same and then changes exactly one field in one way (a NIK digit, another
person's name, a shifted birth date...). The kind is never written into the submission;
the generator records it in truth.json so benchmarks know what periksa should have caught.
"""

from __future__ import annotations

import copy
import random
import re
from datetime import date, timedelta
from typing import Any, Callable

from samples.names import fresh_name
from samples.truth import REFERENCE_DATE

Path = tuple[str | int, ...]

KINDS: dict[str, tuple[str, ...]] = {
    "kk": ("nik_digit", "name", "date_shift", "nomor_kk_digit", "letter", "sex"),
    "akta_kelahiran": ("nik_digit", "name", "date_shift", "nomor_akta_digit", "letter", "sex"),
    "f2_01": ("nik_digit", "name", "date_shift", "nomor_kk_digit", "letter", "sex"),
}
# kinds added later, kept apart so plan()'s rotation over KINDS (and every existing seed's set)
# is unchanged; benchmarks ask for them explicitly. Document kinds change what the document
# prints (it contradicts itself) and the submission then types the document as printed.
EXTRA_KINDS: dict[str, tuple[str, ...]] = {
    "kk": ("kecamatan", "self_birth_date"),
    "akta_kelahiran": ("self_issue_date", "self_report_kind"),
}
DOCUMENT_KINDS = frozenset({"self_birth_date", "self_issue_date", "self_report_kind"})
SERVICES = {
    "kk": ("kk_perubahan", "kk_baru", "kk_hilang_rusak", "legalisir_kk", "pindah_datang"),
    "akta_kelahiran": ("legalisir_akta", "akta_kelahiran_kutipan_kedua", "pendaftaran_sekolah",
                       "kia_baru"),
    "f2_01": ("akta_kelahiran_baru",),
}
CHANNELS = ("PORTAL", "WA", "APP", "LOKET")
PROFILES = {"full": 0.4, "identity": 0.4, "minimal": 0.2}  # share of applicants
KK_IDENTITY = ("nama_lengkap", "nik", "jenis_kelamin", "tempat_lahir", "tanggal_lahir",
               "status_hubungan_dalam_keluarga")
KK_MINIMAL = ("nama_lengkap", "nik")
AKTA_IDENTITY = ("nomor_akta", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir",
                 "anak_ke", "nama_ayah", "nama_ibu")
AKTA_MINIMAL = ("nomor_akta", "nik", "nama", "tanggal_lahir")
# F-2.01: group -> keys an applicant types, per profile ("full" types every group and key)
F201_IDENTITY = {"pelapor": ("nama", "nik", "nomor_kk"), "ayah": ("nama", "nik"),
                 "ibu": ("nama", "nik"),
                 "anak": ("nama", "jenis_kelamin", "tempat_kelahiran", "tanggal_lahir")}
F201_MINIMAL = {"ayah": ("nama",), "ibu": ("nama",), "anak": ("nama", "tanggal_lahir")}
F201_PEOPLE = ("pelapor", "subjek_akta_1", "saksi_1", "saksi_2", "ayah", "ibu", "anak")
BENIGN_SHARE = 0.15  # share of name fields typed with a harmless slip
MAX_SHIFT_DAYS = 400
EMPTY = "-"
_VOWELS = "AEIOU"
_CONSONANTS = "BCDFGHKLMNPRSTWZ"
_OLD_SPELLING = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("NJ", "NY"), ("SJ", "SY"), ("CH", "KH"),
                 ("J", "Y"), ("DH", "D"), ("TH", "T"))
_TITLE_PREFIXES = {"H.", "HJ.", "DRS.", "DRA.", "IR.", "DR.", "KH.", "PROF."}


def truthful(document_type: str, truth: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A submission whose data agrees with `truth` (a subset, harmless slips in names)."""
    data = _subset(document_type, truth, rng)
    for path in _name_paths(document_type, data):
        if rng.random() < BENIGN_SHARE:
            _put(data, path, benign(rng, _get(data, path)))
    return {
        "reference": f"{rng.choice(CHANNELS)}-{REFERENCE_DATE.year}-{rng.randint(1, 999999):06d}",
        "office": office(document_type, truth),
        "service": rng.choice(SERVICES[document_type]),
        "document_type": document_type,
        "data": data,
    }


def contradict(document_type: str, truth: dict[str, Any], kind: str,
               rng: random.Random) -> dict[str, Any]:
    """A submission that disagrees with `truth` in exactly one field, in the way `kind` says."""
    return contradiction(document_type, truth, kind, rng)[0]


def contradiction(document_type: str, truth: dict[str, Any], kind: str,
                  rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """(submission, change) where change = {"field": dotted path, "truth", "submitted"}."""
    allowed = KINDS.get(document_type, ()) + EXTRA_KINDS.get(document_type, ())
    if kind not in allowed:
        raise ValueError(f"no contradiction {kind!r} for {document_type!r}")
    if kind in DOCUMENT_KINDS:
        return _self_contradiction(document_type, truth, kind, rng)
    submission = truthful(document_type, truth, rng)
    path = rng.choice(_targets(document_type, truth, kind))
    old = _get(truth, path)
    new = _MUTATORS[kind](rng, old, truth, path)
    _put(submission["data"], path, new)
    return submission, {"field": dotted(path), "truth": old, "submitted": new}


def _self_contradiction(document_type: str, truth: dict[str, Any], kind: str,
                        rng: random.Random) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change `truth` IN PLACE (the document will print the change) and type it truthfully:
    the document contradicts itself, the applicant copied it faithfully."""
    path = rng.choice(_targets(document_type, truth, kind))
    old = _get(truth, path)
    new = _MUTATORS[kind](rng, old, truth, path)
    _put(truth, path, new)
    submission = truthful(document_type, truth, rng)
    return submission, {"field": dotted(path), "truth": old, "submitted": new, "on": "document"}


def office(document_type: str, truth: dict[str, Any]) -> str:
    """The kab/kota code of the office that issued the document ("3320")."""
    if document_type == "f2_01":
        return truth["kode_wilayah"][:4]
    number = truth["nomor_kk"] if document_type == "kk" else truth["nomor_akta"]
    return number[:4]


def dotted(path: Path) -> str:
    """("anggota_keluarga", 1, "nik") -> "anggota_keluarga[1].nik" (the report's notation)."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _get(data: dict[str, Any], path: Path) -> Any:
    node: Any = data
    for part in path:
        node = node[part]
    return node


def _put(data: dict[str, Any], path: Path, value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[path[-1]] = value


def _subset(document_type: str, truth: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """What an applicant typed: everything, the identity fields, or the bare minimum."""
    profile = rng.choices(list(PROFILES), weights=list(PROFILES.values()))[0]
    if document_type == "akta_kelahiran":
        keys = {"full": tuple(truth), "identity": AKTA_IDENTITY, "minimal": AKTA_MINIMAL}[profile]
        return {k: truth[k] for k in truth if k in keys}
    if document_type == "f2_01":
        return _f201_subset(truth, profile)
    if document_type != "kk":
        raise ValueError(f"no submissions for {document_type!r}")
    if profile == "full":
        data = copy.deepcopy(truth)
        for member in data["anggota_keluarga"]:
            for key in [k for k, v in member.items() if v == EMPTY]:
                del member[key]  # nobody types "-" for a passport they do not have
        return data
    member_keys = KK_IDENTITY if profile == "identity" else KK_MINIMAL
    header = [k for k in truth if k not in ("anggota_keluarga", "tanggal_dikeluarkan")]
    if profile == "minimal":
        header = ["nomor_kk", "nama_kepala_keluarga"]
    data = {k: truth[k] for k in header}
    data["anggota_keluarga"] = [{k: m[k] for k in m if k in member_keys}
                                for m in truth["anggota_keluarga"]]
    return data


def _f201_subset(truth: dict[str, Any], profile: str) -> dict[str, Any]:
    """An F-2.01 submission: the whole form, or the people's identity, or the bare minimum."""
    if profile == "full":
        return copy.deepcopy(truth)
    wanted = F201_IDENTITY if profile == "identity" else F201_MINIMAL
    data: dict[str, Any] = {"jenis_pelaporan": truth["jenis_pelaporan"]}
    for group, keys in wanted.items():
        data[group] = {k: truth[group][k] for k in keys if k in truth.get(group, {})}
    return data


def _name_paths(document_type: str, data: dict[str, Any]) -> list[Path]:
    """Paths of the person-name fields present in `data`."""
    if document_type == "akta_kelahiran":
        return [(k,) for k in ("nama", "nama_ayah", "nama_ibu") if k in data]
    if document_type == "f2_01":
        return [(g, "nama") for g in F201_PEOPLE if "nama" in data.get(g, {})]
    paths: list[Path] = [("nama_kepala_keluarga",)] if "nama_kepala_keluarga" in data else []
    for i, member in enumerate(data.get("anggota_keluarga", [])):
        paths += [("anggota_keluarga", i, k) for k in ("nama_lengkap", "nama_ayah", "nama_ibu")
                  if k in member]
    return paths


def strip_title(name: str) -> str:
    """'H. AHMAD SUBARJO, S.PD.' -> 'AHMAD SUBARJO' (titles are not part of the identity)."""
    tokens = name.split(",")[0].split()
    while tokens and tokens[0].upper() in _TITLE_PREFIXES:
        tokens = tokens[1:]
    return " ".join(tokens)


def benign(rng: random.Random, name: str) -> str:
    """A harmless way to type a name: lowercase, Title Case, extra spaces or no title."""
    plain = strip_title(name)
    if plain != name and rng.random() < 0.5:
        return plain
    style = rng.choice(("lower", "title", "spaces"))
    if style == "lower":
        return name.lower()
    if style == "title":
        return name.title()
    return "  ".join(name.split()) + rng.choice(("", " "))


def _targets(document_type: str, truth: dict[str, Any], kind: str) -> list[Path]:
    """Fields a contradiction of this kind may hit."""
    if document_type == "f2_01" and kind not in ("name", "letter"):
        return _f201_targets(truth, kind)
    if kind in ("name", "letter"):
        return _name_paths(document_type, truth)
    if kind in ("nomor_kk_digit", "nomor_akta_digit"):
        return [("nomor_kk",) if kind == "nomor_kk_digit" else ("nomor_akta",)]
    if kind in ("kecamatan", "self_issue_date"):
        return [("kecamatan",) if kind == "kecamatan" else ("tanggal_terbit",)]
    if kind == "self_report_kind":
        return [("nomor_akta",)]
    key = {"nik_digit": "nik", "date_shift": "tanggal_lahir", "sex": "jenis_kelamin",
           "self_birth_date": "tanggal_lahir"}[kind]
    if document_type == "akta_kelahiran":
        return [(key,)]
    return [("anggota_keluarga", i, key) for i in range(len(truth["anggota_keluarga"]))]


def _f201_targets(truth: dict[str, Any], kind: str) -> list[Path]:
    """F-2.01 fields a contradiction may hit: the child's facts, the parents', the pelapor's."""
    if kind == "nomor_kk_digit":
        return [("pelapor", "nomor_kk")]
    if kind == "sex":
        return [("anak", "jenis_kelamin")]
    if kind == "date_shift":
        return [("anak", "tanggal_lahir")]
    return [(g, "nik") for g in ("pelapor", "ayah", "ibu") if "nik" in truth.get(g, {})]


def _digit(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """One digit replaced by another (a typo or a forged number)."""
    position = rng.choice([i for i, c in enumerate(value) if c.isdigit()])
    digit = rng.choice([d for d in "0123456789" if d != value[position]])
    return value[:position] + digit + value[position + 1:]


def _shift(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """The date moved by 1..400 days, backwards when forwards would pass 'today'."""
    days = rng.randint(1, MAX_SHIFT_DAYS) * rng.choice((-1, 1))
    moved = date.fromisoformat(value) + timedelta(days=days)
    if moved > REFERENCE_DATE:
        moved = date.fromisoformat(value) - timedelta(days=abs(days))
    return moved.isoformat()


def _flip(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    return "PEREMPUAN" if value == "LAKI-LAKI" else "LAKI-LAKI"


def _other_name(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """Somebody else's name, of the sex and style the field calls for."""
    sex, born = _person_of(truth, path)
    return fresh_name(rng, sex, strip_title(value), born=born)


def _person_of(truth: dict[str, Any], path: Path) -> tuple[str, int]:
    """(sex, birth year) of whoever a name field names."""
    field = str(path[-1])
    if len(path) == 2 and isinstance(path[0], str) and path[0] in F201_PEOPLE:
        return _f201_person(truth, str(path[0]))
    if field == "nama_ayah":
        return "LAKI-LAKI", 1970
    if field == "nama_ibu":
        return "PEREMPUAN", 1972
    row = truth if len(path) == 1 else truth["anggota_keluarga"][path[1]]
    if field == "nama_kepala_keluarga":
        row = truth["anggota_keluarga"][0]
    return row["jenis_kelamin"], int(row["tanggal_lahir"][:4])


def _f201_person(truth: dict[str, Any], group: str) -> tuple[str, int]:
    """(sex, birth year) of an F-2.01 block's person, from its NIK where no date is printed."""
    if group in ("ayah", "pelapor"):
        return "LAKI-LAKI", int(truth["ayah"]["tanggal_lahir"][:4])
    if group == "ibu":
        return "PEREMPUAN", int(truth["ibu"]["tanggal_lahir"][:4])
    if group in ("anak", "subjek_akta_1"):
        return truth["anak"]["jenis_kelamin"], int(truth["anak"]["tanggal_lahir"][:4])
    nik = truth[group]["nik"]
    sex = "PEREMPUAN" if int(nik[6:8]) > 40 else "LAKI-LAKI"
    return sex, 1900 + int(nik[10:12]) if int(nik[10:12]) > 25 else 2000 + int(nik[10:12])


def _letter(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """One letter of the (untitled part of the) name replaced: SUPRIYADI -> SUPRIYODI.

    Vowels become vowels and consonants consonants, like real misspellings; a change that
    old-spelling rules or doubled letters would explain away (J/Y, SITI/SITTI) is redrawn.
    """
    plain = strip_title(value)
    start = value.index(plain)
    spots = _letter_spots(plain)
    for _ in range(100):
        i = rng.choice(spots)
        pool = _VOWELS if plain[i] in _VOWELS else _CONSONANTS
        changed = plain[:i] + rng.choice([c for c in pool if c != plain[i]]) + plain[i + 1:]
        if _canonical(changed) != _canonical(plain):
            return value[:start] + changed + value[start + len(plain):]
    raise RuntimeError("no distinguishing letter change found")


def _letter_spots(plain: str) -> list[int]:
    """Letter positions inside whole words of 3+ letters (not initials such as 'M.')."""
    spots: list[int] = []
    for match in re.finditer(r"[^\s]+", plain):
        word = match.group()
        if len(word) >= 3 and word.isalpha():
            spots += range(match.start(), match.end())
    return spots or [i for i, c in enumerate(plain) if c.isalpha()]


def _canonical(name: str) -> str:
    """The name as the loosest comparison would see it (old spelling, doubles, final -AH)."""
    text = name.upper()
    for old, new in _OLD_SPELLING:
        text = text.replace(old, new)
    text = re.sub(r"(.)\1+", r"\1", text)
    return re.sub(r"AH\b", "A", text)


def _other_kecamatan(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """Another real kecamatan of the same kab/kota (the No. KK's first four digits)."""
    from samples.region import _children

    kab = f"{truth['nomor_kk'][:2]}.{truth['nomor_kk'][2:4]}"
    others = [w.name.upper() for w in _children(kab) if w.name.upper() != value.upper()]
    if not others:
        raise ValueError(f"no other kecamatan in {kab}")
    return rng.choice(others)


def _before_registration(rng: random.Random, value: str, truth: dict[str, Any],
                         path: Path) -> str:
    """An issue date 1..400 days before the registration date the akta number encodes."""
    stamp = re.sub(r"\D", "", truth["nomor_akta"])[4:12]
    registered = date(int(stamp[4:]), int(stamp[2:4]), int(stamp[:2]))
    return (registered - timedelta(days=rng.randint(1, MAX_SHIFT_DAYS))).isoformat()


def _other_report_kind(rng: random.Random, value: str, truth: dict[str, Any], path: Path) -> str:
    """The akta number with LU and LT swapped: on time printed as late, or the reverse."""
    return value.replace("-LU-", "-XX-").replace("-LT-", "-LU-").replace("-XX-", "-LT-")


_MUTATORS: dict[str, Callable[[random.Random, Any, dict[str, Any], Path], Any]] = {
    "nik_digit": _digit, "nomor_kk_digit": _digit, "nomor_akta_digit": _digit,
    "date_shift": _shift, "sex": _flip, "name": _other_name, "letter": _letter,
    "kecamatan": _other_kecamatan, "self_birth_date": _shift,
    "self_issue_date": _before_registration, "self_report_kind": _other_report_kind,
}
