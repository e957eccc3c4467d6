"""Engines: every respondent-level function gives the same numbers from pandas, DuckDB and Spark.

The same rows (strata, clusters nested in strata, a ``by`` column, missing answers, zero weights) go in as a pandas
DataFrame (numpy aggregation), a Parquet file read by DuckDB, a DataFrame registered in DuckDB, and a Spark table in
local mode (``local[2]``); the results agree to 1e-9 relative and their counts exactly. The Spark tests share one
session (module scope) and one xdist group, so they start Spark once; they are skipped only when there is no Java
runtime (``make test`` installs Debian's default-jre-headless). The SQL that Ibis compiles for BigQuery, Snowflake and
Trino is compared with the snapshots in tests/reference/sql/ (``python tests/test_engines.py --write-sql`` rewrites
them after a deliberate change).
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats
from cxstats._engine import cross_product_query, design_query, totals_query

SQL = Path(__file__).parent / "reference" / "sql"
RTOL, ATOL = 1e-9, 1e-12  # relative agreement; the absolute part only for values that are 0 up to rounding
COUNTS = {"n", "n_missing", "n1", "n2", "nrow", "base", "n_rows", "n_psu", "n_psu_positive", "rank"}
DIALECTS = ("bigquery", "snowflake", "trino")
ON_SPARK = pytest.mark.xdist_group("spark")  # one worker runs every Spark test: Spark starts once
# PySpark 4.0 passes copy= to pandas 3 when it converts results (its to change, not a cxstats behaviour)
PYSPARK_WARNING = pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:Warning")
SPEC = {"weight": "w", "strata": "region", "cluster": "store"}


def responses(n=800, seed=5) -> pd.DataFrame:
    """Respondents in 3 regions (strata) with 4 stores each (PSUs, named within their region: "E1" ... "S4"), 3
    months and 3 channels, with missing answers (NaN) and zero weights."""
    rng = np.random.default_rng(seed)
    region = rng.choice(["East", "North", "South"], n)
    df = pd.DataFrame({
        "region": region, "store": [f"{r[0]}{s}" for r, s in zip(region, rng.integers(1, 5, n), strict=True)],
        "month": rng.choice(["2024-01", "2024-02", "2024-03"], n), "channel": rng.choice(["app", "chat", "phone"], n),
        "w": rng.uniform(0.4, 3.0, n).round(3), "ltr": rng.integers(0, 11, n).astype(float),
        "csat": rng.integers(1, 6, n).astype(float), "resolved": rng.integers(0, 2, n).astype(float),
        "staff": rng.normal(size=n), "speed": rng.normal(size=n)})
    df["overall"] = df.staff + 0.5 * df.speed + rng.normal(size=n)
    for column, share in (("ltr", 0.06), ("csat", 0.05), ("resolved", 0.04), ("speed", 0.03)):
        df.loc[rng.random(n) < share, column] = np.nan
    df.loc[rng.random(n) < 0.04, "w"] = 0.0
    return df


CALLS = {
    "survey_design": lambda d: d.summary().assign(degf=d.degf, n_rows=d.n_rows, n_zero_weight=d.n_zero_weight),
    "weighted_proportion": lambda d: cxstats.weighted_proportion(d, "resolved", by="month"),
    "weighted_mean": lambda d: cxstats.weighted_mean(d, "csat", by=["month", "channel"]),
    "weighted_total": lambda d: cxstats.weighted_total(d, "csat", by="channel"),
    "nps": lambda d: cxstats.nps(d, "ltr", by="month"),
    "compare_nps": lambda d: cxstats.compare_nps(d, "ltr", by="channel"),
    "top_box": lambda d: cxstats.top_box(d, "csat", scale=range(1, 6), by="month"),
    "bottom_box": lambda d: cxstats.bottom_box(d, "csat", k=1, scale=range(1, 6)),
    "crosstab": lambda d: cxstats.crosstab(d, "channel", "month"),
    "key_drivers": lambda d: cxstats.key_drivers(d, "overall", ["staff", "speed"], n_boot=60, seed=3),
    "key_drivers_pairwise": lambda d: cxstats.key_drivers(d, "overall", ["staff", "speed", "csat"], n_boot=0,
                                                          missing="pairwise"),
    "wave_changes": lambda d: cxstats.wave_changes(d, "ltr", wave="month", by="channel"),
}


def _results(design) -> dict:
    return {name: call(design) for name, call in CALLS.items()}


def _same_frame(got: pd.DataFrame, expected: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(expected.columns), what
    assert len(got) == len(expected), what
    for column in expected.columns:
        a, b = got[column].to_numpy(), expected[column].to_numpy()
        label = f"{what}: column {column!r}"
        if column in COUNTS or b.dtype.kind in "iub":
            assert np.array_equal(a.astype(np.int64), b.astype(np.int64)), label
        elif b.dtype.kind == "f":
            assert_allclose(a.astype(float), b, rtol=RTOL, atol=ATOL, err_msg=label)
        else:  # labels: the same values, missing where missing
            assert [None if pd.isna(x) else str(x) for x in a] == [None if pd.isna(x) else str(x) for x in b], label


def _same(got, expected, what) -> None:
    """Results of one call agree: frames column by column, result objects field by field."""
    if isinstance(expected, pd.DataFrame):
        return _same_frame(got, expected, what)
    for field in dataclasses.fields(expected):
        a, b = getattr(got, field.name), getattr(expected, field.name)
        if isinstance(b, pd.DataFrame):
            _same_frame(a, b, f"{what}.{field.name}")
        elif isinstance(b, np.ndarray | float | tuple):
            assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=RTOL, atol=ATOL,
                            err_msg=f"{what}.{field.name}")
        else:
            assert a == b, f"{what}.{field.name}"


@pytest.fixture(scope="module")
def frame():
    return responses()


@pytest.fixture(scope="module")
def expected(frame):
    """Every call on the pandas DataFrame: the reference for the engines."""
    return _results(cxstats.survey_design(frame, **SPEC))


def _parquet(frame, folder) -> Path:
    path = folder / "responses.parquet"
    frame.to_parquet(path, index=False)
    return path


def _registered(frame):
    """The DataFrame registered in an in-memory DuckDB database (no copy), as an Ibis table."""
    import duckdb

    raw = duckdb.connect()
    raw.register("responses", frame)
    return ibis.duckdb.from_connection(raw).table("responses")


@pytest.mark.parametrize("source", ["parquet", "registered"])
def test_duckdb_gives_the_pandas_numbers(frame, expected, source, tmp_path):
    data = _parquet(frame, tmp_path) if source == "parquet" else _registered(frame)
    design = cxstats.survey_design(data, **SPEC)
    assert not design.in_memory
    for name, result in _results(design).items():
        _same(result, expected[name], f"duckdb {source}: {name}")


def test_engine_key_drivers_come_from_cross_products_not_rows(frame, tmp_path, monkeypatch):
    """Where the data lives, key_drivers reads sums from the engine: the respondents' rows never come back."""
    design = cxstats.survey_design(_parquet(frame, tmp_path), **SPEC)
    from cxstats import drivers

    monkeypatch.setattr(drivers, "_in_memory", lambda *a: pytest.fail("rows were read into memory"))
    CALLS["key_drivers"](design)
    CALLS["key_drivers_pairwise"](design)
    unclustered = cxstats.survey_design(_parquet(frame, tmp_path), weight="w")
    cxstats.key_drivers(unclustered, "overall", ["staff", "speed"], n_boot=0)


