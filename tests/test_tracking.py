"""Tracking waves: the feedback generator and its planted truth, wave-over-wave changes, trend chart, notebook 13."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow.dataset as ds  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

import cxstats  # noqa: E402
from cxstats import plots  # noqa: E402
from cxstats.report import read_records, run_notebook  # noqa: E402

from .conftest import ROOT  # noqa: E402


@pytest.fixture(scope="module")
def feedback(tmp_path_factory):
    """360,000 generated responses (12 months), about 6,000 per month and channel."""
    return cxstats.simulate_feedback(tmp_path_factory.mktemp("feedback") / "table", rows=360_000, seed=11)


# ------------------------------------------------------------------ the planted truth

def test_truth_is_the_model_by_hand():
    """Phone before the change: promoters 0.52 - 0.22 x 0.30 (unresolved) + (0.3 x -0.08 + 0.2 x 0.10) (segments),
    detractors 0.18 + 0.22 x 0.35 + (0.3 x 0.06 + 0.2 x -0.06); 15 points less from the 7th month on."""
    truth = cxstats.feedback_truth()
    phone = truth[truth.channel == "phone"].reset_index(drop=True)
    promoters = 0.52 - 0.22 * 0.30 + (0.3 * -0.08 + 0.2 * 0.10)
    detractors = 0.18 + 0.22 * 0.35 + (0.3 * 0.06 + 0.2 * -0.06)
    assert_allclose(phone.nps[:6], 100 * (promoters - detractors), rtol=1e-12)
    assert_allclose(phone.nps[6:], 100 * (promoters - detractors) - 15, rtol=1e-12)
    passives = 1 - promoters - detractors
    assert_allclose(phone.csat_top2[0], promoters * 0.95 + passives * 0.65 + detractors * 0.23, rtol=1e-12)
    assert_allclose(phone.csat_mean[0], promoters * (0.01 * 2 + 0.04 * 3 + 0.30 * 4 + 0.65 * 5)
                    + passives * (0.02 + 0.06 * 2 + 0.27 * 3 + 0.48 * 4 + 0.17 * 5)
                    + detractors * (0.22 + 0.28 * 2 + 0.27 * 3 + 0.18 * 4 + 0.05 * 5), rtol=1e-12)
    steps = truth.groupby("channel").nps.diff().dropna()
    assert (steps.abs() > 1e-9).sum() == 1  # one planted change, nothing else moves


def test_truth_margins_weight_channels_by_their_shares():
    truth = cxstats.feedback_truth(months=3)
    shares = truth.channel.map(dict(zip(cxstats.tracking.CHANNELS, cxstats.tracking.CHANNEL_SHARES, strict=True)))
    overall = cxstats.feedback_truth(months=3, by=())
    assert_allclose(overall.nps[0], (truth.nps * shares).sum() / shares.sum(), rtol=1e-12)
    by_month = cxstats.feedback_truth(months=3, by=("month",))
    assert by_month.month.tolist() == ["2024-01", "2024-02", "2024-03"]
    with pytest.raises(ValueError, match=r"by must be"):
        cxstats.feedback_truth(by=("region",))


# ------------------------------------------------------------------ the generator

def test_generator_is_seeded_partitioned_and_complete(tmp_path):
    first = cxstats.simulate_feedback(tmp_path / "a", rows=24_001, months=3, start="2023-11", seed=4)
    again = cxstats.simulate_feedback(tmp_path / "b", rows=24_001, months=3, start="2023-11", seed=4)
    other = cxstats.simulate_feedback(tmp_path / "c", rows=24_001, months=3, start="2023-11", seed=5)
    assert sorted(p.name for p in first.iterdir()) == ["month=2023-11", "month=2023-12", "month=2024-01"]
    read = lambda folder: ds.dataset(folder, partitioning="hive").to_table().to_pandas()  # noqa: E731
    a, b, c = read(first), read(again), read(other)
    pd.testing.assert_frame_equal(a, b)
    assert not a.nps.equals(c.nps)
    assert len(a) == 24_001 and sorted(a.response_id) == list(range(24_001))
    assert a.groupby("month", observed=True).size().tolist() == [8001, 8000, 8000]
    assert set(a.columns) == {"response_id", "response_time", "channel", "region", "store", "segment", "nps", "csat",
                              "resolved", "weight", "month"}
    assert a.nps.dropna().between(0, 10).all() and a.csat.dropna().between(1, 5).all()
    months = a.response_time.dt.strftime("%Y-%m")
    assert (months == a.month.astype(str)).all()
    assert a.store.astype(str).str[0].tolist() == a.region.astype(str).str[0].tolist()
    with pytest.raises(ValueError, match="must be a new or empty folder"):
        cxstats.simulate_feedback(first, rows=100)
    with pytest.raises(ValueError, match="rows must be"):
        cxstats.simulate_feedback(tmp_path / "d", rows=5)
    with pytest.raises(ValueError, match="start must be a month"):
        cxstats.simulate_feedback(tmp_path / "e", start="soon")


def test_generated_table_recovers_the_planted_truth(feedback):
    """Weighted NPS per month and channel is within sampling error of the planted value; unweighted is biased."""
    design = cxstats.survey_design(feedback, weight="weight")
    got = cxstats.nps(design, "nps", by=["month", "channel"])
    check = got.merge(cxstats.feedback_truth()[["month", "channel", "nps"]], on=["month", "channel"])
    z = (check.estimate - check.nps) / check.se
    assert len(check) == 60 and np.abs(z).max() < 4.5
    assert 0.85 <= ((check.ci_low <= check.nps) & (check.nps <= check.ci_high)).mean()
    planted = cxstats.feedback_truth(by=()).nps[0]
    weighted, unweighted = cxstats.nps(design, "nps"), cxstats.nps(feedback, "nps")
    assert abs(weighted.estimate[0] - planted) < 4.5 * weighted.se[0]
    assert unweighted.estimate[0] - planted > 10 * unweighted.se[0]  # loyal customers over-represented
    share = weighted.n_missing[0] / design.n_rows
    assert abs(share - 0.02) < 4 * np.sqrt(0.02 * 0.98 / design.n_rows)
    csat = cxstats.top_box(design, "csat", scale=range(1, 6), by="channel")
    truth = cxstats.feedback_truth(by=("channel",)).set_index("channel").loc[csat.channel]
    assert np.abs((csat.estimate.to_numpy() - truth.csat_top2.to_numpy()) / csat.se.to_numpy()).max() < 4.5


# ------------------------------------------------------------------ wave-over-wave changes

def _waves(n=900, seed=2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    region = rng.choice(["N", "S"], n)
    return pd.DataFrame({"region": region, "store": [f"{r}{s}" for r, s in zip(region, rng.integers(0, 5, n),
                                                                               strict=True)],
                         "month": rng.choice(["2024-01", "2024-02", "2024-03", "2024-04"], n),
                         "channel": rng.choice(["app", "chat"], n), "ltr": rng.integers(0, 11, n).astype(float),
                         "w": rng.uniform(0.5, 2.0, n)})


def test_wave_changes_are_compare_domains_pairs_of_consecutive_waves():
    """Each change equals compare_domains' difference of the two (channel, month) domains (R-checked), with the sign
    turned to later minus earlier; Holm is applied over the changes tested."""
    design = cxstats.survey_design(_waves(), weight="w", strata="region", cluster="store")
    got = cxstats.wave_changes(design, "ltr", wave="month", by="channel")
    pairs = cxstats.compare_domains(design, "ltr", by=["channel", "month"], measure="nps", adjust="none")
    pairs = {(r.group1, r.group2): r for r in pairs.itertuples()}
    for row in got.itertuples():
        ref = pairs[(row.channel, row.group2), (row.channel, row.group1)]
        assert_allclose([row.diff, row.se, row.p_value, row.ci_low, row.ci_high],
                        [-ref.diff, ref.se, ref.p_value, -ref.ci_high, -ref.ci_low], rtol=1e-12)
        assert (row.n1, row.n2) == (ref.n2, ref.n1)
    assert_allclose(got.p_adjusted, cxstats.adjust_pvalues(got.p_value, method="holm")["p_adjusted"], rtol=1e-12)
    assert got[["channel", "group1", "group2"]].values.tolist()[:3] == [
        ["app", "2024-02", "2024-01"], ["app", "2024-03", "2024-02"], ["app", "2024-04", "2024-03"]]


def test_wave_changes_of_independent_responses_add_the_variances():
    """Rows as PSUs: the two months' estimates are uncorrelated, so se = sqrt(se1^2 + se2^2) from nps() itself."""
    df = _waves()
    got = cxstats.wave_changes(df, "ltr", wave="month", weight="w")
    per_month = cxstats.nps(df, "ltr", by="month", weight="w").set_index("month")
    expected = np.hypot(per_month.se.to_numpy()[1:], per_month.se.to_numpy()[:-1])
    assert_allclose(got.se, expected, rtol=1e-9)
    assert_allclose(got["diff"], np.diff(per_month.estimate.to_numpy()), rtol=1e-12)


