"""Which definition a file follows, when a folder (or `sfp sources check`) has several.

A file matches a definition when it can be read as the definition says and every column
each of its feeds needs is there (by an alias, its own name, or a derivation's input),
and every table a query reads is there with the columns it declares. Of several matches
the one that reads the most of the file's columns wins; two or more reading as many are
refused naming them all (never chosen by name); a file matching none is refused
with one line naming the definitions tried and the closest match (the one reading most
of the file's columns, then lacking fewest) with what it lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from data_contracts.batch_load import file_sha256
from data_contracts.feed_reader import FeedFileError, display_name
from data_contracts.source_definitions import SourceDefinition
from data_contracts.source_mapping import missing_columns
from data_contracts.source_tables import read_source_tables
from data_contracts.source_values import normalise_name


@dataclass(frozen=True)
class Match:
    definition: SourceDefinition
    missing: tuple[str, ...]
    """What the file lacks for this definition (empty: it matches)."""
    found: int
    """Columns of the file the definition reads (ties between matches go to the larger)."""
    error: str = ""
    """Why the file could not be read as this definition says, if it could not."""
    unread: tuple[str, ...] = ()
    """The file's columns this definition reads in no way: what a council adds an alias
    for when a partner renamed a column (`sfp sources check` lists them)."""

    @property
    def matches(self) -> bool:
        return not self.missing and not self.error


def match(path: Path, definition: SourceDefinition) -> Match:
    """How well the file fits the definition (reads its column names only)."""
    try:
        tables = read_source_tables(path, definition, header_only=True)
    except FeedFileError as error:
        return Match(definition, (), 0, str(error).replace(f"{display_name(path)}: ", ""))
    missing: list[str] = []
    unread: list[str] = []
    found = 0
    for spec in definition.tables:
        columns = list(tables[spec.name].frame.columns)
        have = {normalise_name(c) for c in columns}
        lacking = [c for c in spec.columns if normalise_name(c) not in have]
        missing += [f"{spec.name}.{c}" for c in lacking]
        found += len(spec.columns) - len(lacking)
        declared = {normalise_name(c) for c in spec.columns}
        unread += [c for c in columns if normalise_name(c) not in declared]
    for mapping in definition.feeds:
        if mapping.sql:
            continue
        columns = list(tables[mapping.table or ""].frame.columns)
        lacking = missing_columns(columns, mapping)
        missing += lacking
        wanted = {normalise_name(a) for aliases in mapping.columns.values() for a in aliases}
        wanted |= {normalise_name(c.name) for c in mapping.contract.all_columns}
        wanted |= {normalise_name(i) for d in mapping.derive.values() for i in d.inputs}
        found += sum(normalise_name(c) in wanted for c in columns)
        unread += [c for c in columns if normalise_name(c) not in wanted and c not in unread]
    return Match(definition, tuple(missing), found, unread=tuple(unread))


def best_match(path: Path, candidates: list[SourceDefinition]) -> tuple[Match | None, str]:
    """(the matching definition, '') or (None, one line naming the tries and the closest)."""
    return best_of(path, [match(path, definition) for definition in candidates])


def best_of(path: Path, matches: list[Match]) -> tuple[Match | None, str]:
    """`best_match` over matches already made (each read the file's header once)."""
    good = [m for m in matches if m.matches]
    if good:
        most = max(m.found for m in good)
        best = sorted(m.definition.name for m in good if m.found == most)
        if len(best) > 1:
            # Never routed by name (issue 22): which partner sent it is the council's to say.
            return None, (
                f"{display_name(path)}: matches source definitions {' and '.join(best)} equally"
                f" (each reads {most} of its columns), so it is not loaded: give each"
                " definition its own folder, or make one name a column only its files have"
            )
        return next(m for m in good if m.found == most), ""
    closest = closest_match(matches)
    lacking = closest.error or "missing " + ", ".join(closest.missing)
    tried = ", ".join(m.definition.name for m in matches)
    return None, (
        f"{display_name(path)}: matches no source definition (tried: {tried}); closest:"
        f" {closest.definition.name} ({lacking})"
    )


def closest_match(matches: list[Match]) -> Match:
    """Of definitions a file does not match, the one reading most of its columns, then
    lacking fewest (the name breaks a tie, so the same files give the same line)."""
    return max(
        matches,
        key=lambda m: (not m.error, m.found, -len(m.missing), [-ord(c) for c in m.definition.name]),
    )


def choose_definition(
    con: duckdb.DuckDBPyConnection, path: Path, candidates: list[SourceDefinition]
) -> tuple[SourceDefinition | None, str]:
    """The definition a file in a source folder follows, or a one-line refusal.

    A folder's only definition is chosen without reading (a mismatch is then refused when
    the file is read, naming what it lacks). A file already loaded keeps the definition it
    was loaded under, so a nightly does not read every old file again.
    """
    if len(candidates) == 1:
        return candidates[0], ""
    names = {d.name: d for d in candidates}
    earlier = con.execute(
        "select s.source from load_batch b join load_source s using (batch_id)"
        " where b.file_sha256 = ? order by b.load_seq desc limit 1",
        [file_sha256(path)],
    ).fetchall()
    if earlier and earlier[0][0] in names:
        return names[earlier[0][0]], ""
    found, refusal = best_match(path, candidates)
    return (found.definition if found else None), refusal
