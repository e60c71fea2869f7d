"""What `make demo` and `make test` install: declared, locked, and what the tests ran with.

An auditor re-running a period next year installs from requirements.lock; these checks
keep the lock, pyproject's declarations and the code's own imports from drifting apart.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("data_contracts", "matching", "indicators", "claims", "sample_data", "flows")
OPTIONAL = {"pyspark": "spark"}
"""Imported only inside the optional engine (matching/spark_engine.py): an extra, not a
dependency of the demo."""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonical(name)] = version
    return pins


def declared() -> dict[str, list[str]]:
    """Each group ('' for the package itself, else the extra's name) and its requirements."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {"": project["dependencies"], **project["optional-dependencies"]}


def third_party_imports(folders: tuple[str, ...]) -> set[str]:
    """Top-level modules the code imports that are neither ours nor Python's own."""
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found.add(node.module.split(".")[0])
    # Scripts import their neighbours (bench/child_runs.py) as top-level modules.
    neighbours = {path.stem for folder in folders for path in (ROOT / folder).glob("*.py")}
    ours = {*PACKAGES, "tests", "__future__", *neighbours}
    return {name for name in found - ours if name not in sys.stdlib_module_names}


def test_every_declared_pin_is_the_locked_version() -> None:
    pins = lock()
    for group, requirements in declared().items():
        for requirement in requirements:
            name, _, version = requirement.partition("==")
            assert version, f"{requirement!r} ({group or 'dependencies'}) is not pinned"
            assert pins.get(canonical(name)) == version, f"{requirement} differs from the lock"


def test_the_code_declares_every_library_it_imports() -> None:
    """A library the code imports must be named in pyproject, not arrive through another."""
    providers = metadata.packages_distributions()
    groups = {
        group: {canonical(r.partition("==")[0]) for r in reqs} for group, reqs in declared().items()
    }
    missing = []
    for module in sorted(third_party_imports(PACKAGES)):
        wanted = groups[OPTIONAL.get(module, "")]
        if not {canonical(d) for d in providers.get(module, [module])} & wanted:
            missing.append(module)
    assert not missing, f"imported but not declared in pyproject's dependencies: {missing}"


def test_the_tests_declare_their_own_libraries() -> None:
    providers = metadata.packages_distributions()
    everything = {canonical(r.partition("==")[0]) for reqs in declared().values() for r in reqs}
    undeclared = [
        module
        for module in sorted(third_party_imports(("tests", "bench")))
        if not {canonical(d) for d in providers.get(module, [module])} & everything
    ]
    assert not undeclared, f"tests or benches import undeclared libraries: {undeclared}"


def test_the_tests_run_on_the_locked_versions() -> None:
    """`make test` installs with the lock as constraints; a drifted .venv says which library."""
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    drifted = {
        name: (version, installed[name])
        for name, version in lock().items()
        if name in installed and installed[name] != version
    }
    assert not drifted, f"installed versions differ from requirements.lock: {drifted}"
    missing = sorted(set(lock()) - set(installed))
    assert not missing, f"locked but not installed (make test installs dev and spark): {missing}"
