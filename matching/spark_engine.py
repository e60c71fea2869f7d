"""Score identity pairs on Splink's Spark backend (`--engine spark`), the same as DuckDB.

The model is trained on DuckDB and saved as JSON; Spark only scores with it. Its settings
are rendered for Spark's dialect from the code and carry the saved m and u values
(matching/pair_scoring.py), and term frequencies come from the lookup tables the caller
passes, so Spark and DuckDB give the same pairs and probabilities (tests/matching/
test_spark_engine.py). pyspark is an optional extra: `pip install -e '.[spark]'`.

One local SparkSession serves the process: started on first use (about 10 s), kept for
later calls, its logs sent to stderr at ERROR only, its checkpoints and spill files in a
temporary folder removed at exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import warnings
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from matching.pair_scoring import render_settings, score_pairs

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install -e '.[spark]'"
DRIVER_MEMORY = "2g"
SHUFFLE_PARTITIONS = 8
# Spark's own log4j2 settings: errors only, on stderr, so stdout carries nothing of Spark.
LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = stderr
appender.console.type = Console
appender.console.name = stderr
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
# pyspark starts Spark as a shell; a shell logger at the root level stops it announcing so.
logger.repl.name = org.apache.spark.api.python.PythonGatewayServer
logger.repl.level = error
"""
STRING_COLUMNS = (
    "record_id",
    "source",
    "source_person_id",
    "forename",
    "forename_canonical",
    "surname",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "postcode_area",
    "address_house",
    "address_flat",
    "address_street",
    "address_locality",
    "address_locality_run",
    "upn",
    "nino",
    "nhs_number",
)

LIST_COLUMNS = ("surname_parts", "address_locality_words")


class SparkUnavailable(RuntimeError):
    """pyspark (the `spark` extra) or the Java it needs is missing; the message says how."""


@cache
def spark_session() -> Any:
    """The process's local SparkSession with Splink's similarity functions."""
    # pyspark 4.3 warns, on first use of some modules, that pandas 3 is untested; the
    # engine's tests check what it is used for here.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location
    except ImportError as error:
        raise SparkUnavailable(
            f"the Spark engine needs pyspark, which is not installed: {INSTALL_HINT}"
        ) from error
    work = Path(tempfile.mkdtemp(prefix="sfp-spark-"))
    atexit.register(shutil.rmtree, work, True)
    (work / "log4j2.properties").write_text(LOG4J2, encoding="utf-8")
    java_options = f"-Dlog4j2.configurationFile=file:{work / 'log4j2.properties'}"
    # Without this Spark warns on stderr that the host name resolves to loopback.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master("local[*]")
        .appName("sfp-person-scoring")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", DRIVER_MEMORY)
        .config("spark.driver.extraJavaOptions", java_options)
        .config("spark.sql.shuffle.partitions", str(SHUFFLE_PARTITIONS))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(work / "warehouse"))
        .config("spark.local.dir", str(work / "local"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            session = builder.getOrCreate()
    except Exception as error:  # pyspark raises its own runtime errors when Java is missing
        raise SparkUnavailable(
            f"Spark could not start ({type(error).__name__}); it needs Java 17 or newer"
            " on the PATH or in JAVA_HOME"
        ) from error
    session.sparkContext.setLogLevel("ERROR")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session.sparkContext.setCheckpointDir(str(work / "checkpoints"))
    atexit.register(session.stop)
    log.info("Spark %s started in local mode", session.version)
    return session


def _to_spark(session: Any, frame: pd.DataFrame) -> Any:
    """An identity frame as a Spark DataFrame: text columns as strings, dob as a date."""
    import pyarrow as pa

    columns = {
        name: frame[name].astype(object).where(frame[name].notna(), None).tolist()
        for name in STRING_COLUMNS
    }
    dob = pd.to_datetime(frame["dob"]).dt.date
    lists = {
        name: [
            None if values is None or not len(values) else [str(v) for v in values]
            for values in frame[name].astype(object).where(frame[name].notna(), None)
        ]
        for name in LIST_COLUMNS
    }
    table = pa.table(
        {
            **{name: pa.array(values, type=pa.string()) for name, values in columns.items()},
            **{name: pa.array(values, pa.list_(pa.string())) for name, values in lists.items()},
            "dob": pa.array(dob.where(dob.notna(), None).tolist(), type=pa.date32()),
            "dob_placeholder": pa.array(frame["dob_placeholder"].astype(bool).tolist(), pa.bool_()),
        }
    )
    return session.createDataFrame(table)


def _tf_to_spark(session: Any, column: str, table: pd.DataFrame) -> Any:
    import pyarrow as pa

    values = table[column].astype(object).where(table[column].notna(), None).tolist()
    arrow = pa.table(
        {
            column: pa.array(values, type=pa.string()),
            f"tf_{column}": pa.array(table[f"tf_{column}"].astype(float).tolist(), pa.float64()),
        }
    )
    return session.createDataFrame(arrow)


def predict_pairs_spark(
    left: pd.DataFrame,
    right: pd.DataFrame | None,
    model_json: Path,
    tf_tables: dict[str, pd.DataFrame],
    floor: float,
) -> pd.DataFrame:
    """Score identities with the saved DuckDB model on Spark.

    `left`/`right` have matching/normalise.py's IDENTITY_COLUMNS; `right` None scores pairs
    within `left` (Splink's predict_within), otherwise pairs across the two
    (predict_between). `tf_tables` maps "forename"/"surname" to `<col>, tf_<col>` lookups.
    Returns record_id_l < record_id_r, match_probability, match_weight and the gamma_*
    columns of every pair at or above `floor`, sorted by the two ids.
    """
    session = spark_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from splink.backends.spark import SparkAPI

        db = SparkAPI(spark_session=session)
        settings = render_settings(model_json, "spark")
        tf_spark = {col: _tf_to_spark(session, col, table) for col, table in tf_tables.items()}
        try:
            return score_pairs(
                db,
                settings,
                _to_spark(session, left),
                None if right is None else _to_spark(session, right),
                tf_spark,
                floor,
            )
        finally:
            # Nothing of one call stays in the session: cached tables, views over them.
            session.catalog.clearCache()
            for table in session.catalog.listTables():
                if table.isTemporary:
                    session.catalog.dropTempView(table.name)
