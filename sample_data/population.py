"""People and households of the synthetic council.

Households are built first, then every source that sees a person writes rows about them;
each row keeps the person's true id so linkage and decisions can be scored against truth.
A household lives through time: it may move address, a child may be born into it, an
adult may join or leave it, and a woman may marry and change her surname; each source row
shows the person as they were on the row's date.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sample_data import names

ACADEMIC_YEARS = ("2022/23", "2023/24", "2024/25")
TERMS = ("autumn", "spring", "summer")
SCHOOL_AGE = (4, 15)
"""Reception (4 on 31 August) to Year 11 (15 on 31 August)."""
PERIOD_START = date(2022, 9, 1)
PERIOD_END = date(2025, 10, 31)
"""The span the feeds cover: three academic years and the claim quarter after them."""


@dataclass
class Person:
    true_id: str
    household_id: str
    forename: str
    surname: str
    dob: date
    sex: str
    is_child: bool
    upn: str | None = None
    nino: str | None = None
    nhs_number: str | None = None
    maiden_name: str | None = None
    married_on: date | None = None
    joined: date | None = None
    left: date | None = None
    elsewhere: tuple[str, str] | None = None
    """Postcode and address while not living in the household (before joining, after leaving)."""

    def surname_on(self, day: date) -> str:
        """Her maiden name in rows dated before the marriage."""
        if self.maiden_name and self.married_on and day < self.married_on:
            return self.maiden_name
        return self.surname


@dataclass
class Household:
    household_id: str
    postcode: str
    address: str
    adults: list[Person] = field(default_factory=list)
    young_people: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)
    moves: list[tuple[date, str, str]] = field(default_factory=list)
    """(moved on, new postcode, new address), in date order."""

    @property
    def members(self) -> list[Person]:
        return self.adults + self.young_people + self.children

    def home_on(self, day: date) -> tuple[str, str]:
        home = (self.postcode, self.address)
        for moved_on, postcode, address in self.moves:
            if moved_on <= day:
                home = (postcode, address)
        return home

    def home_of(self, person: Person, day: date) -> tuple[str, str]:
        away = (person.joined and day < person.joined) or (person.left and day >= person.left)
        if away and person.elsewhere:
            return person.elsewhere
        return self.home_on(day)

    def member(self, ref: str | None) -> Person | None:
        """A member by the role a scenario names it by: adult, partner, youth, child, baby."""
        if ref is None:
            return None
        school = [c for c in self.children if c.upn]
        young = [c for c in self.children if not c.upn]
        pools = {
            "adult": self.adults[:1],
            "partner": self.adults[1:2],
            "youth": self.young_people[:1],
            "child": school[:1],
            "child2": school[1:2],
            "baby": young[:1],
        }
        pool = pools[ref]
        if not pool:
            raise ValueError(f"household {self.household_id} has no {ref}")
        return pool[0]


def stable_token(*parts: object, length: int = 8) -> str:
    """A short id that depends only on its parts, so every run of a seed agrees."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()
    return digest[:length].upper()


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def school_age_in(dob: date, academic_year: str) -> bool:
    """School age for a whole academic year: the age on the 31 August before it starts."""
    start = int(academic_year[:4])
    age = age_on(dob, date(start, 8, 31))
    return SCHOOL_AGE[0] <= age <= SCHOOL_AGE[1]


def random_postcode(rng: random.Random) -> str:
    district = rng.choice(names.POSTCODE_DISTRICTS)
    letters = rng.choice(names.POSTCODE_LETTERS) + rng.choice(names.POSTCODE_LETTERS)
    return f"{district} {rng.randint(1, 9)}{letters}"


def random_address(rng: random.Random) -> str:
    return f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}"


def random_dob(rng: random.Random, youngest: int, oldest: int, on: date) -> date:
    """A date of birth giving an age between youngest and oldest (inclusive) on `on`."""
    latest = on.replace(year=on.year - youngest) if (on.month, on.day) != (2, 29) else on
    earliest = on.replace(year=on.year - oldest - 1) + timedelta(days=1)
    return earliest + timedelta(days=rng.randrange(max((latest - earliest).days, 1)))


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange(max((end - start).days, 1)))


def random_nino(rng: random.Random) -> str:
    letters = "ABCEGHJKLMNPRSTWXYZ"
    return (
        f"{rng.choice(letters)}{rng.choice(letters)}{rng.randint(0, 999999):06d}"
        f"{rng.choice('ABCD')}"
    )


def random_nhs(rng: random.Random) -> str:
    return f"{rng.randint(400, 499)}{rng.randint(0, 9999999):07d}"


@dataclass(frozen=True)
class HouseholdShape:
    """What a scenario needs of a household: who lives in it."""

    adults: int = 2
    school_children: int = 1
    young_children: int = 0
    young_people: int = 0
    youth_age: int = 17
    """Age of the young people on the census day (the as-of date)."""
    adult_age: int | None = None
    """Age of the first adult on the census day; None draws 24-52."""
    young_child_age: int | None = None
    """Age of the young children on the census day; None draws 0-2 (births in the span)."""


