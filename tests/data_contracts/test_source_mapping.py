"""Mapping one table onto a feed: aliases, derived columns, value maps, dates, terms.

Each case gives a partner's rows and the feed values the contract must receive; the
expected values come from the rule (a census in January reports the autumn term, six
sessions are three days), not from running the code.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.ingest import FeedFileError
from data_contracts.source_catalogue import load_definition
from data_contracts.source_definitions import SourceDefinition
from data_contracts.source_mapping import map_feed
from data_contracts.source_values import academic_years, iso_dates, iso_months


def definition(tmp_path: Path, text: str) -> SourceDefinition:
    path = tmp_path / "extract.yaml"
    path.write_text("name: extract\nfolder: extract\n" + textwrap.dedent(text))
    return load_definition(path)


def table(rows: list[dict[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, index=range(2, 2 + len(rows)), dtype="str")


CENSUS = """
feeds:
  attendance:
    columns:
      upn: [UPN]
      forename: [Forename]
      surname: [Legal Surname]
      dob: [DOB]
      sex: [Gender]
      school_urn: [URN]
      sessions_possible: [TermlySessionsPossible]
      sessions_authorised_absence: [TermlySessionsAuthorised]
      sessions_unauthorised_absence: [TermlySessionsUnauthorised]
    derive:
      source_person_id: {first_of: [Pupil ID, UPN], prefix: "UPN:"}
      academic_year: {academic_year_of: ReferenceDate, term_shift: -1}
      term: {term_of: ReferenceDate, term_shift: -1}
      address: {join: [House, Street], separator: " "}
    values:
      sex: {Male: M, Female: F}
"""


def census_row(**changes: str) -> dict[str, str]:
    row = {
        "UPN": "A1",
        "Forename": "Amy",
        "LEGAL_SURNAME": "Ash",
        "DOB": "2015-03-04",
        "Gender": "Female",
        "URN": "100001",
        "termly sessions possible": "140",
        "TermlySessionsAuthorised": "4",
        "TermlySessionsUnauthorised": "2",
        "ReferenceDate": "2025-01-16",
        "House": "12",
        "Street": "High Street",
    }
    return {**row, **changes}


@pytest.mark.parametrize(
    ("census", "year", "term"),
    [
        ("2025-01-16", "2024/25", "autumn"),  # spring census -> autumn term
        ("2025-05-15", "2024/25", "spring"),  # summer census -> spring term
        ("2025-10-02", "2024/25", "summer"),  # autumn census -> the summer before
        ("16/01/2025 00:00:00", "2024/25", "autumn"),
    ],
)
def test_census_date_gives_the_term_before(
    tmp_path: Path, census: str, year: str, term: str
) -> None:
    mapped = map_feed(
        table([census_row(ReferenceDate=census)]),
        definition(tmp_path, CENSUS).feeds[0],
        definition(tmp_path, CENSUS),
        "f.csv",
    )
    assert mapped.problems.empty
    assert (mapped.frame.at[2, "academic_year"], mapped.frame.at[2, "term"]) == (year, term)


def test_aliases_derivations_and_codes(tmp_path: Path) -> None:
    source = definition(tmp_path, CENSUS)
    rows = table(
        [
            census_row(),
            census_row(UPN="B2", Gender="male", House=""),
            census_row(UPN="C3", Gender="Non-binary"),
        ]
    ).assign(**{"Pupil ID": ["", "P7", ""]})
    mapped = map_feed(rows, source.feeds[0], source, "f.csv")
    frame = mapped.frame
    assert list(frame["source_person_id"]) == ["UPN:A1", "UPN:P7", "UPN:C3"]
    assert list(frame["surname"]) == ["Ash"] * 3  # LEGAL_SURNAME read as "Legal Surname"
    assert list(frame["sessions_possible"]) == ["140"] * 3
    assert list(frame["address"]) == ["12 High Street", "High Street", "12 High Street"]
    assert list(frame["sex"]) == ["F", "M", ""]
    assert mapped.problems.to_dict("records") == [
        {
            "row_index": 4,
            "column_name": "sex",
            "reason": "no mapping for 'Non-binary' in sex (source extract)",
        }
    ]
    assert mapped.unmapped == {"sex": {"Non-binary": 1}}
    assert mapped.found["surname"] == "LEGAL_SURNAME"


def test_a_missing_column_names_every_name_tried(tmp_path: Path) -> None:
    source = definition(tmp_path, CENSUS)
    rows = table([census_row()]).drop(columns=["URN", "ReferenceDate"])
    with pytest.raises(FeedFileError) as raised:
        map_feed(rows, source.feeds[0], source, "f.csv")
    assert str(raised.value) == (
        "f.csv: missing column(s) for feed attendance of source extract: school_urn (URN or"
        " school_urn); academic_year (derived from ReferenceDate or academic_year); term"
        " (derived from ReferenceDate or term)"
    )


EXCLUSIONS = """
date_formats: ["%d-%b-%Y", uk, excel]
feeds:
  exclusions:
    columns:
      source_person_id: [Key]
      school_urn: [URN]
      start_date: [Start]
      dob: [DOB]
    derive:
      days_lost: {divide: Sessions, by: 2}
      category: {value: suspension}
"""


def test_divide_constant_and_date_formats(tmp_path: Path) -> None:
    source = definition(tmp_path, EXCLUSIONS)
    base = {"Key": "K", "UPN": "A1", "Forename": "A", "Surname": "B", "URN": "1"}
    rows = table(
        [
            {**base, "Start": "03-Feb-2025", "DOB": "45000", "Sessions": "3"},
            {**base, "Start": "04/02/2025", "DOB": "2015-01-01", "Sessions": "x"},
        ]
    )
    mapped = map_feed(rows, source.feeds[0], source, "f.csv")
    assert list(mapped.frame["start_date"]) == ["2025-02-03", "04/02/2025"]
    assert list(mapped.frame["days_lost"]) == ["1.5", ""]
    assert list(mapped.frame["category"]) == ["suspension"] * 2
    assert mapped.frame.at[2, "dob"] == "2023-03-15"  # Excel day 45000
    assert (
        mapped.problems.to_dict("records")
        == [
            {
                "row_index": 3,
                "column_name": "dob",
                "reason": "expected a date as DD-Mon-YYYY, DD/MM/YYYY, an Excel day number"
                " (source extract)",
            },
            {
                "row_index": 3,
                "column_name": "days_lost",
                "reason": "expected a number in Sessions (source extract)",
            },
        ][::-1]
    )


def test_dates_months_and_years_in_the_shapes_partners_send() -> None:
    text = pd.Series(
        ["2024-05-01", "01/05/2024 00:00:00", "2024-05-01T14:30:00", "45413", "", "1st May"]
        + ["31/02/2024"]
    )
    values, bad = iso_dates(text.astype("str"), ())
    assert list(values) == ["2024-05-01"] * 4 + ["", "", "31/02/2024"]
    # An impossible date in a shape the contract reads is left to the contract's reason.
    assert list(bad) == [False] * 5 + [True, False]
    months, bad = iso_months(
        pd.Series(["202507", "Jul 2025", "07/2025", "2025-07-31", "July"], dtype="str"),
        (),
        (),
    )
    assert list(months) == ["2025-07"] * 4 + [""] and list(bad) == [False] * 4 + [True]
    years = academic_years(pd.Series(["2024-25", "2024/2025", "2024-2025", "2024-26"]))
    assert list(years.fillna("-")) == ["2024/25", "2024/25", "2024/25", "-"]
