"""People and households of the synthetic council.

Households are built first, then every source that sees a person writes rows about them;
each row keeps the person's true id so linkage and decisions can be scored against truth.
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


@dataclass
class Household:
    household_id: str
    postcode: str
    address: str
    adults: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)

    @property
    def members(self) -> list[Person]:
        return self.adults + self.children


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


def random_dob(rng: random.Random, youngest: int, oldest: int, on: date) -> date:
    start = date(on.year - oldest - 1, on.month, 1) + timedelta(days=1)
    span = (date(on.year - youngest, on.month, 1) - start).days
    return start + timedelta(days=rng.randrange(max(span, 1)))


@dataclass(frozen=True)
class HouseholdShape:
    """What a scenario needs of a household: how many adults and school-age children."""

    adults: int = 2
    school_children: int = 1
    young_children: int = 0


def make_household(
    rng: random.Random, seed: int, number: int, shape: HouseholdShape, census_day: date
) -> Household:
    hid = f"H{number:06d}"
    surname = rng.choice(names.SURNAMES)
    household = Household(
        hid, random_postcode(rng), f"{rng.randint(1, 180)} {rng.choice(names.STREETS)}"
    )
    for index in range(shape.adults):
        sex = "F" if index == 0 else rng.choice("MF")
        forename = rng.choice(names.FEMALE_FORENAMES if sex == "F" else names.MALE_FORENAMES)
        dob = random_dob(rng, 24, 52, census_day)
        household.adults.append(
            Person(
                f"T{number:06d}{index}",
                hid,
                forename,
                surname,
                dob,
                sex,
                False,
                nino=f"{rng.choice('ABCEGHJKLMNPRSTWXYZ')}{rng.choice('ABCEGHJKLMNPRSTWXYZ')}"
                f"{rng.randint(0, 999999):06d}{rng.choice('ABCD')}",
                nhs_number=f"{rng.randint(400, 499)}{rng.randint(0, 9999999):07d}",
            )
        )
    # Children at least 15 months apart so siblings never share a date of birth.
    child_dobs: list[date] = []
    ages = [rng.randint(7, 13) for _ in range(shape.school_children)]
    ages += [rng.randint(0, 2) for _ in range(shape.young_children)]
    for age in sorted(ages, reverse=True):
        dob = random_dob(rng, age, age, census_day)
        while any(abs((dob - other).days) < 460 for other in child_dobs):
            dob -= timedelta(days=470)
        child_dobs.append(dob)
    # One forename per household: a parent and child of the same name and surname at the
    # same address are a known hard case for linkage, planted on purpose by later scenarios.
    used = {adult.forename for adult in household.adults}
    for offset, dob in enumerate(child_dobs):
        sex = rng.choice("MF")
        forename = rng.choice(names.FEMALE_FORENAMES if sex == "F" else names.MALE_FORENAMES)
        while forename in used:
            forename = rng.choice(names.FEMALE_FORENAMES if sex == "F" else names.MALE_FORENAMES)
        used.add(forename)
        index = shape.adults + offset
        household.children.append(
            Person(
                f"T{number:06d}{index}",
                hid,
                forename,
                surname,
                dob,
                sex,
                True,
                upn=f"A{stable_token(seed, 'upn', number, index, length=12)}",
                nhs_number=f"{rng.randint(400, 499)}{rng.randint(0, 9999999):07d}",
            )
        )
    return household
