"""Time Spark against DuckDB scoring the same identities with the same saved model.

    .venv/bin/python bench/bench_spark.py [--households 300] [--seed 11]

Needs the `spark` extra. Generates and ingests the sample council, normalises its person
rows, trains a model on DuckDB (term frequencies on) and saves it, then scores every
blocked pair within the identities with each engine (matching/pair_scoring.py,
matching/spark_engine.py), printing times, pair counts and the largest probability
difference. The first Spark call includes starting the local session; a second is timed
apart.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from data_contracts.ingest import ingest_inbox  # noqa: E402
from data_contracts.warehouse import connect  # noqa: E402
from matching.link import person_rows_sql, train_on_warehouse  # noqa: E402
from matching.pair_scoring import KEY, predict_pairs_duckdb  # noqa: E402
from matching.spark_engine import predict_pairs_spark  # noqa: E402
from matching.training import TrainingOptions  # noqa: E402
from sample_data.generate import write_sample  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_spark_"))
    write_sample(folder, args.households, args.seed)
    options = TrainingOptions(min_training_records=0, u_sample_pairs=200_000)
    with connect(folder / "warehouse.duckdb") as con:
        ingest_inbox(con, folder / "inbox")
        rows = int(con.sql(f"select count(*) from ({person_rows_sql()})").fetchall()[0][0])
        trained = train_on_warehouse(con, options, folder / "person-model.json")
    identities, model_json = trained.identities, trained.model_json
    tf = trained.tf_tables
    print(f"households {args.households}: {rows} person rows, {len(identities)} identities")

    started = time.perf_counter()
    duck = predict_pairs_duckdb(identities, None, model_json, tf, 0.0)
    print(f"duckdb predict_within: {len(duck)} pairs in {time.perf_counter() - started:.1f} s")
    for label in ("spark predict_within (session start included)", "spark predict_within again"):
        started = time.perf_counter()
        spark = predict_pairs_spark(identities, None, model_json, tf, 0.0)
        print(f"{label}: {len(spark)} pairs in {time.perf_counter() - started:.1f} s")
    same = spark[KEY].equals(duck[KEY])
    difference = (spark["match_probability"] - duck["match_probability"]).abs().max()
    print(f"same pairs: {same}; largest probability difference: {difference:.2e}")


if __name__ == "__main__":
    main()
