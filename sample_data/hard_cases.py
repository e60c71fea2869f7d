"""Hard cases for person linkage, planted on purpose (`sfp sample --hard`).

The default sample is easy to link: every kind of difficulty a real council's records
show is planted here, in households of their own, each kind named in the truth so the
matching bench can report precision and recall per kind (bench/bench_matching.py):

- people who must stay apart: twins (same surname, date of birth and home, other
  forenames, no shared national identifier); siblings born about a year apart; two
  different people with one very common name, some of them dated 1900-01-01;
- one person who must stay whole: a name in Greek, Cyrillic, Chinese or Arabic script
  (the same script in two feeds, or the script in one and its Latin spelling in the
  other); a double-barrelled surname written in full in one feed and in part in the
  other; forename and surname swapped; a placeholder date of birth (a missing one is
  quarantined by the feed contracts: SPEC section 1 requires it, so `link_persons` tests
  cover it instead); a move between feeds with no identifier to carry the person across;
  one home written two ways in two feeds (issue 27: commas or none, the lines of separate
  columns joined, the postcode inside the text and not in its column, abbreviated in
  capitals, a flat written "Flat 2, 10" or "2/10").

Twins' and siblings' referrals write their one home in two of those forms, so the
address, however written, never tells children of one home apart.

Rows go to feeds where they cannot make a need (good attendance, in-work DWP months,
referrals), so the case decisions and the worklist truth stay as the default sample's.
`truth/hard_pairs.csv` lists every planted pair: kind, the two true person ids, and
whether they are one person.
"""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from sample_data import names
from sample_data.population import (
    Household,
    Person,
    random_address,
    random_dob,
    random_nino,
    random_postcode,
    stable_token,
)
from sample_data.scenarios import Attendance


class RowSink(Protocol):
    def write(self, row: Sequence[object]) -> int: ...


class CouncilWriter(Protocol):
    """What hard cases need of sample_data.generate's writer (a protocol, so the
    generator can import this module without an import cycle)."""

    @property
    def out(self) -> Path: ...

    @property
    def people(self) -> RowSink: ...

    def person_columns(
        self, feed: str, person: Person, household: Household, day: date, exact: bool = False
    ) -> dict[str, object]: ...

    def add(
        self,
        feed: str,
        batch: str,
        values: dict[str, object],
        person: Person | None = None,
        repeatable: bool = False,
    ) -> None: ...

    def attendance(
        self, person: Person, household: Household, rates: Attendance, repeatable: bool = False
    ) -> None: ...


CENSUS_DAY = date(2025, 3, 31)
# Per script: (native, Latin spelling) forenames and surnames. The Latin spelling is None
# for Arabic, whose script drops the short vowels any Latin spelling adds: those people
# are written in Arabic in both feeds.
NON_LATIN = {
    "Greek": (
        (("Γιώργος", "Giorgos"), ("Ελένη", "Eleni"), ("Νίκος", "Nikos"), ("Μαρία", "Maria")),
        (("Παπαδόπουλος", "Papadopoulos"), ("Οικονόμου", "Oikonomou"), ("Γεωργίου", "Georgiou")),
    ),
    "Cyrillic": (
        (("Дмитрий", "Dmitriy"), ("Ольга", "Olga"), ("Сергей", "Sergey"), ("Анна", "Anna")),
        (("Иванов", "Ivanov"), ("Петрова", "Petrova"), ("Смирнов", "Smirnov")),
    ),
    "Chinese": (
        (("伟", "Wei"), ("娜", "Na"), ("静", "Jing"), ("磊", "Lei")),
        (("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu")),
    ),
    "Polish": (
        (("Łukasz", "Lukasz"), ("Małgorzata", "Malgorzata"), ("Paweł", "Pawel")),
        (("Wiśniewski", "Wisniewski"), ("Wójcik", "Wojcik"), ("Kamiński", "Kaminski")),
    ),
    "Arabic": (
        (("محمد", None), ("فاطمة", None), ("أحمد", None), ("مريم", None)),
        (("خان", None), ("حسن", None), ("عبدالله", None)),
    ),
}
TOWNS = ("Bletchley", "Newport Pagnell", "Olney", "Wolverton", "Stony Stratford")
STREET_ABBREVIATIONS = {
    "Road": "Rd",
    "Street": "St",
    "Lane": "Ln",
    "Avenue": "Ave",
    "Close": "Cl",
    "Drive": "Dr",
    "Grove": "Gr",
    "Crescent": "Cres",
}


