"""The aggregation behind every respondent-level estimate: numpy (in memory) and DuckDB (Ibis, files) agree.

``cxstats._aggregate.aggregate`` reduces respondents to sums per stratum, sampling unit and group; every
estimate and linearization variance is computed from those sums, so the two implementations must give the
same table. The properties are checked on small random designs (strata, one or two stages of clusters, fpc,
zero weights, missing group keys and missing answers).
"""

import tempfile
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import cxstats
from cxstats._aggregate import SUMS, VALUE_SUMS, aggregate

COUNTS = ("n", "n_pos", "n_y", "n_y_pos")
RESULT_FLOATS = ["estimate", "se", "ci_low", "ci_high", "deff", "n_effective", "df", "weighted_n"]
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# dyadic weights and answers: every sum of products is exact, whatever the order of summation
WEIGHTS = st.sampled_from([0.0, 0.5, 1.0, 2.0, 4.0])
ANSWERS = st.sampled_from([-2.0, 0.0, 0.5, 1.0, 3.0, None])


@st.composite
def random_designs(draw):
    """A respondent frame and a valid survey_design spec: 0-3 strata, 0-2 cluster stages, optional fpc."""
    n = draw(st.integers(4, 24))

    def column(elements):
        return draw(st.lists(elements, min_size=n, max_size=n))

    n_strata = draw(st.integers(0, 3))
    stages = draw(st.integers(0, 2))
    nest = draw(st.booleans())
    with_fpc = draw(st.booleans())
    stratum = np.array(column(st.integers(0, max(n_strata - 1, 0))))
    psu = np.array(column(st.integers(0, 3)))
    frame = pd.DataFrame({
        "st": [f"s{s}" for s in stratum],
        # PSU ids repeat across strata only when the design says so (nest=True)
        "psu": psu if nest else stratum * 10 + psu,
        "ssu": column(st.integers(0, 2)),
        "w": column(WEIGHTS),
        "g": column(st.sampled_from(["a", "b", "c", None])),
        "k": column(st.sampled_from([1.0, 2.0, 3.0, None])),
        "r": column(st.integers(1, 3)),
        "y": column(ANSWERS),
    })
    assume(frame["w"].sum() > 0)
    spec = {"weight": "w", "strata": "st" if n_strata else None, "cluster": ["psu", "ssu"][:stages] or None,
            "nest": nest, "lonely_psu": "certainty"}
    psu_key = ["st", "psu"] if n_strata else ["psu"]
    psus = frame.groupby(psu_key).ngroups if stages else n
    assume(n_strata > 1 or psus > 1)  # a single PSU has no variance: survey_design refuses it
    if with_fpc:
        extra = draw(st.integers(0, 5))
        by_stratum = frame.groupby("st")
        sampled = by_stratum["psu"].transform(lambda p: p.nunique()) if stages else by_stratum["st"].transform("size")
        frame["fpc1"] = sampled + extra
        spec["fpc"] = ["fpc1"]
        if stages == 2:
            frame["fpc2"] = frame.groupby(["st", "psu"])["ssu"].transform("nunique") + extra
            spec["fpc"].append("fpc2")
    return frame, spec


def _sorted_table(totals):
    """The aggregated table with keys as text ("<NA>" for missing), sorted on every group column."""
    table = totals.frame()
    for key in totals.keys:
        table[key] = [("<NA>" if pd.isna(v) else str(v)) for v in table[key]]
    groups = ["stratum", *totals.units, *totals.keys]
    return table.sort_values(groups).reset_index(drop=True), groups


@pytest.fixture(scope="module")
def duckdb():
    """One DuckDB connection for every example (connecting costs more than the queries)."""
    return ibis.duckdb.connect()


@PROPERTY
@given(drawn=random_designs(), keys=st.sampled_from([(), ("g",), ("k",), ("g", "k"), ("r", "g")]),
       value=st.sampled_from([None, "y"]))
def test_numpy_and_duckdb_aggregations_agree(duckdb, drawn, keys, value):
    """The in-memory (numpy) and the Parquet (DuckDB via Ibis) aggregations give the same sufficient statistics:
    the same groups (stratum, units, keys, missing keys as a group) and the same counts and sums."""
    frame, spec = drawn
    memory = cxstats.survey_design(frame, **spec)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.parquet"
        frame.to_parquet(path, index=False)
        disk = cxstats.survey_design(duckdb.read_parquet(path), **spec)
        assert disk.degf == memory.degf
        pd.testing.assert_frame_equal(disk.strata_table, memory.strata_table, check_dtype=False)
        got, expected = aggregate(disk, keys, value), aggregate(memory, keys, value)
    assert got.units == expected.units and got.keys == expected.keys
    assert list(got.columns) == list(expected.columns)
    got_table, groups = _sorted_table(got)
    expected_table, _ = _sorted_table(expected)
    pd.testing.assert_frame_equal(got_table[groups], expected_table[groups], check_dtype=False)
    counts = [c for c in COUNTS if c in expected_table]
    assert (got_table[counts].to_numpy() == expected_table[counts].to_numpy()).all()
    sums = [c for c in SUMS + VALUE_SUMS if c in expected_table and c not in COUNTS]
    assert_allclose(got_table[sums].to_numpy(float), expected_table[sums].to_numpy(float), rtol=1e-12)