def test_wave_without_answers_is_listed_not_tested():
    df = _waves()
    df = df[~((df.channel == "app") & (df.month == "2024-02"))]
    got = cxstats.wave_changes(df, "ltr", wave="month", by="channel", weight="w")
    untested = got[got.p_value.isna()]
    assert untested[["channel", "group1", "group2"]].values.tolist() == [["app", "2024-02", "2024-01"],
                                                                          ["app", "2024-03", "2024-02"]]
    assert untested.note.str.contains("not tested: wave '2024-02' has no answers in this group").all()
    assert untested.p_adjusted.isna().all()
    tested = got.p_value.notna()
    assert_allclose(got.p_adjusted[tested], cxstats.adjust_pvalues(got.p_value[tested])["p_adjusted"], rtol=1e-12)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"wave": "nope"}, r"column\(s\) \['nope'\] not in"),
    ({"wave": "ltr"}, "is also the answer"),
    ({"wave": "channel", "by": "channel"}, "is also the answer or one of by"),
    ({"wave": ["month"]}, "wave must be one column name"),
    ({"wave": "month", "adjust": "tukey"}, "adjust='tukey' is not valid"),
])
def test_wave_changes_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cxstats.wave_changes(_waves(), "ltr", **kwargs)


def test_single_wave_is_an_error():
    with pytest.raises(ValueError, match="has 1 wave"):
        cxstats.wave_changes(_waves().assign(month="2024-01"), "ltr", wave="month")


