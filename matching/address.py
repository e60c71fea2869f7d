"""An address read as words, whatever its punctuation: house, flat, street and locality.

Councils' systems write one address many ways: "12 Elm Road, Bletchley, Milton Keynes",
the same without commas, the lines of separate columns joined by a source definition
("12, Elm Road, Bletchley"), the postcode inside the text, "Flat 2, 10 High St", a house
name and no number. Commas are not read at all: an address is cut into words, and the
parts are found from the words themselves, so every way of writing one address gives the
same parts (docs/adr/0012-addresses-read-as-words.md). The approach follows
moj-analytical-services/uk_address_matcher (MIT): clean to upper/lower-case words,
expand the common abbreviations, find the flat and the numbers by their tokens, and
compare the remaining words as a set rather than as positions.

- house: the building's number with its letter (12, 12a, "12 A"), or, with no number, the
  words before the street ("rose cottage", written without spaces);
- flat: the number or letter after flat/apartment/unit (or the first of two numbers in
  front of the street, "2/10 High Street");
- street: the words after the house number up to a street word (road, street, close...)
  within four words, else the next two words; written without spaces, as clerks type
  "Highstreet";
- locality: every other word (the estate, district, town, county), each once, in
  alphabetical order, so reordered or missing lines and commas change nothing; and the
  same words as written, run together, for a word split or mistyped ("Modbury Ehights");
- postcode: a UK postcode found inside the text (used when the postcode column is empty),
  and the record's own postcode taken off the end of the text.

Parsed once per distinct (address, postcode): addresses repeat on every row of a person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
from anyascii import anyascii

# Written-out forms of the common abbreviations (uk_address_matcher's
# address_abbreviations.json, the street and flat words; Royal Mail's PAF uses the full
# words). "st" is a street: "St Albans" becomes "street albans" in every record alike.
ABBREVIATIONS = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "avn": "avenue",
    "ln": "lane",
    "cl": "close",
    "cls": "close",
    "dr": "drive",
    "drv": "drive",
    "cres": "crescent",
    "cresc": "crescent",
    "cr": "crescent",
    "ct": "court",
    "crt": "court",
    "gdns": "gardens",
    "gdn": "gardens",
    "gds": "gardens",
    "pl": "place",
    "sq": "square",
    "tce": "terrace",
    "terr": "terrace",
    "ter": "terrace",
    "gr": "grove",
    "grv": "grove",
    "pde": "parade",
    "cct": "circuit",
    "cir": "circuit",
    "hwy": "highway",
    "blvd": "boulevard",
    "esp": "esplanade",
    "wk": "walk",
    "mws": "mews",
    "pk": "park",
    "nth": "north",
    "sth": "south",
    "upr": "upper",
    "lwr": "lower",
    "flt": "flat",
    "apartment": "flat",
    "apt": "flat",
    "apts": "flat",
    "unit": "flat",
    "unt": "flat",
    "room": "flat",
    "rm": "flat",
    "studio": "flat",
    "maisonette": "flat",
}
# Words that end a street's name. Words that also name places (hill, green, park, end)
# are left out: "Forest Hill" is a district as often as a road.
STREET_WORDS = frozenset(
    (
        "road street lane avenue close drive crescent court gardens place square terrace way"
        " grove walk row mews parade circuit rise boulevard highway esplanade parkway wharf"
        " quay view vale croft mount"
    ).split()
)
# Tried in this order, so a word one letter off two street words ("drove") always reads
# as the same one.
STREET_WORDS_IN_ORDER = tuple(sorted(STREET_WORDS))
# Words one letter off a street word that are words of their own.
NOT_STREET_WORDS = frozenset(("palace", "drove", "grave", "count", "mound", "plate"))
FLAT = "flat"
# A word this long that is one letter off a street word is taken for it ("setreet").
FUZZY_STREET_WORD = 5
# A street word glued to a name of at least this many letters ends a street too.
GLUED_NAME = 3
# A street's name is at most this many words before its street word ("St John's Wood
# Road"); past it the words are taken for the locality's.
STREET_REACH = 4
# With no street word, a street is this many words after the number ("the broadway").
STREET_WITHOUT_WORD = 2
UK_POSTCODE = re.compile(r"\b([a-z]{1,2}[0-9][a-z0-9]?) ?([0-9][a-z]{2})\b")
NUMBER = re.compile(r"[0-9]+[a-z]?")
APOSTROPHES = re.compile(r"['`´ʻʼ‘’]")
WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class AddressParts:
    house: str | None
    flat: str | None
    street: str | None
    locality: tuple[str, ...]
    postcode: str | None  # a UK postcode found in the text, compact and upper case
    locality_run: str | None = None  # the locality's words as written, run together

    @property
    def locality_text(self) -> str | None:
        return " ".join(self.locality) or None


def _words(text: str) -> list[str]:
    folded = text.lower()
    if not folded.isascii():  # any script to ASCII, as names are: Straße, Rhôs, Łódź
        folded = anyascii(unicodedata.normalize("NFKC", APOSTROPHES.sub("", folded))).lower()
    return WORD.findall(folded.replace("'", "").replace("`", ""))


def _without_postcodes(words: list[str], own: str | None) -> tuple[list[str], str | None]:
    """The words less any UK postcode in them (the first one found is returned) and less
    the record's own postcode written at the end ("..., NSW 2615")."""
    text = " ".join(words)
    found = UK_POSTCODE.search(text)
    postcode = (found.group(1) + found.group(2)).upper() if found else None
    words = UK_POSTCODE.sub(" ", text).split()
    if own:
        own = own.lower()
        for size in (1, 2):
            if len(words) > size and "".join(words[-size:]) == own:
                words = words[:-size]
                break
    return words, postcode


