"""The Spark floor: bench/floor_spark.sql run by PySpark into a fresh directory.

The session takes the settings of the dbt ``spark`` output of ``profiles.yml.example`` (its
``server_side_parameters``, rendered from the same environment variables:
``METERLINE_SPARK_CORES``, ``METERLINE_SPARK_DRIVER_MEMORY``,
``METERLINE_SPARK_SHUFFLE_PARTITIONS``, ...), with ANSI mode off as dbt-spark sets it, and
``METERLINE_SPARK_DIR`` replaced by the floor's own directory: its tables are Parquet files under
``<dir>/spark-warehouse/<table>/``. The catalog is Spark's in-memory one (no metastore).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import yaml
from jinja2 import Environment, StrictUndefined

from bench.floor import floor_counts

FLOOR_SPARK_SQL = Path(__file__).with_name("floor_spark.sql")
PROFILE_EXAMPLE = Path(__file__).resolve().parents[1] / "profiles.yml.example"
PLACEHOLDER = "__LANDING_DIR__"
APP_NAME = "meterline-bench-floor"
# A statement ends with ';' at the end of a line.
STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)


def spark_literal(value: str) -> str:
    """A Spark SQL string literal (backslash escapes)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def spark_settings(spark_dir: Path, environ: dict[str, str] | None = None) -> dict[str, str]:
    """The dbt profile's Spark settings, with ``METERLINE_SPARK_DIR`` set to ``spark_dir``."""
    env = {**(os.environ if environ is None else environ), "METERLINE_SPARK_DIR": str(spark_dir)}

    def env_var(name: str, default: str | None = None) -> str:
        if name in env:
            return env[name]
        if default is None:
            raise KeyError(f"environment variable {name} is not set")
        return default

    profile = yaml.safe_load(PROFILE_EXAMPLE.read_text())
    parameters = profile["meterline"]["outputs"]["spark"]["server_side_parameters"]
    jinja = Environment(undefined=StrictUndefined)
    settings = {
        str(key): jinja.from_string(str(value)).render(env_var=env_var)
        for key, value in parameters.items()
    }
    # dbt-spark forces ANSI mode off (dbt/adapters/spark/connections.py).
    return {**settings, "spark.sql.ansi.enabled": "false", "spark.app.name": APP_NAME}


def floor_statements(landing_dir: Path) -> list[str]:
    """The Spark floor's statements, in order, with the landing directory filled in."""
    script = FLOOR_SPARK_SQL.read_text().replace(
        PLACEHOLDER, spark_literal(landing_dir.resolve().as_posix())
    )
    statements = []
    for chunk in STATEMENT_END.split(script):
        code = [line for line in chunk.splitlines() if not line.strip().startswith("--")]
        if "".join(code).strip():
            statements.append(chunk.strip())
    return statements


def run_floor_spark(landing_dir: Path, spark_dir: Path) -> dict[str, int]:
    """Build the floor tables with PySpark under ``spark_dir``; return the floor's counts."""
    from pyspark.sql import SparkSession

    shutil.rmtree(spark_dir, ignore_errors=True)
    spark_dir.mkdir(parents=True)
    builder = SparkSession.builder
    for key, value in spark_settings(spark_dir.resolve()).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    try:
        for statement in floor_statements(landing_dir):
            spark.sql(statement)
        return floor_counts(lambda query: int(spark.sql(query).collect()[0][0]))
    finally:
        spark.stop()