@dataclass(frozen=True)
class LifeRates:
    """How often households change over the three years (population realism, not noise)."""

    move: float = 0.15
    adult_leaves: float = 0.04
    adult_joins: float = 0.04


def _forename(rng: random.Random, sex: str, special_rate: float) -> str:
    if rng.random() < special_rate:
        return rng.choice(names.ACCENTED_FORENAMES)
    return rng.choice(names.FEMALE_FORENAMES if sex == "F" else names.MALE_FORENAMES)


def make_household(
    rng: random.Random,
    seed: int,
    number: int,
    shape: HouseholdShape,
    census_day: date,
    life: LifeRates | None = None,
    stable: bool = False,
    accented_name: float = 0.03,
    surname_change: float = 0.03,
) -> Household:
    """One household; `stable` keeps adults from joining or leaving (planted cases need
    the same adults throughout unless the scenario changes them itself)."""
    life = life or LifeRates()
    hid = f"H{number:06d}"
    special = rng.random() < accented_name
    surname = rng.choice(names.ACCENTED_SURNAMES if special else names.SURNAMES)
    household = Household(hid, random_postcode(rng), random_address(rng))
    if rng.random() < life.move:
        household.moves.append(
            (
                random_day(rng, date(2023, 1, 1), date(2025, 6, 1)),
                random_postcode(rng),
                random_address(rng),
            )
        )
    index = 0

    def next_id() -> str:
        nonlocal index
        index += 1
        return f"T{number:06d}{index - 1:02d}"

    for position in range(shape.adults):
        sex = "F" if position == 0 else rng.choice("MF")
        adult = Person(
            next_id(),
            hid,
            _forename(rng, sex, accented_name),
            surname,
            random_dob(rng, 24, 52, census_day)
            if shape.adult_age is None or position > 0
            else random_dob(rng, shape.adult_age, shape.adult_age, census_day),
            sex,
            False,
            nino=random_nino(rng),
            nhs_number=random_nhs(rng),
        )
        if sex == "F" and rng.random() < surname_change:
            adult.maiden_name = rng.choice(names.SURNAMES)
            adult.married_on = random_day(rng, date(2023, 1, 1), date(2025, 3, 1))
        if position == 1 and not stable:
            draw = rng.random()
            if draw < life.adult_leaves:
                adult.left = random_day(rng, date(2023, 3, 1), date(2025, 3, 1))
            elif draw < life.adult_leaves + life.adult_joins:
                adult.joined = random_day(rng, date(2023, 3, 1), date(2025, 3, 1))
                adult.surname = rng.choice(names.SURNAMES)
            if adult.left or adult.joined:
                adult.elsewhere = (random_postcode(rng), random_address(rng))
        household.adults.append(adult)
    used = {adult.forename for adult in household.adults}
    for _ in range(shape.young_people):
        sex = rng.choice("MF")
        forename = _forename(rng, sex, accented_name)
        while forename in used:
            forename = _forename(rng, sex, 0)
        used.add(forename)
        age = shape.youth_age
        # Each pupil number comes from the person's own id: siblings never share one.
        true_id = next_id()
        household.young_people.append(
            Person(
                true_id,
                hid,
                forename,
                surname,
                random_dob(rng, age, age, census_day),
                sex,
                True,
                upn=f"A{stable_token(seed, 'upn', true_id, length=12)}",
                nino=random_nino(rng),
                nhs_number=random_nhs(rng),
            )
        )
    # Children at least 15 months apart so siblings never share a date of birth. Young
    # children are 0-2 on the census day: most were born during the feeds' span.
    child_dobs: list[tuple[date, bool]] = []
    ages = [(rng.randint(7, 13), True) for _ in range(shape.school_children)]
    ages += [
        (rng.randint(0, 2) if shape.young_child_age is None else shape.young_child_age, False)
        for _ in range(shape.young_children)
    ]
    for age, at_school in sorted(ages, reverse=True):
        dob = random_dob(rng, age, age, census_day)
        while any(abs((dob - other).days) < 460 for other, _ in child_dobs):
            dob -= timedelta(days=470)
        if dob > census_day - timedelta(days=30):
            dob = census_day - timedelta(days=30)
        child_dobs.append((dob, at_school))
    # One forename per household: a parent and child of the same name and surname at the
    # same address are a known hard case for linkage, planted on purpose elsewhere.
    for dob, at_school in child_dobs:
        sex = rng.choice("MF")
        forename = _forename(rng, sex, accented_name)
        while forename in used:
            forename = _forename(rng, sex, 0)
        used.add(forename)
        true_id = next_id()
        token = stable_token(seed, "upn", true_id, length=12)
        household.children.append(
            Person(
                true_id,
                hid,
                forename,
                surname,
                dob,
                sex,
                True,
                upn=f"A{token}" if at_school else None,
                nhs_number=random_nhs(rng),
            )
        )
    return household