@PROPERTY
@given(drawn=random_designs(), keys=st.sampled_from([(), ("g",), ("k",), ("g", "k"), ("r", "g")]),
       value=st.sampled_from([None, "y"]), many=st.booleans())
def test_compiled_and_numpy_aggregations_agree(drawn, keys, value, many):
    """The compiled loops (numba; from _COMPILED_FROM rows) give the sufficient statistics of the numpy passes,
    with the groups summed chunk by chunk or (``many``) numbered all at once: the same groups, counts, shifts
    and sums, bit for bit."""
    from unittest import mock

    import cxstats._aggregate as aggregation

    frame, spec = drawn
    design = cxstats.survey_design(frame, **spec)
    few = 0 if many else aggregation._FEW_GROUPS
    with mock.patch.object(aggregation, "_FEW_GROUPS", few):
        expected = aggregate(design, keys, value)
        with mock.patch.object(aggregation, "_COMPILED_FROM", 1):
            got = aggregate(design, keys, value)
    assert list(got.columns) == list(expected.columns)
    assert all(np.array_equal(got.codes[key], expected.codes[key]) for key in keys)
    assert_allclose(got.row_shift(), expected.row_shift(), rtol=0, atol=0)
    for name in expected.columns:  # each group's sums added in the same order: the same numbers, bit for bit
        assert np.array_equal(got[name], expected[name]), name


@pytest.mark.parametrize("many", [False, True])
def test_compiled_sums_equal_numpy_bit_for_bit_over_many_chunks(monkeypatch, many):
    """200,000 respondents in 400 PSUs of 20 strata, 1% missing answers, 1% zero weights, a group with missing
    values: the compiled loops (from 65,536 rows here) give the numpy passes' sufficient statistics bit for bit,
    chunk after chunk, with the groups summed chunk by chunk or (``many``) numbered all at once; clustered,
    and with every row a PSU (sums of w^2 c and w^2 c^2)."""
    import cxstats._aggregate as aggregation

    rng = np.random.default_rng(21)
    n = 200_000
    psu = rng.integers(0, 400, n)
    df = pd.DataFrame({"st": psu // 20, "psu": psu, "w": rng.gamma(2.0, 1.0, n), "y": rng.normal(50.0, 5.0, n),
                       "g": rng.choice(np.array(["a", "b", "c", None], dtype=object), n)})
    df.loc[rng.random(n) < 0.01, "y"] = np.nan
    df.loc[rng.random(n) < 0.01, "w"] = 0.0
    clustered = cxstats.survey_design(df, weight="w", strata="st", cluster="psu")
    rows_as_psus = cxstats.survey_design(df, weight="w", strata="st")  # the sums of w^2 c and w^2 c^2 too
    monkeypatch.setattr(aggregation, "_COMPILED_FROM", 1 << 16)  # four chunks of rows
    if many:
        monkeypatch.setattr(aggregation, "_FEW_GROUPS", 0)
    for design, keys, value in [(design, keys, value) for design in (clustered, rows_as_psus)
                                for keys, value in [(("g",), "y"), (("g",), None), ((), "y")]]:
        got = aggregate(design, keys, value)
        with monkeypatch.context() as numpy_only:
            numpy_only.setattr(aggregation, "_COMPILED_FROM", 1 << 62)
            expected = aggregate(design, keys, value)
        assert list(got.columns) == list(expected.columns)
        assert np.array_equal(got.row_shift(), expected.row_shift())
        for name in expected.columns:
            assert np.array_equal(got[name], expected[name]), (keys, value, name)


def test_without_numba_the_numpy_passes_take_every_sum(monkeypatch):
    """Where numba cannot be imported (say, not yet built for a new Python), the numpy passes take every sum:
    the same estimates, no error."""
    import sys

    import cxstats._aggregate as aggregation

    rng = np.random.default_rng(22)
    n = 5000
    df = pd.DataFrame({"st": rng.integers(0, 5, n), "w": rng.gamma(2.0, 1.0, n), "y": rng.normal(5.0, 1.0, n),
                       "g": rng.integers(0, 3, n)})
    design = cxstats.survey_design(df, weight="w", strata="st")
    monkeypatch.setattr(aggregation, "_COMPILED_FROM", 1)
    compiled = [cxstats.weighted_mean(df, "y", weight="w"), cxstats.weighted_mean(design, "y", by="g")]
    monkeypatch.delattr(cxstats, "_kernels", raising=False)
    monkeypatch.setitem(sys.modules, "cxstats._kernels", None)  # import cxstats._kernels raises ImportError
    assert aggregation._loops(n) is None
    numpy_only = [cxstats.weighted_mean(df, "y", weight="w"), cxstats.weighted_mean(design, "y", by="g")]
    for got, expected in zip(numpy_only, compiled, strict=True):
        pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


