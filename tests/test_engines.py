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
SPEC = {"weight": "w", "strata": "region", "cluster": "store", "lonely_psu": "certainty"}
NAN_STORED = ("ltr", "speed")  # written to Parquet as NaN (pandas would write NULL): engines must count both missing


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
    df["resolved"] = df.resolved.astype("Int64")  # an integer column with missing values (NULL in Parquet)
    df.loc[rng.random(n) < 0.03, "channel"] = None  # missing by values: a domain of their own
    # a categorical in a declared order (not alphabetical), one category ("none") that nobody has, missing values
    df["segment"] = pd.Categorical(rng.choice(["retail", "business", "premium", None], n, p=[.5, .3, .15, .05]),
                                   categories=["retail", "business", "premium", "none"])
    west = rng.random(n) < 0.05  # a fourth region with a single store: a stratum with one PSU
    df.loc[west, "region"], df.loc[west, "store"] = "West", "W1"
    return df


def plain_text(frame) -> pd.DataFrame:
    """The rows as an engine without the file's pandas metadata sees them: the categorical as text."""
    return frame.assign(segment=frame.segment.astype(object))


CALLS = {
    "survey_design": lambda d: d.summary().assign(degf=d.degf, n_rows=d.n_rows, n_zero_weight=d.n_zero_weight),
    "weighted_proportion": lambda d: cxstats.weighted_proportion(d, "resolved", by="month"),
    "weighted_mean": lambda d: cxstats.weighted_mean(d, "csat", by=["month", "channel"]),
    "weighted_total": lambda d: cxstats.weighted_total(d, "csat", by="channel"),
    "nps": lambda d: cxstats.nps(d, "ltr", by="month"),
    "compare_nps": lambda d: cxstats.compare_nps(d, "ltr", by="channel"),
    "nps_by_segment": lambda d: cxstats.nps(d, "ltr", by="segment"),
    "compare_nps_segment": lambda d: cxstats.compare_nps(d, "ltr", by="segment"),
    "crosstab_segment": lambda d: cxstats.crosstab(d, "segment", "month"),
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
    """Every call on the pandas DataFrame: the reference for a Parquet path (which keeps the categories)."""
    return _results(cxstats.survey_design(frame, **SPEC))


@pytest.fixture(scope="module")
def expected_text(frame):
    """The reference for other Ibis tables: their text columns are ordered by value, unused categories unknown."""
    return _results(cxstats.survey_design(plain_text(frame), **SPEC))


def _parquet(frame, folder) -> Path:
    """The rows as a Parquet file (pandas metadata kept), the NAN_STORED columns holding NaN rather than NULL."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / "responses.parquet"
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for column in NAN_STORED:
        table = table.set_column(table.schema.get_field_index(column), column,
                                 pa.array(frame[column].to_numpy(), from_pandas=False))
    assert table.column("ltr").null_count == 0 and np.isnan(table.column("ltr").to_numpy()).any()
    pq.write_table(table, path)
    return path


def _registered(frame):
    """The DataFrame registered in an in-memory DuckDB database (no copy), as an Ibis table."""
    import duckdb

    raw = duckdb.connect()
    raw.register("responses", frame)
    return ibis.duckdb.from_connection(raw).table("responses")


@pytest.mark.parametrize("source", ["parquet", "registered"])
def test_duckdb_gives_the_pandas_numbers(frame, expected, expected_text, source, tmp_path):
    data = _parquet(frame, tmp_path) if source == "parquet" else _registered(plain_text(frame))
    design = cxstats.survey_design(data, **SPEC)
    assert not design.in_memory
    reference = expected if source == "parquet" else expected_text
    for name, result in _results(design).items():
        _same(result, reference[name], f"duckdb {source}: {name}")


def test_parquet_path_keeps_a_categoricals_order_and_unused_categories(frame, expected, tmp_path):
    """Categories (declared order, one nobody has) come from the file's Arrow dictionary, as pandas reads it."""
    got = cxstats.nps(_parquet(frame, tmp_path), "ltr", by="segment", weight="w")
    assert got["segment"].tolist()[:4] == ["retail", "business", "premium", "none"]
    assert got["n"].iloc[3] == 0 and pd.isna(got["segment"].iloc[4])
    assert expected["compare_nps_segment"][["group1", "group2"]].iloc[0].tolist() == ["retail", "business"]


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


def test_a_share_of_one_level_refuses_infinite_answers_on_every_engine(tmp_path):
    """An infinite answer is not a non-match of level=10 (it would count as answered): an error, as for a mean."""
    frame = pd.DataFrame({"y": [10.0, 9.0, np.inf, 5.0, 10.0, -np.inf, 3.0]})
    frame.to_parquet(tmp_path / "inf.parquet", index=False)
    for data, where in ((frame, ""), (tmp_path / "inf.parquet", r" in .*inf.parquet")):
        for call in (cxstats.weighted_proportion, cxstats.weighted_total):
            with pytest.raises(ValueError, match=rf"column 'y' has 2 infinite value\(s\){where}, e.g. rows \[2, 5\]"):
                call(data, "y", level=10)


def test_csv_path_reads_the_missing_markers_read_responses_reads(tmp_path):
    """"NA", "N/A" and empty cells are missing answers both ways (DuckDB would read the column as text); a column
    with real text is refused naming that text."""
    path = tmp_path / "na.csv"
    path.write_text("x,w,t\n5,1,a\nNA,1,b\n7,1,a\n,1,c\n9,2,N/A\n10,1,d\n3,1,e\n", encoding="utf-8")
    for call in (lambda d: cxstats.weighted_mean(d, "x", weight="w"),
                 lambda d: cxstats.weighted_proportion(d, "t", level="a", weight="w")):
        got = call(path)
        _same_frame(got, call(cxstats.read_responses(path)), "CSV path")
    assert cxstats.weighted_mean(path, "x", weight="w")[["n", "n_missing"]].values.tolist() == [[5, 2]]
    assert cxstats.weighted_proportion(path, "t", level="a", weight="w")["n_missing"].item() == 1
    (tmp_path / "text.csv").write_text("x,w\n5,1\nNA,1\nabc,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"column 'x' must be numeric .* values \['abc', '5'\]"):
        cxstats.weighted_mean(tmp_path / "text.csv", "x", weight="w")


def test_engine_weight_errors_say_what_pandas_says(tmp_path):
    """Text weights are refused naming the text found; all-zero weights say a positive weight is needed."""
    pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": ["1", "two", "3"]}).to_parquet(tmp_path / "text.parquet")
    with pytest.raises(ValueError, match=r"weight column 'w' in .*text.parquet must be numeric, not string; it has "
                                         r"values \['two', '1', '3'\]"):
        cxstats.weighted_mean(tmp_path / "text.parquet", "y", weight="w")
    pd.DataFrame({"y": [1.0, 2.0, 3.0], "w": [0.0, 0.0, 0.0]}).to_parquet(tmp_path / "zero.parquet")
    with pytest.raises(ValueError, match="sums to zero in .*zero.parquet; at least one respondent needs a positive"):
        cxstats.weighted_mean(tmp_path / "zero.parquet", "y", weight="w")


def test_a_coarser_grouping_is_summed_from_a_finer_one_the_design_kept(frame, tmp_path, monkeypatch):
    """After an NPS by month, channel and answer, a crosstab by month and channel on the same design reads no data:
    its cells (missing channels a group of their own) are summed from the kept groups, and equal a fresh design's
    and the DataFrame's."""
    from cxstats import _engine

    path = _parquet(frame, tmp_path)
    design = cxstats.survey_design(path, **SPEC)
    cxstats.nps(design, "ltr", by=["month", "channel"])
    queries = []
    monkeypatch.setattr(_engine, "totals_query", lambda *a, **k: queries.append(k) or totals_query(*a, **k))
    got = cxstats.crosstab(design, "channel", "month")
    assert queries == []
    assert any(kept["channel"].isna().any() for kept in design._kept_sums.values())  # missing: a group of its own
    in_memory = cxstats.crosstab(cxstats.survey_design(frame, **SPEC), "channel", "month")
    fresh = cxstats.crosstab(cxstats.survey_design(path, **SPEC), "channel", "month")
    assert len(queries) == 1
    for expected, what in ((fresh, "fresh design"), (in_memory, "pandas")):
        _same(got, expected, f"crosstab summed from kept groups vs {what}")


def test_weights_whose_total_overflows_across_strata_are_refused(tmp_path):
    """Each stratum's weights sum to a finite number but all of them do not: refused as in memory, not NaN results."""
    w = np.ones(40)
    w[0] = w[39] = 1e308  # one huge weight in each stratum
    df = pd.DataFrame({"st": np.repeat(["a", "b"], 20), "y": np.arange(40) % 11 * 1.0, "w": w})
    df.to_parquet(tmp_path / "huge.parquet")
    for data, where in ((df, ""), (tmp_path / "huge.parquet", r" in .*huge.parquet")):
        with pytest.raises(ValueError, match=rf"weight column 'w' is too large to sum{where}; rescale it"):
            cxstats.survey_design(data, weight="w", strata="st")


def test_designs_on_files_run_their_queries_from_several_threads(tmp_path):
    """Designs on different files, made on one thread, are estimated at the same time from worker threads (the
    files share one embedded database, each with a connection of its own) and give what one thread gives."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    for i in range(2):
        pd.DataFrame({"y": rng.normal(size=50_000), "w": rng.gamma(2.0, 1.0, 50_000)}).to_parquet(tmp_path / f"{i}.pq")
    designs = [cxstats.survey_design(tmp_path / f"{i}.pq", weight="w") for i in range(2)]
    alone = [cxstats.weighted_mean(d, "y")["estimate"].item() for d in designs]
    with ThreadPoolExecutor(2) as pool:
        for _ in range(8):
            together = list(pool.map(lambda d: cxstats.weighted_mean(d, "y")["estimate"].item(), designs))
            assert_allclose(together, alone, rtol=1e-12)


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
def test_spark_gives_the_pandas_numbers(spark, frame, expected_text):
    """The same rows as a Spark table (read from Parquet: Spark's own reader, no pandas conversion; the
    categorical is text to Spark, so the reference is the DataFrame with it as text)."""
    con, folder = spark
    design = cxstats.survey_design(con.read_parquet(str(_parquet(frame, folder))), **SPEC)
    assert design.data.get_backend().name == "pyspark"
    for name, result in _results(design).items():
        _same(result, expected_text[name], f"spark: {name}")


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
    with pytest.raises(ValueError, match=r"column 'y' has 1 infinite value\(s\) in the table, e.g. the rows"):
        cxstats.weighted_proportion(con.read_parquet(str(folder / "inf.parquet")), "y", level=4)


# ------------------------------------------------------------------ SQL for warehouses, without a connection

FEEDBACK = ibis.table({"response_id": "int64", "month": "string", "channel": "string", "region": "string",
                       "store": "string", "nps": "int8", "csat": "int8", "resolved": "boolean",
                       "weight": "float64"}, name="feedback")
QUERIES = {  # each made over FEEDBACK (no connection) or over the same columns in an engine
    "design_checks": lambda t=FEEDBACK: design_query(t, weight="weight", strata="region", cluster=("store",)),
    "nps_by_month_channel": lambda t=FEEDBACK: totals_query(t, weight="weight",
                                                            keys=["region", "store", "month", "channel", "nps"]),
    "csat_mean_by_month": lambda t=FEEDBACK: totals_query(t, weight="weight", keys=["region", "store", "month"],
                                                          value="csat", shift="lowest", domains=["month"],
                                                          row_moments=False),
    "driver_cross_products": lambda t=FEEDBACK: cross_product_query(t, ["resolved", "csat", "nps"], weight="weight",
                                                                    center=[0.75, 3.8, 7.5], keys=["region", "store"]),
}


def _versions() -> str:
    from importlib.metadata import version

    return f"-- compiled by ibis-framework {version('ibis-framework')} with sqlglot {version('sqlglot')}"


def compiled(name, dialect) -> str:
    """The snapshot's text: the versions that compiled it, then the SQL."""
    return _versions() + "\n" + ibis.to_sql(QUERIES[name](), dialect=dialect).strip() + "\n"


def _snapshot(name, dialect) -> tuple[str, str]:
    """The versions line of a snapshot and its SQL."""
    made_with, _, sql = (SQL / f"{name}.{dialect}.sql").read_text(encoding="utf-8").partition("\n")
    return made_with, sql


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_sql_for_warehouses_matches_its_snapshot(name, dialect):
    """What Ibis compiles for BigQuery, Snowflake and Trino without a connection is the committed snapshot.

    The text is compared only under the ibis/sqlglot versions that wrote it: another version may lay out the same
    query differently (pinning them in pyproject would hold every user back for a test's sake). What the query
    means is checked under any version by :func:`test_snapshots_give_the_sums_cxstats_computes`.
    """
    made_with, expected = _snapshot(name, dialect)
    if made_with != _versions():
        pytest.skip(f"snapshot written {made_with[3:]}; installed: {_versions()[15:]} (text layout may differ; "
                    "its meaning is tested by running it)")
    now = compiled(name, dialect).partition("\n")[2]
    assert now == expected, (
        f"{name}.{dialect}.sql differs from what Ibis compiles now; if the change is meant, run "
        "`python tests/test_engines.py --write-sql` and review the diff")


def _feedback_rows(frame) -> pd.DataFrame:
    """The test rows laid out as the FEEDBACK table of the snapshots (NULL for missing answers)."""
    return pd.DataFrame({
        "response_id": np.arange(len(frame), dtype=np.int64), "month": frame.month, "channel": frame.channel,
        "region": frame.region, "store": frame.store, "nps": frame.ltr.astype("Int8"),
        "csat": frame.csat.astype("Int8"), "resolved": frame.resolved.astype("boolean"), "weight": frame.w})


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", sorted(QUERIES))
def test_snapshots_give_the_sums_cxstats_computes(frame, name, dialect):
    """Each snapshot's SQL, translated to DuckDB's dialect by sqlglot and run on the test rows, gives the sums of the
    query cxstats runs (the Ibis expression executed by DuckDB; its sums are checked against pandas below)."""
    import duckdb
    import sqlglot

    sql = _snapshot(name, dialect)[1]
    if dialect == "trino":  # sqlglot reads Trino's INFINITY() as an unknown function: spell it for DuckDB
        sql = sql.replace("-INFINITY()", "CAST('-inf' AS DOUBLE)").replace("INFINITY()", "CAST('inf' AS DOUBLE)")
    con = duckdb.connect()
    con.register("feedback", _feedback_rows(frame))
    got = con.sql(sqlglot.transpile(sql, read=dialect, write="duckdb")[0]).df()
    expected = QUERIES[name](ibis.duckdb.from_connection(con).table("feedback")).to_pandas()
    keys = [c for c in expected.columns if not c.startswith("_cx_")]
    got, expected = (f.sort_values(keys).reset_index(drop=True) if keys else f for f in (got, expected))
    assert list(got.columns) == list(expected.columns) and len(got) == len(expected) > 0
    for column in expected.columns:
        a, b = got[column], expected[column]
        if column in keys:
            assert [None if pd.isna(x) else x for x in a] == [None if pd.isna(x) else x for x in b], column
        else:
            assert_allclose(a.to_numpy(dtype=float, na_value=np.nan), b.to_numpy(dtype=float, na_value=np.nan),
                            rtol=1e-12, atol=1e-9, err_msg=f"{name}.{dialect}.sql: {column}")


def test_the_engine_query_gives_the_pandas_sums(frame, tmp_path):
    """The query cxstats runs, executed by DuckDB on the rows, gives the sums computed with pandas."""
    path = _parquet(frame, tmp_path)
    table = ibis.duckdb.connect().read_parquet(path)
    got = totals_query(table, weight="w", keys=["month"], value="csat", shift=1.0).order_by("month").to_pandas()
    answered = frame.csat.notna()
    by_month = frame.assign(wy=frame.w * (frame.csat - 1.0)).where(answered).groupby(frame.month)
    assert_allclose(got["_cx_swy"], by_month.wy.sum().to_numpy(), rtol=1e-12)
    assert got["_cx_n_y"].tolist() == answered.groupby(frame.month).sum().tolist()


def test_the_engine_query_sums_about_each_domains_lowest_answer(frame, tmp_path):
    """With shift="lowest", each group's sums are about the lowest answer (given with a positive weight) of its
    domain, found in the same query; a missing domain value (NULL) is a domain of its own, a domain without any
    answer has shift 0. Reference: pandas."""
    rows = frame.assign(w=np.where(np.arange(len(frame)) % 7 == 0, 0.0, frame.w),
                        month=frame.month.astype(object).where(np.arange(len(frame)) % 11 != 0, None))
    rows.loc[rows.month == rows.month.dropna().iloc[0], "csat"] = np.nan  # one domain without answers
    path = tmp_path / "lowest.parquet"
    rows.to_parquet(path, index=False)
    table = ibis.duckdb.connect().read_parquet(path)
    got = totals_query(table, weight="w", keys=["region", "month"], value="csat", shift="lowest",
                       domains=["month"]).to_pandas()
    month = rows.month.fillna("<missing>")
    lowest = rows.csat.where(rows.w > 0).groupby(month).min().fillna(0.0)
    shift = month.map(lowest)
    answered = rows.csat.notna()
    expected = rows.assign(wy=rows.w * (rows.csat - shift), wy2=rows.w * (rows.csat - shift) ** 2, shift=shift,
                           key=month).where(answered).assign(key=month, region=rows.region, shift=shift)
    sums = expected.groupby(["region", "key"]).agg(swy=("wy", "sum"), swy2=("wy2", "sum"), shift=("shift", "min"))
    got = got.assign(key=got.month.fillna("<missing>")).set_index(["region", "key"]).loc[sums.index]
    assert_allclose(got["_cx_swy"].fillna(0.0), sums.swy, rtol=1e-12, atol=1e-12)
    assert_allclose(got["_cx_swy2"].fillna(0.0), sums.swy2, rtol=1e-12, atol=1e-12)
    assert_allclose(got["_cx_shift"], sums["shift"], rtol=0)
    assert (got["_cx_shift"] > 0).any() and (got["_cx_shift"] == 0).any()


if __name__ == "__main__" and "--write-sql" in sys.argv:
    SQL.mkdir(parents=True, exist_ok=True)
    for query in QUERIES:
        for dialect in DIALECTS:
            (SQL / f"{query}.{dialect}.sql").write_text(compiled(query, dialect), encoding="utf-8")
    print(f"wrote {len(QUERIES) * len(DIALECTS)} snapshots to {SQL}")