@dataclass(frozen=True)
class Home:
    """One home's parts, for writing it the ways councils' systems do."""

    number: str
    street: str
    town: str
    postcode: str
    flat: str | None = None

    @property
    def street_short(self) -> str:
        words = self.street.split(" ")
        return " ".join([*words[:-1], STREET_ABBREVIATIONS.get(words[-1], words[-1])])

    def flat_then(self, separator: str) -> str:
        return f"Flat {self.flat}{separator}" if self.flat else ""


# name -> (address as written, whether the postcode column is left empty).
ADDRESS_FORMS: dict[str, Callable[[Home], tuple[str, bool]]] = {
    "commas": lambda h: (f"{h.flat_then(', ')}{h.number} {h.street}, {h.town}", False),
    "no_commas": lambda h: (f"{h.flat_then(' ')}{h.number} {h.street} {h.town}", False),
    # Number, street and town in their own columns, joined by a source definition's
    # `join` with ", " (docs/sources.md).
    "lines_joined": lambda h: (f"{h.flat_then(', ')}{h.number}, {h.street}, {h.town}", False),
    "postcode_inside": lambda h: (
        f"{h.flat_then(', ')}{h.number} {h.street}, {h.town}, Milton Keynes {h.postcode}",
        True,
    ),
    "abbreviated_capitals": lambda h: (
        f"{h.flat_then(' ')}{h.number} {h.street_short} {h.town}".upper(),
        False,
    ),
    "flat_slash_reordered": lambda h: (
        f"{h.flat + '/' if h.flat else ''}{h.number} {h.street}, Milton Keynes, {h.town}",
        False,
    ),
}
COMMON_NAMES = (("John", "Smith"), ("Mohammed", "Khan"), ("Sarah", "Jones"), ("David", "Brown"))
PLACEHOLDER_DOB = date(1900, 1, 1)


@dataclass(frozen=True)
class Kind:
    same_person: bool
    about: str


KINDS = {
    "twins": Kind(False, "twins: same surname, date of birth and home, other forenames"),
    "siblings_one_year": Kind(False, "siblings born 11-13 months apart at one home"),
    "common_name": Kind(False, "two people of one very common name in one district"),
    "common_name_placeholder_dob": Kind(
        False, "two people of one very common name, both dated 1900-01-01, other postcodes"
    ),
    "non_latin": Kind(True, "a name in Greek, Cyrillic, Chinese, Arabic or Polish letters"),
    "double_barrelled": Kind(True, "Smith-Jones in one feed, Jones in the other"),
    "swapped_names": Kind(True, "forename and surname swapped in one feed"),
    "placeholder_dob": Kind(True, "1 January of the year, or 1900-01-01, in one feed"),
    "moved_no_identifier": Kind(True, "another home in each feed, no shared identifier"),
    "address_forms": Kind(
        True, "one home written two ways (commas, none, joined lines, postcode inside...)"
    ),
}


