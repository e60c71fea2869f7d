"""The review-import flow: a reviewer's decisions into the warehouse for the next run."""

from pathlib import Path

from prefect import flow

from data_contracts.warehouse import connect
from matching.review import import_decisions


@flow(name="review import")
def review_import_flow(file: Path, warehouse: Path) -> int:
    with connect(warehouse) as con:
        return import_decisions(con, file)
