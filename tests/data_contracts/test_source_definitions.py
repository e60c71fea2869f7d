"""Source definitions: the shipped ones load, a wrong one is refused with one line.

Each wrong definition below is a mistake an analyst editing the YAML could make; each
must be refused before any file is read, naming the file and what is wrong.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from data_contracts.feeds import FEEDS
from data_contracts.source_catalogue import SHIPPED_SOURCES, load_catalogue, load_definition
from data_contracts.source_definitions import SourceDefinitionError

POLICE = """
name: {name}
folder: police_extract
feeds:
  police:
    columns:
      source_person_id: [Nominal ID]
      incident_id: [Occurrence]
      event_date: [Date]
      event_type: [Code]
    values:
      event_type: {{OFF: offence, ARR: arrest}}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text).format(name=name), encoding="utf-8")
    return path


def test_every_shipped_definition_loads_and_fills_known_feeds() -> None:
    catalogue = load_catalogue()
    assert set(catalogue.definitions) >= {
        "school_census_attendance",
        "school_census_exclusions",
        "school_attendance",
        "police_records",
        "dwp_universal_credit",
        "ssd_childrens_social_care",
        "early_help_cases",
    }
    filled = {feed for d in catalogue.definitions.values() for feed in d.feed_names()}
    assert filled >= {"attendance", "exclusions", "police", "dwp", "csc", "referrals"}
    assert filled >= {"eh_cases", "eh_members", "eh_needs", "eh_outcomes"}
    for definition in catalogue.definitions.values():
        assert definition.folder not in FEEDS
        assert definition.reference, f"{definition.name} cites no source for its field names"


def test_the_early_help_lookup_names_all_34_criteria() -> None:
    definition = load_definition(SHIPPED_SOURCES / "early_help_cases.yaml")
    needs = next(m for m in definition.feeds if m.feed == "eh_needs").values["criterion"]
    assert set(needs.entries.values()) == set(FEEDS["eh_needs"].columns[2].codes)
    assert len(needs.entries) == 34


def test_a_value_that_yaml_would_turn_into_a_boolean_stays_text(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "flags",
        POLICE.replace(
            "event_type: {{OFF: offence, ARR: arrest}}",
            "event_type: {{OFF: offence}}\n"
            "      severe_offence: {{Y: 'true', No: 'false', 1: 'true'}}",
        ),
    )
    definition = load_definition(path)
    severe = definition.feeds[0].values["severe_offence"]
    assert severe.entries == {"y": "true", "no": "false", "1": "true"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("police:", "policing:"), "unknown feed 'policing'"),
        (("event_type: [Code]", "event_type: [Code]\n      events: [Kind]"), "not a column of"),
        (
            ("event_type: [Code]", "event_type: [Code]\n      event_date: [When]"),
            "'event_date' is written twice (line 11)",
        ),
        (("incident_id: [Occurrence]", "incident_id: [Code]"), "'Code' mapped twice"),
        (("ARR: arrest", "ARR: burglary"), "maps onto 'burglary', which feed column event_type"),
        (("ARR: arrest", "ARR: arrest, a-r-r: arrest"), "are the same value once case"),
        (("folder: police_extract", "folder: police"), "SPEC feed folder"),
        (("folder: police_extract", "read: {{delimiter: colon}}"), "read.delimiter 'colon'"),
        (("feeds:", "date_formats: [dd/mm/yyyy]\nfeeds:"), "'dd/mm/yyyy' (expected iso"),
        (("feeds:", "colums: {{}}\nfeeds:"), "unknown key(s) colums"),
        (("    values:", "    derive:\n      upn: {{fist_of: [UPN]}}\n    values:"), "exactly one"),
        (("name: {name}", "name: other"), "must be the file's name"),
    ],
)
def test_a_wrong_definition_is_one_line_naming_the_mistake(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path, "police_extract", POLICE.replace(*change))
    with pytest.raises(SourceDefinitionError) as raised:
        load_definition(path)
    text = str(raised.value)
    assert message in text
    assert text.startswith(str(path)) and "\n" not in text


SSD_LIKE = """
name: {name}
folder: plans
tables:
  people: {{columns: [id, first, last, born]}}
  plans: {{columns: [person, kind, start]}}
feeds:
  csc:
    sql: {name}.sql
"""


def test_a_query_that_does_not_run_is_refused_at_load(tmp_path: Path) -> None:
    path = write(tmp_path, "plans_extract", SSD_LIKE)
    (tmp_path / "plans_extract.sql").write_text("select * from peeple", encoding="utf-8")
    with pytest.raises(SourceDefinitionError, match="source query for csc failed"):
        load_definition(path)
    (tmp_path / "plans_extract.sql").write_text(
        "select first as forename from people", encoding="utf-8"
    )
    with pytest.raises(SourceDefinitionError, match="must return _table, _line"):
        load_definition(path)


def test_a_lookup_file_with_a_code_the_contract_refuses_is_named(tmp_path: Path) -> None:
    text = """
    name: {name}
    folder: eh
    feeds:
      eh_needs:
        values:
          criterion: {{file: needs.csv}}
    """
    path = write(tmp_path, "eh_export", text)
    (tmp_path / "needs.csv").write_text("need,criterion\nSchool,EDU1\nHousing,HOU9\n")
    with pytest.raises(SourceDefinitionError, match="'Housing' maps onto 'HOU9'"):
        load_definition(path)
    (tmp_path / "needs.csv").unlink()
    with pytest.raises(SourceDefinitionError, match="lookup file needs.csv not found"):
        load_definition(path)


def test_the_fingerprint_follows_what_the_definition_does_not_its_wording(
    tmp_path: Path,
) -> None:
    first = load_definition(write(tmp_path, "police_extract", POLICE)).fingerprint
    reworded = POLICE.replace("folder:", "description: new words\n# a comment\nfolder:")
    assert load_definition(write(tmp_path, "police_extract", reworded)).fingerprint == first
    recoded = POLICE.replace("ARR: arrest", "ARR: arrest, ASB: asb")
    assert load_definition(write(tmp_path, "police_extract", recoded)).fingerprint != first


def test_a_council_definition_overrides_the_shipped_one_of_its_name(tmp_path: Path) -> None:
    shipped = load_catalogue().get("police_records")
    text = (SHIPPED_SOURCES / "police_records.yaml").read_text().replace("OFF: offence", "")
    (tmp_path / "police_records.yaml").write_text(text)
    mine = load_catalogue(tmp_path).get("police_records")
    assert mine.path == tmp_path / "police_records.yaml"
    assert mine.fingerprint != shipped.fingerprint
    with pytest.raises(SourceDefinitionError, match="no source definition named 'polce'"):
        load_catalogue().get("polce")