# ------------------------------------------------------------------ the trend chart

def test_plot_trend_draws_a_line_and_band_per_group_with_gaps():
    import matplotlib.pyplot as plt

    table = pd.DataFrame({"month": ["2024-02", "2024-01", "2024-03"] * 2, "channel": ["app"] * 3 + ["chat"] * 3,
                          "estimate": [25.0, 20.0, np.nan, 10.0, 8.0, 9.0], "ci_low": [20.0, 15.0, np.nan, 5, 3, 4],
                          "ci_high": [30.0, 25.0, np.nan, 15, 13, 14]})
    ax = plots.plot_trend(table, x="month", hue="channel", ylabel="NPS (points)", reference=0)
    lines = [line for line in ax.get_lines() if line.get_label() in ("app", "chat")]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2024-01", "2024-02", "2024-03"]
    assert_allclose(lines[0].get_ydata(), [20.0, 25.0, np.nan])  # placed by month, the missing month a gap
    assert len(ax.collections) == 2  # one band per channel
    assert ax.get_xlabel() == "month" and ax.get_legend().get_title().get_text() == "channel"  # the column names
    ax = plots.plot_trend(table, x="month", hue="channel", xlabel="Month of response", legend_title="Channel")
    assert ax.get_xlabel() == "Month of response" and ax.get_legend().get_title().get_text() == "Channel"
    plt.close("all")
    with pytest.raises(ValueError, match="more than one row for"):
        plots.plot_trend(pd.concat([table, table]), x="month", hue="channel")
    with pytest.raises(ValueError, match="missing column"):
        plots.plot_trend(table, x="wave")


# ------------------------------------------------------------------ notebook 13

@pytest.mark.xdist_group("reports")
def test_notebook_13_finds_the_planted_change_and_reads_a_given_path(tmp_path):
    """Built on a generated table (smaller than the default), the page's numbers are the library's on the same
    table; run again with ``path`` at that table written as one Parquet file with 1% of channels missing and a
    small "kiosk" channel with a month without answers, it gives the same first-month NPS, counts the responses
    without a channel and the cells below the small base (counted here with pandas), and refuses ``table`` without
    ``connection``."""
    notebook = ROOT / "notebooks" / "13_tracking_nps_across_waves.ipynb"
    result = run_notebook(notebook, tmp_path / "generated", parameters={"rows": 120_000, "seed": 3})
    assert result.status == "ok", result.error
    got = read_records(tmp_path / "generated" / "notebooks" / notebook.name)
    table = cxstats.simulate_feedback(tmp_path / "table", rows=120_000, seed=3)
    design = cxstats.survey_design(table, weight="weight")
    first = cxstats.nps(design, "nps", by="month").estimate[0]
    changes = cxstats.wave_changes(design, "nps", wave="month", by="channel")
    phone = changes[(changes.channel == "phone") & (changes.group1 == "2024-07")]
    assert_allclose([got["nps_first_wave"], got["planted_change"]], [first, phone["diff"].item()], rtol=1e-9)
    assert got["n_flagged"] == (changes.p_adjusted <= 0.05).sum() >= 1
    one_file = tmp_path / "feedback.parquet"
    frame = ds.dataset(table, partitioning="hive").to_table().to_pandas()
    rng = np.random.default_rng(5)
    frame["channel"] = frame["channel"].astype(object)
    frame.loc[rng.random(len(frame)) < 0.01, "channel"] = None  # missing groups
    kiosk = rng.choice(np.flatnonzero(frame["month"].ne("2024-04").to_numpy()), 60, replace=False)
    frame.loc[kiosk, "channel"] = "kiosk"  # about 5 answers a month, none in 2024-04
    frame.to_parquet(one_file)
    result = run_notebook(notebook, tmp_path / "given", parameters={"path": str(one_file)})
    assert result.status == "ok", result.error
    again = read_records(tmp_path / "given" / "notebooks" / notebook.name)
    assert_allclose(again["nps_first_wave"], first, rtol=1e-9)
    assert again["n_no_group"] == frame["channel"].isna().sum() > 0
    cells = frame.dropna(subset=["nps"]).groupby(["month", "channel"], dropna=False).size()
    assert again["n_small_cells"] == (cells < 30).sum() >= 11
    assert "planted_change" not in again  # a given table has no planted truth
    result = run_notebook(notebook, tmp_path / "table", parameters={"path": str(one_file), "table": "feedback"})
    assert result.status != "ok" and "connection is None" in str(result.error)