def test_nan_and_infinity_in_parquet_despite_its_column_statistics(tmp_path):
    """Parquet statistics leave NaN out, and DuckDB folds isnan() and comparisons with them (a NaN among positive
    numbers looks "not NaN" and "above 0"): NaN must still be a missing answer and an infinity an error."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    y = np.array([500.0, 600.0, np.nan, 700.0, 650.0])
    pq.write_table(pa.table({"y": pa.array(y, from_pandas=False)}), tmp_path / "nan.parquet")
    got = cxstats.weighted_mean(tmp_path / "nan.parquet", "y")
    _same_frame(got, cxstats.weighted_mean(pd.DataFrame({"y": y}), "y"), "NaN in Parquet")
    assert got["n_missing"].item() == 1
    pq.write_table(pa.table({"y": pa.array(np.r_[y, np.inf], from_pandas=False)}), tmp_path / "inf.parquet")
    with pytest.raises(ValueError, match=r"column 'y' has 1 infinite value\(s\) in .*inf.parquet, e.g. rows \[5\]"):
        cxstats.weighted_mean(tmp_path / "inf.parquet", "y")


def test_path_folder_of_parquet_partitions_is_one_table(frame, tmp_path):
    """A folder partitioned by month (month=2024-01/...) reads as one table with ``month`` as a column."""
    for month, rows in frame.groupby("month"):
        (tmp_path / f"month={month}").mkdir()
        rows.drop(columns="month").to_parquet(tmp_path / f"month={month}" / "part-0.parquet", index=False)
    got = cxstats.nps(cxstats.survey_design(tmp_path, **SPEC), "ltr", by="month")
    _same_frame(got, cxstats.nps(cxstats.survey_design(frame, **SPEC), "ltr", by="month"), "folder")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="holds no .parquet file"):
        cxstats.survey_design(empty)


# ------------------------------------------------------------------ Spark (local mode, one session)

@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """An Ibis connection to Spark in local mode, its warehouse and temporary folders outside the checkout.

    Tuned for many tiny queries: one shuffle partition, no whole-stage code generation or adaptive planning, and
    the JVM's quick compiler only (its start-up, not its peak speed, is what a test waits for).
    """
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime: install Debian's default-jre-headless (make test does so as root)")
    from pyspark.sql import SparkSession

    folder = tmp_path_factory.mktemp("spark")
    java = f"-Djava.io.tmpdir={folder} -Dderby.system.home={folder} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    session = (SparkSession.builder.master("local[2]").appName("cxstats-tests")
               .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
               .config("spark.local.dir", str(folder / "local"))
               .config("spark.driver.extraJavaOptions", java)
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1").config("spark.default.parallelism", "1")
               .config("spark.sql.codegen.wholeStage", "false").config("spark.sql.adaptive.enabled", "false")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield ibis.pyspark.connect(session), folder
    session.stop()


@ON_SPARK
@PYSPARK_WARNING
def test_spark_gives_the_pandas_numbers(spark, frame, expected):
    """The same rows as a Spark table (read from Parquet: Spark's own reader, no pandas conversion)."""
    con, folder = spark
    design = cxstats.survey_design(con.read_parquet(str(_parquet(frame, folder))), **SPEC)
    assert design.data.get_backend().name == "pyspark"
    for name, result in _results(design).items():
        _same(result, expected[name], f"spark: {name}")


@ON_SPARK
@PYSPARK_WARNING
def test_spark_counts_nan_as_missing_and_refuses_infinities(spark):
    """A NaN answer stored as NaN is missing; an infinite one is an error naming the row by its values (Spark keeps
    no row order), though Ibis 12 compiles isinf() to false on Spark."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    con, folder = spark
    y = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0])
    pq.write_table(pa.table({"id": np.arange(6), "y": pa.array(y, from_pandas=False), "g": list("aaabbb")}),
                   folder / "nan.parquet")
    got = cxstats.weighted_mean(con.read_parquet(str(folder / "nan.parquet")), "y", by="g")
    _same_frame(got, cxstats.weighted_mean(pd.DataFrame({"y": y, "g": list("aaabbb")}), "y", by="g"), "spark NaN")
    pq.write_table(pa.table({"id": np.arange(6), "y": np.where(np.isnan(y), np.inf, y)}), folder / "inf.parquet")
    with pytest.raises(ValueError, match=r"column 'y' has 1 infinite value\(s\) in the table, e.g. the rows "
                                         r"\(id=2, y=inf\) \(this engine keeps no row order"):
        cxstats.weighted_mean(con.read_parquet(str(folder / "inf.parquet")), "y")


# ------------------------------------------------------------------ SQL for warehouses, without a connection

FEEDBACK = ibis.table({"response_id": "int64", "month": "string", "channel": "string", "region": "string",
                       "store": "string", "nps": "int8", "csat": "int8", "resolved": "boolean",
                       "weight": "float64"}, name="feedback")
QUERIES = {
    "design_checks": lambda: design_query(FEEDBACK, weight="weight", strata="region", cluster=("store",)),
    "nps_by_month_channel": lambda: totals_query(FEEDBACK, weight="weight",
                                                 keys=["region", "store", "month", "channel", "nps"]),
    "csat_mean_by_month": lambda: totals_query(FEEDBACK, weight="weight", keys=["month"], value="csat", shift=1.0),
    "driver_cross_products": lambda: cross_product_query(FEEDBACK, ["resolved", "csat", "nps"], weight="weight",
                                                         center=[0.75, 3.8, 7.5], keys=["region", "store"]),
}


def _versions() -> str:
    from importlib.metadata import version

    return f"-- compiled by ibis-framework {version('ibis-framework')} with sqlglot {version('sqlglot')}"


def compiled(name, dialect) -> str:
    """The snapshot's text: the versions that compiled it, then the SQL."""
    return _versions() + "\n" + ibis.to_sql(QUERIES[name](), dialect=dialect).strip() + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_sql_for_warehouses_matches_its_snapshot(name, dialect):
    """What runs on BigQuery, Snowflake and Trino, compiled without a connection, is the committed snapshot."""
    path = SQL / f"{name}.{dialect}.sql"
    made_with, _, expected = path.read_text(encoding="utf-8").partition("\n")
    now = compiled(name, dialect).partition("\n")[2]
    assert now == expected, (
        f"{path.name} differs from what Ibis compiles now ({_versions()[3:]}; the snapshot: {made_with[3:]}); if "
        "the change is meant, run `python tests/test_engines.py --write-sql` and review the diff")


def test_snapshots_are_the_queries_that_run(frame, tmp_path):
    """The snapshot's query, run by DuckDB on the rows, gives the sums cxstats aggregates in memory."""
    path = _parquet(frame, tmp_path)
    table = ibis.duckdb.connect().read_parquet(path)
    got = totals_query(table, weight="w", keys=["month"], value="csat", shift=1.0).order_by("month").to_pandas()
    answered = frame.csat.notna()
    by_month = frame.assign(wy=frame.w * (frame.csat - 1.0)).where(answered).groupby(frame.month)
    assert_allclose(got["_cx_swy"], by_month.wy.sum().to_numpy(), rtol=1e-12)
    assert got["_cx_n_y"].tolist() == answered.groupby(frame.month).sum().tolist()


if __name__ == "__main__" and "--write-sql" in sys.argv:
    SQL.mkdir(parents=True, exist_ok=True)
    for query in QUERIES:
        for dialect in DIALECTS:
            (SQL / f"{query}.{dialect}.sql").write_text(compiled(query, dialect), encoding="utf-8")
    print(f"wrote {len(QUERIES) * len(DIALECTS)} snapshots to {SQL}")
