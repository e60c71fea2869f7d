"""Which source definitions are in force: the shipped ones and a council's own.

The shipped definitions live in `data_contracts/sources/`; a council keeps its own (new
partners, or a shipped definition edited for its partner) in a folder of its choosing,
named by `--sources DIR` or `$SFP_SOURCES`. A council's definition of the same name
replaces the shipped one. Every definition is read and checked when the catalogue is
loaded, so a mistake is found before any file is read (docs/sources.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from data_contracts.source_definition_file import read_definition
from data_contracts.source_definitions import SourceDefinition, SourceDefinitionError

SHIPPED_SOURCES = Path(__file__).parent / "sources"
SOURCES_ENV = "SFP_SOURCES"
"""A council's own definitions folder, used beside the shipped ones (`--sources DIR`)."""


@dataclass(frozen=True)
class SourceCatalogue:
    """Every definition in force: the shipped ones and a council's own (same name wins)."""

    definitions: Mapping[str, SourceDefinition]

    def in_folder(self, folder: str) -> list[SourceDefinition]:
        return [d for d in self.definitions.values() if d.folder.lower() == folder.lower()]

    @property
    def folders(self) -> list[str]:
        return sorted({d.folder for d in self.definitions.values()})

    def get(self, name: str) -> SourceDefinition:
        if name not in self.definitions:
            raise SourceDefinitionError(
                f"no source definition named '{name}' (have: {', '.join(self.definitions)})"
            )
        return self.definitions[name]


def council_sources_folder(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        return explicit
    from_env = os.environ.get(SOURCES_ENV)
    return Path(from_env) if from_env else None


def load_catalogue(own: Path | None = None) -> SourceCatalogue:
    """The shipped definitions plus those in `own` (or $SFP_SOURCES); checks every one."""
    folders = [SHIPPED_SOURCES]
    own = council_sources_folder(own)
    if own is not None:
        if not own.is_dir():
            raise SourceDefinitionError(f"{own}: source definitions folder not found")
        folders.append(own)
    definitions: dict[str, SourceDefinition] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
            definition = load_definition(path)
            definitions[definition.name] = definition
    return SourceCatalogue(dict(sorted(definitions.items())))


def load_definition(path: Path) -> SourceDefinition:
    """Read and check one definition file; raises SourceDefinitionError naming the file."""
    return read_definition(path)
