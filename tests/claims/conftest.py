"""Fixtures for the claim tests: plans with a setting changed, small hand-made councils."""

from __future__ import annotations

from pathlib import Path

import yaml

from indicators.plan import Plan, load_plan


def plan_with(folder: Path, section: str, **values: object) -> Plan:
    """A council plan file that extends the national plan and changes `values` in `section`."""
    path = folder / "council-plan.yaml"
    path.write_text(yaml.safe_dump({"extends": "national", section: values}), encoding="utf-8")
    return load_plan(path)
