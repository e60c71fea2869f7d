"""Person and family linkage. `matching.link_persons(records)` is the documented entry point.

Imported lazily: `import matching` (the CLI does, for the review file check) does not pay
for Splink until linkage runs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["link_persons"]


def __getattr__(name: str) -> Any:
    if name == "link_persons":
        from matching.link import link_persons

        return link_persons
    raise AttributeError(name)
