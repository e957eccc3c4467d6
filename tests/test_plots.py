"""Plots draw what they are given, with a title, axis labels and a caption."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from numpy.testing import assert_allclose  # noqa: E402

import cxstats  # noqa: E402
from cxstats import plots  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _captions(ax):
    return [t.get_text() for t in ax.texts]


def test_plot_figures_draws_intervals():
    """Points sit at the printed percentages and bars span the intervals; untestable rows are hollow."""
    table = cxstats.analyze_figures(cxstats.load("accenture_2016"))
    ax = plots.plot_figures(table, reference=50, caption="cap")
    points = ax.lines[0].get_xydata()  # the errorbar's data line, drawn bottom-up
    testable = table[table.testable].iloc[::-1]
    assert_allclose(points[:, 0], testable.percent)
    assert ax.get_title(loc="left") and ax.get_xlabel() == "Percent of respondents" and _captions(ax) == ["cap"]
    assert ax.get_ylabel() == "Published figure"
    assert len(ax.get_yticklabels()) == len(table)


def test_plot_dumbbell_one_row_per_figure():
    """One row per figure, both groups drawn at their printed shares."""
    table = cxstats.analyze_figures(cxstats.load("calabrio_2022"))
    ax = plots.plot_dumbbell(table, ("managers", "consumers"), caption="cap")
    assert len(ax.get_yticks()) == 3
    drawn = sorted(np.concatenate([line.get_xdata() for line in ax.lines[:3]]))
    assert_allclose(drawn, sorted(table.percent))


def test_plot_forest_has_pooled_diamond():
    """The diamond spans the pooled interval."""
    result = cxstats.meta_proportions([901, 2075], [2003, 2500], labels=["A", "B"])
    ax = plots.plot_forest(result)
    diamond = ax.patches[0].get_xy()
    assert_allclose([diamond[:, 0].min(), diamond[:, 0].max()],
                    100 * result.pooled[["ci_low", "ci_high"]].to_numpy()[0])


def test_plot_power_curve_matches_power_function():
    """The curve is power_proportions at each base."""
    nobs = np.arange(100, 1001, 100)
    ax = plots.plot_power_curve([0.55], [0.50], nobs=nobs)
    assert_allclose(ax.lines[0].get_ydata(), cxstats.power_proportions(0.55, 0.50, nobs1=nobs)["power"])
    assert ax.get_ylabel() == "Power" and ax.get_xlabel() == "Respondents per group"


def test_plot_likert_diverges_around_neutral():
    """Bars sum to 100% per item and the neutral answer is split evenly around zero."""
    import pandas as pd

    df = pd.DataFrame({"speed": [1, 2, 3, 4, 5, 5], "empathy": [3, 3, 3, 3, 1, 5]})
    ax = plots.plot_likert(df, ["speed", "empathy"], scale=range(1, 6), caption="cap")
    widths = np.array([p.get_width() for p in ax.patches]).reshape(5, 2)  # 5 answers x 2 items
    assert_allclose(widths.sum(axis=0), [100, 100])
    lefts = np.array([p.get_x() for p in ax.patches]).reshape(5, 2)
    assert_allclose(lefts[2], -widths[2] / 2)  # the middle answer straddles zero
    assert ax.get_xlabel() == "Percent of those who answered" and _captions(ax) == ["cap"]
    assert ax.xaxis.get_major_formatter()(-40, 0) == "40"  # the lower half, left of 0, in positive percentages


def test_likert_places_answers_by_value_not_position():
    """An item where nobody chose 1 or 2 still has five points: its shares sit on 3, 4, 5, not on 1, 2, 3."""
    import pandas as pd

    df = pd.DataFrame({"speed": [3, 4, 5, 5], "w": [1.0, 1.0, 1.0, 3.0]})
    shares = plots.likert_shares(df, ["speed"], scale=range(1, 6), weight="w")
    assert_allclose(shares.loc["speed"].to_numpy(), [0, 0, 1 / 6, 1 / 6, 4 / 6])
    with pytest.raises(ValueError, match=r"column 'speed' has answers \[5\] that are not on the scale"):
        plots.likert_shares(df, ["speed"], scale=range(1, 5))


def test_segment_plots_show_profile_and_sizes():
    """The heatmap annotates every segment x answer cell; the size bars are the segment shares."""
    import pandas as pd

    df = pd.DataFrame({"human": [1, 1, 0, 0, 1, 0], "csat": [5, 4, 2, 1, 5, 2], "segment": [0, 0, 1, 1, 0, 1]})
    table = cxstats.profile(df, "segment")
    ax = plots.plot_segment_profiles(table, labels={"human": "prefers a human"})
    assert len([t for t in ax.texts if t.get_text()]) == 4
    assert [t.get_text() for t in ax.get_yticklabels()] == ["prefers a human", "csat"]
    ax = plots.plot_segment_sizes(table)
    assert_allclose([p.get_height() for p in ax.patches], [50, 50])


def test_selection_plot_marks_suggested_k():
    """BIC is drawn against k and the suggested k gets a vertical line."""
    import pandas as pd

    table = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, 8.0, 9.0], "sabic": [9.0, 7.5, 8.5],
                          "entropy": [0.9, 0.95, 0.8], "silhouette": [np.nan] * 3, "stability": [0.9, 0.99, 0.7],
                          "suggested": [False, True, False]})
    ax = plots.plot_selection(table)
    assert_allclose(ax.lines[0].get_ydata(), table.bic)
    assert any(len(line.get_xdata()) == 2 and np.allclose(line.get_xdata(), 3) for line in ax.lines)


def test_van_westendorp_plot_draws_the_curves():
    """The four curves are drawn in percent and the acceptable range is shaded between PMC and PME."""
    import pandas as pd

    df = pd.DataFrame({"tc": [1, 2, 3, 4, 5], "c": [3, 4, 5, 6, 7], "e": [5, 6, 7, 8, 9], "te": [8, 9, 10, 11, 12]})
    res = cxstats.van_westendorp(df, "tc", "c", "e", "te")
    ax = plots.plot_van_westendorp(res)
    assert_allclose(ax.lines[0].get_ydata(), 100 * res.curves.too_cheap)
    span = ax.patches[0].get_bbox()  # the shaded acceptable range, in data coordinates
    points = res.price_points.set_index("point").price
    assert_allclose([span.x0, span.x1], [points.pmc, points.pme])


@pytest.fixture(scope="module")
def satisfaction():
    """The real customer_sat ratings and their key drivers (few bootstrap replicates: the plots only draw them)."""
    sat = cxstats.load_responses("customer_sat")
    drivers = [f"q{i}" for i in range(2, 11)]
    return sat, cxstats.key_drivers(sat, "q1", drivers, n_boot=50, seed=1)


def _crowded():
    """Ten drivers of nearly equal importance and performance: their points, and labels, start on top of each other."""
    import pandas as pd

    rng = np.random.default_rng(3)
    common = rng.normal(size=(800, 1))
    ratings = np.clip(np.round(6 + 1.5 * (common + 0.3 * rng.normal(size=(800, 10)))), 1, 10)
    df = pd.DataFrame(ratings, columns=[f"attribute_{i}" for i in range(10)])
    df["overall"] = ratings.mean(axis=1) + rng.normal(size=800)
    return df, cxstats.key_drivers(df, "overall", list(df.columns[:10]), n_boot=50, seed=1)


def _label_boxes(ax):
    from matplotlib.text import Text

    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "driver_label"]
    return labels, [Text.get_window_extent(t, renderer) for t in labels], renderer


def test_plot_drivers_draws_the_table(satisfaction):
    """Points are (mean rating, 100 x share) of each driver in table order, whiskers the share intervals, the
    quadrant lines sit at the mean performance and mean importance, and the caption states both."""
    sat, res = satisfaction
    labels = {"q4": "pricing given volume"}
    ax = plots.plot_drivers(res, sat, scale=range(1, 11), labels=labels)
    (points,) = [c for c in ax.collections if c.get_gid() == "drivers"]
    means = [cxstats.weighted_mean(sat, d)["estimate"].iloc[0] for d in res.table.driver]
    assert_allclose(points.get_offsets(), np.column_stack([means, 100 * res.table.share]))
    vertical, horizontal = [line for line in ax.lines if line.get_gid() == "quadrant"]
    assert_allclose(vertical.get_xdata(), [np.mean(means)] * 2)
    assert_allclose(horizontal.get_ydata(), [100 / len(res.table)] * 2)  # shares sum to 1: their mean is 1 / k
    whiskers = np.array([seg[:, 1] for seg in ax.collections[0].get_segments()])
    assert_allclose(whiskers, 100 * res.table[["share_ci_low", "share_ci_high"]].to_numpy())
    caption = _captions(ax)[-1]
    assert f"mean importance ({100 / 9:.1f}% of R²" in caption and f"mean performance ({np.mean(means):.2f})" in caption
    drawn = [t.get_text().replace("\n", " ") for t in ax.texts if t.get_gid() == "driver_label"]
    assert drawn == ["q2", "q3", "pricing given volume", *[f"q{i}" for i in range(5, 11)]]
    assert ax.get_xlabel() == "Performance: mean rating (1 to 10)" and ax.get_ylabel() == "Importance: percent of R²"


def test_plot_drivers_top_box_and_quadrants(satisfaction):
    """With performance="top_box" the points are top-2-box percentages; driver_quadrants names each quadrant by
    comparing the same numbers with the two means."""
    sat, res = satisfaction
    ax = plots.plot_drivers(res, sat, performance="top_box", scale=range(1, 11), caption="")
    (points,) = [c for c in ax.collections if c.get_gid() == "drivers"]
    shares = [cxstats.top_box(sat, d, k=2, scale=range(1, 11))["estimate"].iloc[0] for d in res.table.driver]
    assert_allclose(points.get_offsets()[:, 0], 100 * np.array(shares))
    assert ax.get_xlabel() == "Performance: percent in the top 2 boxes (9, 10)"
    assert not [t for t in ax.texts if t.get_gid() not in ("driver_label", "quadrant_name")]  # caption="": none
    table = plots.driver_quadrants(res, sat, performance="top_box", scale=range(1, 11))
    assert_allclose(table.performance, shares)
    high_imp, high_perf = table.share >= 1 / 9, table.performance >= np.mean(shares)
    expected = np.select([high_imp & ~high_perf, high_imp & high_perf, ~high_imp & ~high_perf],
                         ["concentrate here", "keep up the good work", "low priority"], "possible overkill")
    assert table.quadrant.tolist() == expected.tolist()
    assert_allclose([table.attrs["mean_importance"], table.attrs["mean_performance"]], [1 / 9, np.mean(shares)])


@pytest.mark.parametrize("case", ["real", "crowded"])
def test_plot_drivers_labels_do_not_overlap(satisfaction, case):
    """After drawing, no two labels overlap, none covers a quadrant name, and all stay inside the axes, even when
    ten points start on top of one another."""
    sat, res = satisfaction
    if case == "real":
        words = sat.attrs["column_labels"]
        ax = plots.plot_drivers(res, sat, scale=range(1, 11), labels={d: f"{d}: {words[d]}" for d in words})
    else:
        df, res = _crowded()
        ax = plots.plot_drivers(res, df, scale=range(1, 11))
    labels, boxes, renderer = _label_boxes(ax)
    assert len(labels) == len(res.table)
    overlapping = [(labels[i].get_text(), labels[j].get_text()) for i in range(len(boxes))
                   for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    assert overlapping == []
    names = [t for t in ax.texts if t.get_gid() == "quadrant_name"]
    assert sorted(t.get_text() for t in names) == ["Concentrate here", "Keep up the good work", "Low priority",
                                                   "Possible overkill"]
    assert not any(b.overlaps(n.get_window_extent(renderer)) for b in boxes for n in names)
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    # nor does a label touch a whisker or a dashed quadrant line (display pixels, from the drawn artists)
    lines = [ax.transData.transform(seg) for seg in ax.collections[0].get_segments()]
    for line in (t for t in ax.lines if t.get_gid() == "quadrant"):
        lines.append(line.get_transform().transform(line.get_xydata()))
    touching = [(label.get_text(), (a, b)) for label, box in zip(labels, boxes, strict=True) for a, b in lines
                if min(a[0], b[0]) <= box.x1 and max(a[0], b[0]) >= box.x0
                and min(a[1], b[1]) <= box.y1 and max(a[1], b[1]) >= box.y0]
    assert touching == []


def test_driver_quadrants_use_the_weight_key_drivers_used():
    """Performance is weighted like importance by default: the result's weight column is used without being
    repeated (means equal numpy's weighted means); a different weight, or one the analysis did not use, is refused."""
    import pandas as pd

    rng = np.random.default_rng(5)
    df = pd.DataFrame(rng.integers(1, 6, size=(400, 3)).astype(float), columns=["a", "b", "c"])
    df["y"] = df.a + 0.5 * df.b + rng.normal(size=400)
    df["w"] = np.where(df.a >= 4, 3.0, 0.5)  # weights that move the means
    df["v"] = 1.0
    res = cxstats.key_drivers(df, "y", ["a", "b", "c"], weight="w", n_boot=0)
    assert res.weight == "w"
    table = plots.driver_quadrants(res, df)
    assert_allclose(table.performance, [np.average(df[c], weights=df.w) for c in "abc"], rtol=1e-12)
    assert_allclose(plots.driver_quadrants(res, df, weight="w").performance, table.performance)
    assert_allclose(plots.driver_quadrants(res, cxstats.survey_design(df, weight="w")).performance, table.performance)
    with pytest.raises(ValueError, match=r"weight='v' differs from the weight key_drivers used \('w'\)"):
        plots.driver_quadrants(res, df, weight="v")
    with pytest.raises(ValueError, match=r"weighted by None, but key_drivers used weight 'w'"):
        plots.plot_drivers(res, cxstats.survey_design(df))
    unweighted = cxstats.key_drivers(df, "y", ["a", "b", "c"], n_boot=0)
    assert unweighted.weight is None
    assert_allclose(plots.driver_quadrants(unweighted, df).performance, df[["a", "b", "c"]].mean())
    with pytest.raises(ValueError, match=r"weight='w' differs from the weight key_drivers used \(None\)"):
        plots.driver_quadrants(unweighted, df, weight="w")


def test_plot_driver_shares_sorted_bars_with_intervals(satisfaction):
    """Bars are the shares in percent, largest on top; the whiskers span the share intervals."""
    _, res = satisfaction
    ax = plots.plot_driver_shares(res, labels={"q4": "pricing"}, caption="cap")
    ordered = res.table.sort_values("share")  # drawn bottom-up
    assert_allclose([p.get_width() for p in ax.patches], 100 * ordered.share)
    names = [t.get_text() for t in ax.get_yticklabels()]
    assert names == [("pricing" if d == "q4" else d) for d in ordered.driver]
    segments = ax.containers[1].lines[2][0].get_segments()
    assert_allclose([seg[:, 0] for seg in segments], 100 * ordered[["share_ci_low", "share_ci_high"]].to_numpy())
    assert ax.get_xlabel() == "Share of R² (percent of the explained variance)" and _captions(ax) == ["cap"]


def test_driver_plots_without_intervals():
    """A result without bootstrap replicates is drawn without whiskers, and the caption does not mention them."""
    import pandas as pd

    rng = np.random.default_rng(1)
    df = pd.DataFrame(rng.integers(1, 6, size=(200, 3)), columns=["staff", "speed", "price"])
    df["overall"] = df.staff + df.speed + rng.integers(0, 3, 200)
    res = cxstats.key_drivers(df, "overall", ["staff", "speed", "price"], n_boot=0)
    ax = plots.plot_driver_shares(res)
    assert len(ax.containers) == 1 and [t.get_text() for t in ax.get_yticklabels()][-1] == res.table.driver[
        res.table["rank"] == 1].iloc[0]
    ax = plots.plot_drivers(res, df, scale=range(1, 6))
    assert [c.get_gid() for c in ax.collections] == ["drivers"] and "Whiskers" not in _captions(ax)[-1]


def test_driver_plots_reject_bad_input(satisfaction):
    """Each bad argument is a ValueError that names it."""
    import pandas as pd

    sat, res = satisfaction
    with pytest.raises(ValueError, match=r"performance='median' is not valid; choose one of: 'mean', 'top_box'"):
        plots.plot_drivers(res, sat, performance="median")
    with pytest.raises(ValueError, match="result must be the result of cxstats.key_drivers"):
        plots.plot_drivers(res.table, sat)
    with pytest.raises(ValueError, match="result must be the result of cxstats.key_drivers"):
        plots.plot_driver_shares(pd.DataFrame({"driver": ["a"]}))
    with pytest.raises(ValueError, match=r"labels must be a dict \{driver: label\} or a list of 9 labels"):
        plots.plot_drivers(res, sat, scale=range(1, 11), labels=["too", "few"])
    with pytest.raises(ValueError, match="labels must be a dict"):
        plots.plot_driver_shares(res, labels="q4")
    with pytest.raises(ValueError, match="give scale= for 'q2'"):
        plots.plot_drivers(res, sat, performance="top_box")
    with pytest.raises(ValueError, match=r"column\(s\) \['q2'\] not in the data"):
        plots.plot_drivers(res, sat.drop(columns="q2"))


def _bad_inputs():
    import pandas as pd

    raw = cxstats.load("calabrio_2022")
    figures = cxstats.analyze_figures(raw)
    return [
        ("plot_figures", lambda: plots.plot_figures(raw.iloc[:0]), r"table is missing column\(s\) \['ci_low'"),
        ("plot_figures empty", lambda: plots.plot_figures(figures.iloc[:0]), "table is empty"),
        ("plot_dumbbell", lambda: plots.plot_dumbbell(figures, ["nope", "managers"]),
         r"groups \['nope'\] not in table; available groups: \['managers', 'consumers'\]"),
        ("plot_forest", lambda: plots.plot_forest(pd.DataFrame()),
         r"result must be a MetaResult \(the output of cxstats.meta_proportions\), got DataFrame"),
        ("plot_power_curve", lambda: plots.plot_power_curve([0.5, 0.6], [0.55], nobs=[100]),
         "p1 and p2 must be equally many shares between 0 and 1"),
        ("plot_likert", lambda: plots.plot_likert(pd.DataFrame({"a": [1]}), "a"),
         "columns must be a list of rating items"),
        ("likert_shares", lambda: plots.likert_shares(5, ["a"]), "data must be a pandas DataFrame, a path"),
        ("plot_segment_profiles", lambda: plots.plot_segment_profiles("x"),
         r"table must be a pandas DataFrame \(the output of cxstats.profile\), got str"),
        ("plot_segment_sizes", lambda: plots.plot_segment_sizes(pd.Series([1])),
         r"table must be a pandas DataFrame \(the output of cxstats.profile\), got Series"),
        ("plot_selection", lambda: plots.plot_selection(pd.DataFrame({"k": [2]})),
         r"table is missing column\(s\) \['bic', 'sabic', 'suggested'\]"),
        ("plot_van_westendorp", lambda: plots.plot_van_westendorp("x"),
         r"result must be a VanWestendorpResult \(the output of cxstats.van_westendorp\), got str"),
        ("plot_drivers", lambda: plots.plot_drivers(None, pd.DataFrame()), "result must be the result of"),
        ("plot_driver_shares", lambda: plots.plot_driver_shares("x"), "result must be the result of"),
        ("driver_quadrants", lambda: plots.driver_quadrants([], pd.DataFrame()), "result must be the result of"),
        ("plot_nps", lambda: plots.plot_nps(pd.DataFrame({"estimate": [1.0]})),
         r"table is missing column\(s\) \['promoters', 'passives', 'detractors'\]; expected \['estimate', "
         r"'promoters', 'passives', 'detractors'\] \(the output of cxstats.nps\)"),
        ("plot_nps labels", lambda: plots.plot_nps(cxstats.nps(pd.Series([10, 3], name="ltr")), labels=["a", "b"]),
         r"labels must be a list of one name per row of table \(1\)"),
    ]


@pytest.mark.parametrize("case", range(len(_bad_inputs())), ids=[c[0] for c in _bad_inputs()])
def test_public_plots_reject_bad_input_with_a_value_error(case):
    """Every public function checks its arguments first: a ValueError naming the argument, never a raw traceback."""
    _, call, message = _bad_inputs()[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_every_public_plot_has_a_bad_input_case():
    assert {c[0].split()[0] for c in _bad_inputs()} >= set(plots.__all__)