@lru_cache(maxsize=65536)
def street_word(word: str) -> str | None:
    """The street word a word is, allowing a clerk's slip: "Road", "setreet" (one letter
    off a street word of five or more letters), "walkercrescent" (glued to the name)."""
    if word in STREET_WORDS:
        return word
    if word in NOT_STREET_WORDS:
        return None
    if len(word) >= FUZZY_STREET_WORD:
        for known in STREET_WORDS_IN_ORDER:
            if len(known) >= FUZZY_STREET_WORD and _one_edit_apart(word, known):
                return known
    for known in STREET_WORDS_IN_ORDER:
        if len(word) >= len(known) + GLUED_NAME and word.endswith(known):
            return word
    return None


def _glued(word: str) -> bool:
    return word not in STREET_WORDS and street_word(word) == word


def _one_edit_apart(word: str, other: str) -> bool:
    """One letter changed, added, dropped, or two neighbours swapped."""
    if abs(len(word) - len(other)) > 1 or word == other:
        return False
    if len(word) == len(other):
        diffs = [i for i, (a, b) in enumerate(zip(word, other, strict=True)) if a != b]
        return len(diffs) == 1 or (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and word[diffs[0]] == other[diffs[1]]
            and word[diffs[1]] == other[diffs[0]]
        )
    short, long = sorted((word, other), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _rejoined(words: list[str]) -> list[str]:
    """A street word split by a stray space ("s treet", "c ircuit") written whole."""
    if not any(a + b in STREET_WORDS for a, b in zip(words, words[1:], strict=False)):
        return words
    out: list[str] = []
    index = 0
    while index < len(words):
        pair = "".join(words[index : index + 2])
        if index + 1 < len(words) and pair in STREET_WORDS and words[index + 1] not in STREET_WORDS:
            out.append(pair)
            index += 2
        else:
            out.append(words[index])
            index += 1
    return out


def _is_number(word: str) -> bool:
    return word[0].isdigit() and NUMBER.fullmatch(word) is not None


def _joined_letters(words: list[str]) -> list[str]:
    """ "12 a" -> "12a": a number's letter written apart (not when the letter ends it)."""
    if not any(len(word) == 1 and word.isalpha() for word in words):
        return words
    out: list[str] = []
    for index, word in enumerate(words):
        if (
            out
            and len(word) == 1
            and word.isalpha()
            and out[-1].isdigit()
            and index + 1 < len(words)
        ):
            out[-1] += word
        else:
            out.append(word)
    return out


def _take_flat(words: list[str]) -> tuple[list[str], str | None]:
    """The flat's number or letter after a flat word, and the words without both."""
    if FLAT not in words:
        return words, None
    for index, word in enumerate(words[:-1]):
        following = words[index + 1]
        if word == FLAT and (_is_number(following) or len(following) == 1):
            return words[:index] + words[index + 2 :], following
    return [w for w in words if w != FLAT], None


def _street_end(words: list[str], start: int) -> int | None:
    """Index of the street word ending a street that begins at `start`, if near enough.

    A street word needs a name before it ("Elm Road"), unless glued to it ("Elmroad")."""
    if start < len(words) and _glued(words[start]):
        return start
    for index in range(start + 1, min(len(words), start + 1 + STREET_REACH)):
        if _is_number(words[index]):
            return None
        if street_word(words[index]):
            return index
    return None


def _plain_street(words: list[str], start: int) -> int:
    """End (exclusive) of a street with no street word: up to two words, no number."""
    end = start
    while end < len(words) and end - start < STREET_WITHOUT_WORD and not _is_number(words[end]):
        end += 1
    return end


def parse_address(text: str, own_postcode: str | None = None) -> AddressParts:
    """An address's parts, the same however it is punctuated (module docstring)."""
    words, postcode = _without_postcodes(_words(text), own_postcode)
    words = _rejoined(words)
    words = _joined_letters([ABBREVIATIONS.get(word, word) for word in words])
    words = [street_word(word) or word for word in words]
    words, flat = _take_flat(words)
    numbers = [index for index, word in enumerate(words) if _is_number(word)]
    house: str | None = None
    street: list[str] = []
    used: set[int] = set()
    at = numbers[0] if numbers and numbers[0] <= 2 else None
    if at is not None:
        if flat is None and at + 1 in numbers:  # "2 10 high street": flat 2 of number 10
            flat, at = words[at], at + 1
            used.add(at - 1)
        house = words[at]
        used.add(at)
        start = at + 1
        end = _street_end(words, start)
        stop = end + 1 if end is not None else _plain_street(words, start)
        street = words[start:stop]
        used.update(range(start, stop))
    else:
        end = next(
            (i for i, w in enumerate(words) if (i >= 1 and street_word(w)) or _glued(w)),
            None,
        )
        if end is not None:
            begin = end if _glued(words[end]) else end - 1
            street = words[begin : end + 1]
            used.update(range(0, end + 1))
            house = "".join(words[:begin]) or None
        elif len(words) > STREET_WITHOUT_WORD:  # no number, no street word: the first words
            stop = _plain_street(words, 0)
            street = words[:stop]
            used.update(range(stop))
    rest = [w for i, w in enumerate(words) if i not in used]
    locality = tuple(sorted(set(rest)))
    return AddressParts(
        house, flat, "".join(street) or None, locality, postcode, "".join(rest) or None
    )


def address_parse_table(pairs: pd.DataFrame) -> pd.DataFrame:
    """address, postcode_compact -> the parts, for each distinct pair (not a row each)."""
    rows = []
    for address, own in pairs.itertuples(index=False):
        own_text = None if own is None or pd.isna(own) else str(own)
        parts = parse_address(str(address), own_text)
        rows.append(
            (
                address,
                own_text,
                parts.house,
                parts.flat,
                parts.street,
                parts.locality_text,
                list(parts.locality) or None,
                parts.locality_run,
                parts.postcode,
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "address",
            "postcode_compact",
            "address_house",
            "address_flat",
            "address_street",
            "address_locality",
            "address_locality_words",
            "address_locality_run",
            "postcode_in_address",
        ],
    )