@st.composite
def respondent_frames(draw):
    """Respondents with weights (zeros allowed), a numeric answer, a 0/1 answer (both with missing values), a group
    with missing values, optional strata; and a lonely-PSU rule."""
    n = draw(st.integers(3, 30))

    def column(elements):
        return draw(st.lists(elements, min_size=n, max_size=n))

    frame = pd.DataFrame({
        "id": np.arange(n) + 1000,
        "st": column(st.sampled_from(["north", "south"])),
        "w": column(WEIGHTS),
        "y": column(ANSWERS),
        "yes": column(st.sampled_from([0.0, 1.0, None])),
        "g": column(st.sampled_from(["a", "b", None])),
    })
    assume(frame["w"].sum() > 0)
    strata = draw(st.sampled_from([None, "st"]))
    rule = draw(st.sampled_from(["certainty", "remove", "average", "adjust"]))
    return frame, strata, rule


ESTIMATES = {
    "mean": lambda d, by: cxstats.weighted_mean(d, "y", by=by),
    "total": lambda d, by: cxstats.weighted_total(d, "y", by=by),
    "proportion": lambda d, by: cxstats.weighted_proportion(d, "yes", by=by, method="wald"),
}


# found by this property: two answers of 3 with weights 0.5 and 2 (and three zero-weight rows); clustered SE 0 and
# deff NaN (as R's svymean), weights-only SE 3.3e-08, deff inf, n_effective 0 (see test_design.py)
CONSTANT_ANSWER = pd.DataFrame({"id": np.arange(5) + 1000, "st": ["north"] * 5, "w": [0.0, 0.0, 0.0, 0.5, 2.0],
                                "y": [-2.0, -2.0, -2.0, 3.0, 3.0], "yes": [0.0] * 5, "g": ["a"] * 5})


@PROPERTY
@example(drawn=(CONSTANT_ANSWER, None, "certainty"), by=None)
@given(drawn=respondent_frames(), by=st.sampled_from([None, "g"]))
def test_one_psu_per_respondent_equals_weights_only(drawn, by):
    """A design whose PSUs are the respondents (cluster = a unique id) gives the estimates, SEs, intervals, deffs
    and df of the same design without clusters (every row its own PSU): means, totals and proportions, by groups."""
    frame, strata, rule = drawn
    plain = cxstats.survey_design(frame, weight="w", strata=strata, lonely_psu=rule)
    clustered = cxstats.survey_design(frame, weight="w", strata=strata, cluster="id", lonely_psu=rule)
    assert clustered.degf == plain.degf
    for estimate in ESTIMATES.values():
        got, expected = estimate(clustered, by), estimate(plain, by)
        assert got["n"].tolist() == expected["n"].tolist()
        assert got["n_missing"].tolist() == expected["n_missing"].tolist()
        values = expected[RESULT_FLOATS].to_numpy(float)
        scale = np.abs(values[np.isfinite(values)]).max(initial=1.0)
        assert_allclose(got[RESULT_FLOATS].to_numpy(float), values, rtol=1e-9, atol=1e-12 * scale)


def test_missing_group_and_unobserved_level_are_kept():
    """A missing ``by`` value is a group of its own (never dropped); a declared but unobserved categorical level
    is among the labels (a declared category) and becomes a domain with n = 0 and no estimate."""
    frame = pd.DataFrame({
        "g": pd.Categorical(["a", "b", None, "a", "b", None], categories=["a", "b", "z"]),
        "y": [1.0, 2.0, 3.0, np.nan, 5.0, 4.0],
        "w": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0],
    })
    design = cxstats.survey_design(frame, weight="w")
    totals = aggregate(design, keys=("g",), value="y")
    assert totals.labels["g"][:3].tolist() == ["a", "b", "z"] and totals.declared == {"g": 3}
    table = totals.frame()
    missing = table[table["g"].isna()]
    assert len(missing) == 1
    assert (missing["n"].iloc[0], missing["n_y"].iloc[0], missing["sw_y"].iloc[0]) == (2, 2, 3.0)
    assert "z" not in table["g"].tolist()  # no rows, no group in the sums

    out = cxstats.weighted_mean(design, "y", by="g")
    assert out["g"].iloc[:3].tolist() == ["a", "b", "z"] and pd.isna(out["g"].iloc[3])
    assert out["n"].tolist() == [1, 2, 0, 2]
    assert out["n_missing"].tolist() == [1, 0, 0, 0]
    assert np.isnan(out["estimate"].iloc[2]) and np.isnan(out["se"].iloc[2])
    assert_allclose(out["estimate"].iloc[3], (1.0 * 3.0 + 2.0 * 4.0) / 3.0, rtol=1e-12)


