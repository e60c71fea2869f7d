"""The sample flow: write a synthetic council's inbox and its truth."""

from pathlib import Path

from prefect import flow

from sample_data.generate import write_sample
from sample_data.noise import NoiseRates
from sample_data.partner_shapes import write_partner_shapes


@flow(name="sample")
def sample_flow(
    out: Path,
    households: int = 300,
    seed: int = 1,
    noise: dict[str, float] | None = None,
    hard: bool = False,
    shape: str = "spec",
) -> dict[str, object]:
    """`shape` "partner": the feeds with a shipped source definition are written as their
    partners send them (docs/sources.md); the council and its truth are the same."""
    rates = NoiseRates(**noise) if noise else None
    summary = write_sample(out, households, seed, rates, hard=hard)
    if shape == "partner":
        write_partner_shapes(out)
    return summary