class HardCases:
    """Plants the hard cases through the sample's own writer (rows, truth, noise)."""

    def __init__(self, writer: CouncilWriter, seed: int) -> None:
        self.writer = writer
        self.seed = seed
        self.rng = random.Random(seed * 104729 + 15)
        self.households = 0
        self.pairs = writer.out / "truth" / "hard_pairs.csv"
        self.pair_rows: list[list[object]] = []

    # People and homes ------------------------------------------------------------------

    def household(self) -> Household:
        self.households += 1
        return Household(
            f"HX{self.households:05d}", random_postcode(self.rng), random_address(self.rng)
        )

    def person(
        self, household: Household, forename: str, surname: str, dob: date, child: bool
    ) -> Person:
        index = len(household.members)
        true_id = f"X{self.households:05d}{index:02d}"
        sex = self.rng.choice("MF")
        person = Person(true_id, household.household_id, forename, surname, dob, sex, child)
        if child:
            person.upn = f"A{stable_token(self.seed, 'hard-upn', true_id, length=12)}"
            household.children.append(person)
        else:
            person.nino = random_nino(self.rng)
            household.adults.append(person)
        self.writer.people.write([true_id, household.household_id])
        return person

    def forename(self) -> str:
        return self.rng.choice(names.MALE_FORENAMES + names.FEMALE_FORENAMES)

    def other_forename(self, *taken: str) -> str:
        name = self.forename()
        while any(name[:3] == other[:3] for other in taken):
            name = self.forename()
        return name

    # Rows --------------------------------------------------------------------------------

    def referral(self, person: Person, household: Household, **shown: object) -> None:
        """A referral row with no national identifier; `shown` overrides what it records."""
        day = CENSUS_DAY - timedelta(days=self.rng.randrange(30, 600))
        values = self.writer.person_columns("referrals", person, household, day)
        values.update({"nhs_number": None, **shown})
        self.writer.add(
            "referrals",
            f"{day.year:04d}-{day.month:02d}",
            {**values, "referral_date": day, "service": "early_help", "accepted": "false"},
            person,
        )

    def dwp(self, person: Person, household: Household, **shown: object) -> None:
        """An in-work DWP month (no need is made of it)."""
        day = date(2024, self.rng.randint(1, 12), 1)
        values = {**self.writer.person_columns("dwp", person, household, day), **shown}
        self.writer.add(
            "dwp",
            f"{day.year:04d}-{day.month:02d}",
            {
                **values,
                "month": f"{day.year:04d}-{day.month:02d}",
                "benefit": "other",
                "work_status": "in_work",
            },
            person,
        )

    def home_of(self, household: Household, flat: bool = False) -> Home:
        match = re.fullmatch(r"(\d+)\s+(.+)", household.address)
        number, street = match.groups() if match else ("1", household.address)
        return Home(
            number,
            street,
            self.rng.choice(TOWNS),
            household.postcode,
            str(self.rng.randint(1, 9)) if flat else None,
        )

    def written(self, home: Home, form: str) -> dict[str, object]:
        """The address and postcode columns of a row writing `home` in `form`."""
        address, postcode_inside = ADDRESS_FORMS[form](home)
        return {"address": address, **({"postcode": None} if postcode_inside else {})}

    def two_forms(self, number: int) -> tuple[str, str]:
        """Two different forms, every pair in turn as `number` grows."""
        forms = list(ADDRESS_FORMS)
        first = number % len(forms)
        second = (first + 1 + (number // len(forms)) % (len(forms) - 1)) % len(forms)
        return forms[first], forms[second]

    def pair(self, kind: str, left: Person, right: Person) -> None:
        self.pair_rows.append([kind, left.true_id, right.true_id, KINDS[kind].same_person])

    # Kinds -------------------------------------------------------------------------------

    def children_of_one_home(self, kind: str, gap_days: int, number: int) -> None:
        home = self.household()
        surname = self.rng.choice(names.SURNAMES)
        first = random_dob(self.rng, 7, 13, CENSUS_DAY)
        older = self.person(home, self.forename(), surname, first, True)
        younger_name = self.other_forename(older.forename)
        younger = self.person(home, younger_name, surname, first + timedelta(gap_days), True)
        # Each child's referral writes the one home in another form.
        written = self.home_of(home)
        for child, form in zip((older, younger), self.two_forms(number), strict=True):
            self.writer.attendance(child, home, {})
            self.referral(child, home, **self.written(written, form))
        self.pair(kind, older, younger)

    def adult(self, forename: str | None = None, surname: str | None = None) -> tuple:
        home = self.household()
        person = self.person(
            home,
            forename or self.forename(),
            surname or self.rng.choice(names.SURNAMES),
            random_dob(self.rng, 20, 60, CENSUS_DAY),
            False,
        )
        return person, home

    def one_person(self, kind: str, referral: dict, dwp: dict | None = None) -> Person:
        person, home = self.adult(referral.pop("_forename", None), referral.pop("_surname", None))
        self.referral(
            person, home, **{k: v(person) if callable(v) else v for k, v in referral.items()}
        )
        self.dwp(person, home, **(dwp or {}))
        self.pair(kind, person, person)
        return person

    def common_name(self, placeholder: bool) -> None:
        forename, surname = self.rng.choice(COMMON_NAMES)
        first, home_one = self.adult(forename, surname)
        second, home_two = self.adult(forename, surname)
        if not placeholder:
            # The same district: only the house and the date of birth tell them apart.
            home_two.postcode = home_one.postcode.split(" ")[0] + home_two.postcode[-4:]
        shown = {"dob": PLACEHOLDER_DOB} if placeholder else {}
        for person, home in ((first, home_one), (second, home_two)):
            self.referral(person, home, **shown)
            if not placeholder:
                self.dwp(person, home)
        kind = "common_name_placeholder_dob" if placeholder else "common_name"
        self.pair(kind, first, second)

    def plant(self, per_kind: int) -> dict[str, int]:
        for number in range(per_kind):
            self.children_of_one_home("twins", 0, number)
            gap = self.rng.choice((335, 365, 395))
            self.children_of_one_home("siblings_one_year", gap, number)
            self.common_name(placeholder=False)
            self.common_name(placeholder=True)
            forenames, surnames = list(NON_LATIN.values())[number % len(NON_LATIN)]
            (native_fore, latin_fore), (native_sur, latin_sur) = (
                self.rng.choice(forenames),
                self.rng.choice(surnames),
            )
            latin = (
                {"forename": latin_fore, "surname": latin_sur}
                if latin_fore
                else {"forename": native_fore, "surname": native_sur}
            )
            self.one_person(
                "non_latin",
                {
                    "_forename": native_fore,
                    "_surname": native_sur,
                    "forename": native_fore,
                    "surname": native_sur,
                },
                latin,
            )
            parts = (self.rng.choice(names.SURNAMES), self.rng.choice(names.SURNAMES))
            self.one_person(
                "double_barrelled",
                {"_surname": f"{parts[0]}-{parts[1]}"},
                {"surname": parts[number % 2]},
            )
            self.one_person(
                "swapped_names",
                {"forename": lambda p: p.surname, "surname": lambda p: p.forename},
            )
            self.one_person(
                "placeholder_dob",
                {"dob": (lambda p: date(p.dob.year, 1, 1)) if number % 2 else PLACEHOLDER_DOB},
            )
            person, old_home = self.adult()
            self.referral(person, old_home)
            new_home = Household(
                old_home.household_id, random_postcode(self.rng), random_address(self.rng)
            )
            self.dwp(person, new_home)
            self.pair("moved_no_identifier", person, person)
            person, home = self.adult()
            written = self.home_of(home, flat=number % 3 == 0)
            left, right = self.two_forms(number)
            self.referral(person, home, **self.written(written, left))
            self.dwp(person, home, **self.written(written, right))
            self.pair("address_forms", person, person)
        with self.pairs.open("w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(["kind", "true_person_id_l", "true_person_id_r", "same_person"])
            out.writerows(self.pair_rows)
        return {kind: per_kind for kind in KINDS}


def hard_cases_per_kind(households: int) -> int:
    """One of each kind per 100 households, at least 5 (so even a test sample has all)."""
    return max(5, households // 100)


def plant_hard_cases(writer: CouncilWriter, seed: int, households: int) -> dict[str, int]:
    """Plant every kind; returns how many of each (for the sample's summary)."""
    return HardCases(writer, seed).plant(hard_cases_per_kind(households))


def read_hard_pairs(sample: Path) -> list[dict[str, str]]:
    """The planted pairs of a sample written with `--hard` (empty for any other)."""
    path = sample / "truth" / "hard_pairs.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))
