"""Who lives in a synthetic household and when they were born, married and named.

Kept apart from truth.py (which prints the rows) because the timeline rules are the part
that must stay plausible: parents at least 18 at each child's birth, the marriage after
both parents' births and before the first child, children spaced like real siblings and
nobody born after the KK was printed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from samples.names import Lineage, make_lineage, person_name, pick_culture, spouse_lineage
from samples.region import Region

YEAR = 365.25
MIN_PARENT_AGE = 18
MIN_GROOM_AGE = 19
MAX_MOTHER_AGE = 44
MIN_BIRTH_YEAR = 1935  # older people would be 90+; keep parse_nik's century guess safe
_CHILD_WEIGHTS = (8, 20, 30, 22, 10, 5, 3, 1, 1)  # P(0..8 children) in percent
_MAX_CHILDREN = 8
_MAX_EXTRAS = 2
_COUPLE_SHARE = 0.85
_EXTRA_SHARE = 0.10


@dataclass
class Person:
    """One household member before formatting: dates as `date`, names plain and printed."""

    role: str
    sex: str
    born: date
    lineage: Lineage
    plain: str = ""
    printed: str = ""
    marital: str = "BELUM KAWIN"
    father: str = ""
    mother: str = ""
    order: int = 1
    birthplace: tuple[str, str] | None = None
    edu_floor: str | None = None


@dataclass(frozen=True)
class Shape:
    """The household's composition before any date or name is drawn."""

    children: int
    wife: bool
    head_sex: str
    head_marital: str
    extras: tuple[str, ...] = ()


@dataclass
class Household:
    region: Region
    as_of: date
    people: list[Person] = field(default_factory=list)
    marriage: date | None = None


def years(n: float) -> timedelta:
    return timedelta(days=round(n * YEAR))