def test_missing_text_group_is_kept_from_a_file(tmp_path):
    """Read from Parquet, missing (null) ``by`` values also form their own group, as in memory."""
    frame = pd.DataFrame({"g": ["x", None, "x", "y", None, "y"], "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                          "w": [1.0, 2.0, 1.0, 1.0, 1.0, 2.0]})
    frame.to_parquet(tmp_path / "groups.parquet", index=False)
    got = cxstats.weighted_mean(cxstats.survey_design(tmp_path / "groups.parquet", weight="w"), "y", by="g")
    expected = cxstats.weighted_mean(cxstats.survey_design(frame, weight="w"), "y", by="g")
    assert got["g"].iloc[:2].tolist() == ["x", "y"] and pd.isna(got["g"].iloc[2])
    assert got["n"].tolist() == [2, 2, 2]
    assert_allclose(got[RESULT_FLOATS].to_numpy(float), expected[RESULT_FLOATS].to_numpy(float), rtol=1e-12)


def _clustered(rng, n=600):
    return pd.DataFrame({"y": rng.normal(5, 2, n), "w": rng.uniform(1, 3, n), "s": rng.choice(list("ABC"), n),
                         "psu": np.arange(n) // 6, "g": rng.choice([-100, 0, 100], n).astype(np.int8)})


def test_narrow_integer_groups_do_not_wrap():
    """An int8 group column spanning -100..100 (as read_stata returns) gives the same groups, labels and SEs as
    the same values in int64, in a clustered design and without one (offsets are taken in 64 bits)."""
    df = _clustered(np.random.default_rng(2))
    wide = df.assign(g=df.g.astype(np.int64))
    for frame_design in (lambda f: cxstats.survey_design(f, weight="w", strata="s", cluster="psu", nest=True),
                         lambda f: f):
        got = cxstats.weighted_mean(frame_design(df), "y", by="g")
        ref = cxstats.weighted_mean(frame_design(wide), "y", by="g")
        assert got.g.tolist() == [-100, 0, 100] == ref.g.tolist()
        assert_allclose(got[["estimate", "se"]].to_numpy(), ref[["estimate", "se"]].to_numpy(), rtol=1e-12)
    design = cxstats.survey_design(df.assign(s=df.psu.astype(np.int8) % 3 - 100), weight="w", strata="s",
                                   cluster="psu")
    assert design.strata_table.stratum.tolist() == [-100, -99, -98]


@pytest.mark.parametrize("name", ["n", "n_y", "sw", "swy_raw", "stratum", "unit1", "_cx_w", "_cx_n"])
def test_columns_named_like_internal_quantities(tmp_path, name):
    """Group, answer and design columns may have any name: named like the aggregation's own quantities they give the
    same results as under another name, in memory and from a Parquet file."""
    rng = np.random.default_rng(3)
    df = _clustered(rng).assign(g=lambda d: rng.choice(["p", "q", "r"], len(d)),
                                ltr=lambda d: rng.integers(0, 11, len(d)))
    renamed = df.rename(columns={"g": name})
    path = tmp_path / "data.parquet"
    renamed.to_parquet(path, index=False)
    for data in (renamed, path) if name not in cxstats.survey.ESTIMATE_COLUMNS else ():  # a result name: refused
        design = cxstats.survey_design(data, weight="w", strata="s", cluster="psu", nest=True)
        got = cxstats.weighted_mean(design, "y", by=name)
        ref = cxstats.weighted_mean(cxstats.survey_design(df, weight="w", strata="s", cluster="psu", nest=True),
                                    "y", by="g")
        assert got[name].tolist() == ref["g"].tolist()
        assert_allclose(got[["estimate", "se"]].to_numpy(), ref[["estimate", "se"]].to_numpy(), rtol=1e-10)
    answer = df.rename(columns={"ltr": name}).drop(columns="g")
    got = cxstats.nps(cxstats.survey_design(answer, weight="w", strata="s", cluster="psu", nest=True), name)
    ref = cxstats.nps(cxstats.survey_design(df, weight="w", strata="s", cluster="psu", nest=True), "ltr")
    assert_allclose(got[["estimate", "se"]].to_numpy(), ref[["estimate", "se"]].to_numpy(), rtol=1e-10)
    strata = df.rename(columns={"s": name}).drop(columns="g")
    strata.to_parquet(path, index=False)
    got = cxstats.weighted_mean(cxstats.survey_design(path, weight="w", strata=name, cluster="psu", nest=True), "y")
    ref = cxstats.weighted_mean(cxstats.survey_design(df, weight="w", strata="s", cluster="psu", nest=True), "y")
    assert_allclose(got[["estimate", "se"]].to_numpy(), ref[["estimate", "se"]].to_numpy(), rtol=1e-10)


def test_many_wide_ranging_groups_do_not_overflow():
    """Four group columns of integers spanning 0..65000 (more combinations than an int64 holds) give pandas'
    groupby means, one row per group found."""
    rng = np.random.default_rng(4)
    df = pd.DataFrame({k: rng.choice([0, 65000], 200) for k in "abcd"}).assign(y=rng.normal(size=200))
    got = cxstats.weighted_mean(df, "y", by=list("abcd"))
    ref = df.groupby(list("abcd"))["y"].mean().reset_index()
    assert_allclose(got["estimate"].to_numpy(), ref["y"].to_numpy(), rtol=1e-12)
    assert got[list("abcd")].to_numpy().tolist() == ref[list("abcd")].to_numpy().tolist()


@pytest.mark.parametrize("sizes", [(127,), (1, 127), (128, 1), (3, 5, 8), (127, 258), (32767,), (1, 32768),
                                   (181, 182), (1 << 16, (1 << 15) + 1)])
def test_chunk_ids_in_narrow_integers_are_the_mixed_radix_numbers(sizes):
    """A chunk's group ids, computed in the narrowest integers that hold the number of groups (int8 up to 127,
    then int16, int32), are the int64 mixed-radix numbers of the codes, whatever the codes' own integer types."""
    from cxstats._aggregate import _chunk_ids, _id_type

    rng = np.random.default_rng(6)
    n_groups = int(np.prod(sizes))
    types = [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.int64]
    for first in range(len(types)):  # each part's codes in the first of types[first:] that holds them
        parts = []
        for size in sizes:
            codes = rng.integers(0, size, 3000).astype(next(t for t in types[first:] if np.iinfo(t).max >= size - 1))
            codes[:2] = size - 1, 0  # the largest and smallest codes
            parts.append((codes, size))
        expected = np.zeros(3000, dtype=np.int64)
        for codes, size in parts:
            expected = expected * size + codes.astype(np.int64)
        narrow = np.empty(3000, dtype=_id_type(n_groups))
        assert np.iinfo(narrow.dtype).max >= n_groups and (narrow.dtype == np.int8) == (n_groups <= 127)
        got = _chunk_ids(parts, slice(0, 3000), narrow, np.empty(3000, dtype=np.int64))
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("buffer_rows", [1, 999, 1000, 2000])
def test_sum_and_square_is_two_bincounts_to_the_last_bit(buffer_rows):
    """The per-group sums of w and w^2 taken as one complex scatter-add equal bincount's exactly (the same additions
    in the same order), whether the (w, w^2) pairs go through the buffer at once or a block of rows at a time."""
    from cxstats._aggregate import _sum_and_square

    rng = np.random.default_rng(7)
    group = rng.integers(0, 37, 1000)
    w = rng.gamma(0.5, 3.0, 1000) * 10.0 ** rng.integers(-8, 8, 1000)  # magnitudes that round differently by order
    sw, sw2 = _sum_and_square(group, 40, w, np.empty(buffer_rows))
    assert np.array_equal(sw, np.bincount(group, weights=w, minlength=40))
    assert np.array_equal(sw2, np.bincount(group, weights=w * w, minlength=40))


def test_crosstab_sums_without_the_paired_scatter_are_the_same(monkeypatch):
    """With numpy's slow ufunc.at (before 1.25) the sums fall back to a bincount each: the same table."""
    import cxstats._aggregate as aggregation

    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": rng.integers(0, 5, 200_000), "b": rng.choice(list("xyz"), 200_000),
                       "w": rng.gamma(4.0, 0.25, 200_000)})
    design = cxstats.survey_design(df, weight="w")
    paired = aggregate(design, ("a", "b")).columns
    monkeypatch.setattr(aggregation, "_PAIRED_SUMS", False)
    separate = aggregate(design, ("a", "b")).columns
    assert paired.keys() == separate.keys()
    for name in paired:
        assert np.array_equal(paired[name], separate[name]), name


@pytest.fixture(params=["numpy", "compiled"])
def plain_path(request, monkeypatch):
    """One group's sums (rows as PSUs) by numpy, as for a small survey, or by the compiled loop, as from
    _COMPILED_FROM rows; the loop reads blocks of 64 rows here, so its sums are moved between blocks."""
    import cxstats._aggregate as aggregation

    if request.param == "compiled":
        import cxstats._kernels as kernels

        monkeypatch.setattr(kernels, "BLOCK", 64)
    monkeypatch.setattr(aggregation, "_COMPILED_FROM", 1 if request.param == "compiled" else 1 << 62)
    return request.param


@pytest.mark.parametrize("lowest_at", [3, 700])  # near the start, or late
@pytest.mark.parametrize("scored", [False, True])  # an answer column, or scores handed over as an array
def test_weights_only_sums_check_the_answers_in_the_same_pass(plain_path, lowest_at, scored):
    """Without groups, strata or clusters the answers are checked by the sums themselves (no pass of their own):
    the table equals the sums written out about the lowest answer (the shift every engine uses), to rounding."""

    rng = np.random.default_rng(11)
    y, w = rng.normal(50.0, 3.0, 1000), rng.gamma(2.0, 1.0, 1000)
    y[lowest_at] = 30.0  # the lowest answer
    design = cxstats.survey_design(pd.DataFrame({"y": y, "w": w}), weight="w")
    totals = aggregate(design, value=y if scored else "y")
    c = y - 30.0
    expected = {"n": 1000, "n_y": 1000, "sw": w.sum(), "sw2": (w * w).sum(), "sw_y": w.sum(), "swy": (w * c).sum(),
                "swy2": (w * c * c).sum(), "sw2y": (w * w * c).sum(), "sw2y2": (w * w * c * c).sum(),
                "swy_raw": (w * y).sum()}
    assert totals.shift == 30.0 and len(totals) == 1
    for name, value in expected.items():
        assert_allclose(totals[name], [value], rtol=1e-12, err_msg=name)


@pytest.mark.parametrize("bad_at", [5, 700])
def test_weights_only_answers_missing_or_infinite_late_in_the_rows(plain_path, bad_at):
    """A missing answer is counted (the rows that answered are summed); an infinite one is an error naming it."""

    rng = np.random.default_rng(12)
    y, w = rng.normal(50.0, 3.0, 1000), rng.gamma(2.0, 1.0, 1000)
    y[bad_at] = np.nan
    design = cxstats.survey_design(pd.DataFrame({"y": y, "w": w}), weight="w")
    totals = aggregate(design, value="y")
    answered = ~np.isnan(y)
    assert totals["n"][0] == 1000 and totals["n_y"][0] == 999
    assert_allclose(totals["swy_raw"], [(w * y)[answered].sum()], rtol=1e-12)
    result = cxstats.weighted_mean(design, "y")
    assert result["n_missing"].iloc[0] == 1 and result["n"].iloc[0] == 999
    y[bad_at] = np.inf
    with pytest.raises(ValueError, match=rf"column 'y' has 1 infinite value\(s\), e.g. rows \[{bad_at}\]"):
        aggregate(cxstats.survey_design(pd.DataFrame({"y": y, "w": w}), weight="w"), value="y")


@pytest.mark.parametrize("scored", [False, True])
def test_weights_only_sums_exact_when_the_first_rows_lie_far_from_the_rest(plain_path, scored):
    """The first 64 answers far above the rest, with weights too small to matter: the sums about the lowest
    answer keep the digits of the rest. (Sums once taken about the first rows' lowest answer and moved down
    lost them: the SE came out NaN.)"""

    rng = np.random.default_rng(13)
    y, w = rng.normal(50.0, 3.0, 1000), rng.gamma(2.0, 1.0, 1000)
    y[:64], w[:64] = 1e10, 1e-12  # the first rows
    design = cxstats.survey_design(pd.DataFrame({"y": y, "w": w}), weight="w")
    totals = aggregate(design, value=y if scored else "y")
    low = y.min()
    assert totals.shift == low
    c = y - low
    for name, value in {"swy": (w * c).sum(), "swy2": (w * c * c).sum(), "sw2y": (w * w * c).sum(),
                        "sw2y2": (w * w * c * c).sum()}.items():
        assert_allclose(totals[name], [value], rtol=1e-12, err_msg=name)
    mean = (w * y).sum() / w.sum()
    z = w * (y - mean) / w.sum()
    result = cxstats.weighted_mean(design, "y").iloc[0]
    assert_allclose(result["estimate"], mean, rtol=1e-14)
    assert_allclose(result["se"], np.sqrt(1000 / 999 * (z * z).sum()), rtol=1e-12)


@pytest.mark.parametrize("by", [None, "g"])
@pytest.mark.parametrize("on_file", [False, True])
def test_answers_whose_squares_overflow_are_refused(tmp_path, by, on_file):
    """An answer so large that its weighted square overflows would make the spread read as 0 (an interval of
    no width around a wrong-looking mean) or NaN: it is an error naming the column (and, in memory, the row)."""
    y = np.random.default_rng(13).normal(0.0, 1.0, 2000)
    y[1500] = -1e155  # its square is beyond the largest float
    y[7] = 1e300  # larger still, but with weight 0: it counts in no sum, so it is not the row named
    df = pd.DataFrame({"y": y, "w": np.where(np.arange(2000) == 7, 0.0, 1.0), "g": np.arange(2000) % 3})
    data = df
    if on_file:
        data = tmp_path / "big.parquet"
        df.to_parquet(data, index=False)
    message = r"column 'y': the answers are too large to square and sum" + ("" if on_file else
                                                                          r".*-1e\+155, in row 1500")
    with pytest.raises(ValueError, match=message):
        cxstats.weighted_mean(data, "y", weight="w", by=by)
    df.loc[1500, "y"] = -1e100  # large, but its square sums: a number, not an error
    result = cxstats.weighted_mean(df, "y", weight="w")
    assert np.isfinite(result["se"]).all() and result["se"].iloc[0] > 1e95


@pytest.mark.parametrize("on_file", [False, True])
@pytest.mark.parametrize("clustered", [False, True])
def test_a_far_low_outlier_in_one_domain_leaves_the_others_ses(tmp_path, on_file, clustered):
    """A low outlier (an undeclared missing code such as -1e6) in one domain: the other domains' estimates and SEs
    are those of their own rows (closed form, rows as PSUs: SE^2 = n/(n-1) sum z^2, z = w (y - mean) / sum w; with
    clusters, the same over the PSU totals of z). Before each domain's sums had their own shift, all were taken
    about the outlier and domains 1 and 2 lost their spread to rounding: SE 0.0 against 0.039."""
    y = np.random.default_rng(14).normal(5.0, 1.0, 2000)
    y[1500] = -1e6  # row 1500 is in domain 0
    df = pd.DataFrame({"y": y, "w": np.ones(2000), "g": np.arange(2000) % 3, "psu": np.arange(2000) // 4})
    data = df
    if on_file:
        data = tmp_path / "far.parquet"
        df.to_parquet(data, index=False)
    design = cxstats.survey_design(data, weight="w", cluster="psu" if clustered else None)
    result = cxstats.weighted_mean(design, "y", by="g").set_index("g")
    for g in (1, 2):
        rows = df[df.g == g]
        z = ((df.y - rows.y.mean()) / len(rows)).where(df.g == g, 0.0)  # domain rows' influence; the others' is 0
        totals = z.groupby(df.psu).sum() if clustered else z
        m = len(totals)
        se = np.sqrt(m / (m - 1) * ((totals - totals.mean()) ** 2).sum())
        assert_allclose(result.loc[g, "estimate"], rows.y.mean(), rtol=1e-12)
        assert_allclose(result.loc[g, "se"], se, rtol=1e-9)


@pytest.mark.parametrize("design", [{}, {"strata": "h", "cluster": "psu"}, {"cluster": ["psu", "ssu"],
                                                                            "fpc": ["fpc1", "fpc2"]}])
@pytest.mark.parametrize("on_file", [False, True])
def test_a_total_whose_unit_squares_overflow_is_refused(tmp_path, design, on_file):
    """Answers near 1e152: every sum of the aggregation is finite, but the squares of the sampling units' totals
    of a weighted total overflow; read as 0 (a spread 'lost to rounding') the SE came out 0, or (two stages) the
    second stage's share only (2.5e153 against 5.7e153). It is an error naming the column; 100 times smaller
    answers give 100 times smaller SEs (the same design), so the scale itself is not the trouble."""
    rng = np.random.default_rng(1)
    n = 2000
    df = pd.DataFrame({"y": rng.normal(0.0, 1.0, n) * 1e150, "w": rng.uniform(0.5, 2.0, n), "g": np.arange(n) % 3,
                       "h": (np.arange(n) // 10) % 4, "psu": np.arange(n) // 10, "ssu": np.arange(n) // 2,
                       "fpc1": 1000, "fpc2": 50})
    small = cxstats.weighted_total(cxstats.survey_design(df, weight="w", **design), "y", by="g")
    assert (small["se"] > 1e151).all()
    df["y"] *= 100
    data = df
    if on_file:
        data = tmp_path / "big.parquet"
        df.to_parquet(data, index=False)
    large = cxstats.survey_design(data, weight="w", **design)
    with pytest.raises(ValueError, match=r"column 'y': the answers are too large for their variance"):
        cxstats.weighted_total(large, "y", by="g")
    mean = cxstats.weighted_mean(large, "y", by="g")  # a mean's influence values are small: its SE is a number
    assert_allclose(mean["se"], 100 * cxstats.weighted_mean(cxstats.survey_design(df.assign(y=df.y / 100), weight="w",
                                                                                 **design), "y", by="g")["se"],
                    rtol=1e-12)


def test_a_mean_whose_design_effect_overflows_is_refused():
    """Answers near 1e152 in a clustered design: each PSU's sums are finite (the SE is right) but their sum for
    the design effect's SRS variance overflows; an error naming the column, not a design effect of NaN. At 1e150
    the design effect is a number, and the same as for the answers divided by 1e150."""
    rng = np.random.default_rng(1)
    y = rng.normal(0.0, 1.0, 2000)
    df = pd.DataFrame({"y": y * 1e150, "w": rng.uniform(0.5, 2.0, 2000), "h": (np.arange(2000) // 10) % 4,
                       "psu": np.arange(2000) // 10})
    design = cxstats.survey_design(df, weight="w", strata="h", cluster="psu")
    unscaled = cxstats.weighted_mean(cxstats.survey_design(df.assign(y=y), weight="w", strata="h", cluster="psu"),
                                     "y")
    assert_allclose(cxstats.weighted_mean(design, "y")["deff"], unscaled["deff"], rtol=1e-9)
    with pytest.raises(ValueError, match="column 'y': the answers are too large for their design effect"):
        cxstats.weighted_mean(cxstats.survey_design(df.assign(y=y * 1e152), weight="w", strata="h", cluster="psu"),
                              "y")


@pytest.mark.parametrize("dtype, zero_one", [("int64", False), ("int8", False), ("uint8", False), ("bool", True),
                                             ("int8", True), ("uint8", True)])
def test_weights_only_sums_of_integer_and_boolean_answers(plain_path, dtype, zero_one):
    """Integer, boolean and 0/1 answers take the same sums as floats, read in their own type: the sums written
    out about the lowest answer."""
    rng = np.random.default_rng(15)
    y = (rng.integers(0, 2, 1000) if zero_one else rng.integers(3, 11, 1000)).astype(dtype)
    if zero_one:
        y[:100] = 1  # a row of ones: its lowest is 1
    w = rng.gamma(2.0, 1.0, 1000)
    totals = aggregate(cxstats.survey_design(pd.DataFrame({"y": y, "w": w}), weight="w"), value="y")
    low = float(y.min())
    c = y.astype(float) - low
    assert totals.shift == low
    for name, value in {"swy": (w * c).sum(), "swy2": (w * c * c).sum(), "sw2y": (w * w * c).sum(),
                        "sw2y2": (w * w * c * c).sum(), "swy_raw": (w * y).sum(), "sw": w.sum()}.items():
        assert_allclose(totals[name], [value], rtol=1e-12, err_msg=name)


def _weights_only_frame(n=1000, seed=16):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"y": rng.normal(50.0, 3.0, n), "b": rng.integers(0, 2, n).astype("int8"),
                         "w": rng.gamma(2.0, 1.0, n)})


@pytest.mark.parametrize("estimate", ["mean", "proportion"])
@pytest.mark.parametrize("rows, value, message", [
    ([700], -1.0, r"weight column 'w' has 1 negative value\(s\), e.g. rows \[700\]; weights must be 0 or more"),
    ([3, 700], -0.5, r"weight column 'w' has 2 negative value\(s\), e.g. rows \[3, 700\]"),
    ([700], np.nan, r"weight column 'w' has 1 missing or non-finite value\(s\), e.g. rows \[700\]"),
    ([5, 999], np.inf, r"weight column 'w' has 2 missing or non-finite value\(s\), e.g. rows \[5, 999\]"),
    ([700], -np.inf, r"weight column 'w' has 1 missing or non-finite value\(s\), e.g. rows \[700\]"),
    (slice(None), 0.0, "weight column 'w' sums to zero; at least one respondent needs a positive weight"),
])
def test_weights_only_estimates_check_the_weights_in_the_sums_pass(plain_path, estimate, rows, value, message):
    """A DataFrame with weights only: the weights are checked by the passes that sum the answers (their lowest
    and their sums), not a pass of their own; a bad weight in any row is the error survey_design gives, naming
    the rows."""

    df = _weights_only_frame()
    df.loc[rows, "w"] = value
    call = cxstats.weighted_mean if estimate == "mean" else cxstats.weighted_proportion
    with pytest.raises(ValueError, match=message):
        call(df, "y" if estimate == "mean" else "b", weight="w")
    with pytest.raises(ValueError, match=message):
        cxstats.survey_design(df, weight="w")


@pytest.mark.parametrize("estimate", ["mean", "proportion"])
@pytest.mark.parametrize("zero_at", [None, [2, 700]])  # all weights positive, or some 0 (counted by the design)
def test_weights_only_estimates_without_a_pass_for_the_weights(plain_path, monkeypatch, estimate, zero_at):
    """Positive weights are never read in a pass of their own (the sums' pass checks them); the estimate is the
    one of the design survey_design makes, number for number. Weights of 0 take the usual way (the design
    counts them): the same numbers again."""
    import cxstats.design as designs

    df = _weights_only_frame()
    if zero_at:
        df.loc[zero_at, "w"] = 0.0
    column, call = ("y", cxstats.weighted_mean) if estimate == "mean" else ("b", cxstats.weighted_proportion)
    expected = call(cxstats.survey_design(df, weight="w"), column)
    if not zero_at:
        def refuse(*args, **kwargs):
            raise AssertionError("the weights were read in a pass of their own")
        monkeypatch.setattr(designs, "weights_and_lowest", refuse)
    result = call(df, column, weight="w")
    pd.testing.assert_frame_equal(result, expected, check_exact=True)
    assert result["n"].iloc[0] == 1000 - (len(zero_at) if zero_at else 0)
    w, y = df["w"].to_numpy(), df[column].to_numpy(dtype=float)
    mean = (w * y).sum() / w.sum()
    z = w * (y - mean) / w.sum()
    n = int(np.count_nonzero(w > 0))  # rows with weight 0 are PSUs too (their z is 0), as in R's survey
    assert_allclose(result["estimate"].iloc[0], mean, rtol=1e-13)
    assert_allclose(result["se"].iloc[0], np.sqrt(1000 / 999 * (z * z).sum()), rtol=1e-12)
    assert result["df"].iloc[0] == n - 1


def test_weights_only_sums_at_the_compiled_threshold_equal_numpys(monkeypatch):
    """At _COMPILED_FROM rows (as shipped, blocks as shipped) the compiled loop runs and gives numpy's numbers;
    one row fewer takes numpy without importing numba (checked in a fresh process)."""
    import subprocess
    import sys

    import cxstats._aggregate as aggregation
    import cxstats._kernels as kernels

    n = aggregation._COMPILED_FROM
    rng = np.random.default_rng(17)
    df = pd.DataFrame({"y": rng.normal(50.0, 3.0, n), "b": rng.integers(0, 2, n), "w": rng.gamma(2.0, 1.0, n)})
    calls = []
    monkeypatch.setattr(kernels, "plain_sums", lambda w, y, run=kernels.plain_sums: calls.append(1) or run(w, y))
    for call, column in [(cxstats.weighted_mean, "y"), (cxstats.weighted_total, "y"),
                         (cxstats.weighted_proportion, "b")]:
        compiled = call(df, column, weight="w")
        with monkeypatch.context() as numpy_only:
            numpy_only.setattr(aggregation, "_COMPILED_FROM", 1 << 62)
            by_numpy = call(df, column, weight="w")
        pd.testing.assert_frame_equal(compiled, by_numpy, check_exact=False, rtol=1e-12)
    assert len(calls) == 3
    code = ("import sys, numpy as np, pandas as pd, cxstats, cxstats._aggregate as a; n = a._COMPILED_FROM - 1; "
            "df = pd.DataFrame({'y': np.arange(n, dtype=float), 'w': np.ones(n)}); "
            "cxstats.weighted_mean(df, 'y', weight='w'); print('numba' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
