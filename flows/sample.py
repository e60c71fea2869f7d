"""The sample flow: write a synthetic council's inbox and its truth."""

from pathlib import Path

from prefect import flow

from sample_data.generate import write_sample
from sample_data.noise import NoiseRates


@flow(name="sample")
def sample_flow(
    out: Path,
    households: int = 300,
    seed: int = 1,
    noise: dict[str, float] | None = None,
    hard: bool = False,
) -> dict[str, object]:
    return write_sample(out, households, seed, NoiseRates(**noise) if noise else None, hard=hard)