def between(rng: random.Random, start: date, end: date) -> date:
    """A uniformly drawn day in [start, end] (start when the range is empty)."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def shape(rng: random.Random, members: int | None) -> Shape:
    """Composition: mostly a couple with children; sometimes a single parent or extra kin."""
    if members is not None:
        return _forced_shape(rng, members)
    kids = rng.choices(range(_MAX_CHILDREN + 1), weights=_CHILD_WEIGHTS)[0]
    extras: tuple[str, ...] = ()
    if rng.random() < _EXTRA_SHARE:
        extras = (rng.choice(("ORANG TUA", "MERTUA", "FAMILI LAIN")),)
    if rng.random() < _COUPLE_SHARE:
        return Shape(kids, True, "LAKI-LAKI", "KAWIN", extras)
    extras = tuple(e for e in extras if e != "MERTUA")
    if kids == 0:
        return Shape(0, False, rng.choice(("LAKI-LAKI", "PEREMPUAN")), "BELUM KAWIN", extras)
    sex = "PEREMPUAN" if rng.random() < 0.6 else "LAKI-LAKI"
    return Shape(kids, False, sex, rng.choice(("CERAI MATI", "CERAI HIDUP")), extras)


def _forced_shape(rng: random.Random, members: int) -> Shape:
    """Exactly `members` rows: head, wife, up to 8 children, then at most 2 other kin."""
    if not 1 <= members <= 2 + _MAX_CHILDREN + _MAX_EXTRAS:
        raise ValueError(f"members must be 1..{2 + _MAX_CHILDREN + _MAX_EXTRAS}")
    if members == 1:
        marital = "BELUM KAWIN" if rng.random() < 0.6 else "CERAI MATI"
        return Shape(0, False, rng.choice(("LAKI-LAKI", "PEREMPUAN")), marital)
    kids = min(_MAX_CHILDREN, members - 2)
    extras = ("ORANG TUA", "FAMILI LAIN")[: members - 2 - kids]
    return Shape(kids, True, "LAKI-LAKI", "KAWIN", extras)


def timeline(rng: random.Random, plan: Shape, as_of: date) -> tuple[date, date, date, list[date]]:
    """(father born, mother born, marriage, children born), all before `as_of`."""
    bride_age = rng.randint(MIN_PARENT_AGE + 1, 30)
    gaps = [rng.randint(300, 1100)] + [rng.randint(420, 1500) for _ in range(plan.children - 1)]
    room = (MAX_MOTHER_AGE - bride_age) * YEAR
    if plan.children and sum(gaps) > room:
        gaps = [max(300, int(g * room / sum(gaps))) for g in gaps]
    tail = rng.randint(30, int(15 * YEAR)) if plan.children else rng.randint(30, int(35 * YEAR))
    marriage = as_of - timedelta(days=sum(gaps) + tail)
    mother = marriage - years(bride_age) - timedelta(days=rng.randint(0, 364))
    father = mother - timedelta(days=rng.randint(int(-2 * YEAR), int(10 * YEAR)))
    if age_on(father, marriage) < MIN_GROOM_AGE:
        father = marriage - years(MIN_GROOM_AGE) - timedelta(days=rng.randint(1, 900))
    births, day = [], marriage
    for gap in gaps[: plan.children]:
        day += timedelta(days=gap)
        births.append(day)
    return father, mother, marriage, births


def populate(rng: random.Random, home: Region, plan: Shape, as_of: date) -> Household:
    """Head, spouse, children and other kin with names, sexes and birth dates."""
    house = Household(region=home, as_of=as_of)
    if plan.head_marital == "BELUM KAWIN" or (plan.children == 0 and not plan.wife):
        house.people.append(_lone_head(rng, home, plan, as_of))
    else:
        _couple(rng, house, plan)
    _name_parents(rng, house)
    for extra in plan.extras:
        kin = _extra(rng, house, extra)
        if kin is not None:
            house.people.append(kin)
    return house


def _lone_head(rng: random.Random, home: Region, plan: Shape, as_of: date) -> Person:
    """A single adult (young, unmarried) or an elderly widow(er) living alone."""
    low, high = (18, 40) if plan.head_marital == "BELUM KAWIN" else (55, 85)
    born = between(rng, as_of - years(high), as_of - years(low) - timedelta(days=1))
    born = max(born, date(MIN_BIRTH_YEAR, 1, 1))
    lineage = make_lineage(rng, pick_culture(rng, home.provinsi_code))
    name = person_name(rng, lineage, plan.head_sex, born=born.year, order=rng.randint(1, 4))
    return Person("KEPALA KELUARGA", plan.head_sex, born, lineage, name, name,
                  marital=plan.head_marital)


def _couple(rng: random.Random, house: Household, plan: Shape) -> None:
    """Father, mother (present or absent from the card) and their children."""
    father_born, mother_born, house.marriage, births = timeline(rng, plan, house.as_of)
    husband = make_lineage(rng, pick_culture(rng, house.region.provinsi_code))
    wife = spouse_lineage(rng, husband, house.region.provinsi_code)
    dad = Person("KEPALA KELUARGA", "LAKI-LAKI", father_born, husband, marital=plan.head_marital)
    mum = Person("ISTRI", "PEREMPUAN", mother_born, wife, marital=plan.head_marital)
    for person in (dad, mum):
        person.plain = person_name(rng, person.lineage, person.sex, born=person.born.year,
                                   order=rng.randint(1, 4))
        person.printed = person.plain
    if plan.wife:
        house.people += [dad, mum]
    else:
        mum.role = "KEPALA KELUARGA" if plan.head_sex == "PEREMPUAN" else "ISTRI"
        dad.role = "KEPALA KELUARGA" if plan.head_sex == "LAKI-LAKI" else "SUAMI"
        house.people.append(mum if plan.head_sex == "PEREMPUAN" else dad)
    for order, born in enumerate(births, start=1):
        sex = rng.choice(("LAKI-LAKI", "PEREMPUAN"))
        name = person_name(rng, husband, sex, born=born.year, order=order)
        house.people.append(Person("ANAK", sex, born, husband, name, name, father=dad.plain,
                                   mother=mum.plain, order=order))


def _name_parents(rng: random.Random, house: Household) -> None:
    """Names of the adults' own parents (printed in the nama ayah / nama ibu columns)."""
    for person in house.people:
        if person.role == "ANAK":
            continue
        elder = person.born.year - 28
        person.father = person_name(rng, person.lineage, "LAKI-LAKI", born=elder)
        other = make_lineage(rng, person.lineage.culture, person.lineage.religion)
        person.mother = person_name(rng, other, "PEREMPUAN", born=elder)


def _extra(rng: random.Random, house: Household, kind: str) -> Person | None:
    """Head's mother (ORANG TUA), wife's mother (MERTUA) or head's younger sibling."""
    head = house.people[0]
    wife = next((p for p in house.people if p.role == "ISTRI"), None)
    anchor = wife if kind == "MERTUA" and wife else head
    if kind in ("ORANG TUA", "MERTUA"):
        born = anchor.born - years(rng.randint(MIN_PARENT_AGE + 2, 38))
        if born.year >= MIN_BIRTH_YEAR and age_on(born, house.as_of) <= 95:
            mum = Person(kind, "PEREMPUAN", born, anchor.lineage, anchor.mother, anchor.mother,
                         marital="CERAI MATI")
            _name_parents(rng, Household(house.region, house.as_of, [mum]))
            return mum
    born = head.born + years(rng.uniform(1, 10))
    if age_on(born, house.as_of) < MIN_PARENT_AGE:
        return None
    sex = rng.choice(("LAKI-LAKI", "PEREMPUAN"))
    name = person_name(rng, head.lineage, sex, born=born.year, order=head.order + 1)
    return Person("FAMILI LAIN", sex, born, head.lineage, name, name, father=head.father,
                  mother=head.mother)
