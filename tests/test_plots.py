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
    organisations = plots.plot_figures(cxstats.analyze_figures(cxstats.load("dimension_data_2017")),
                                       base="organisations")
    assert organisations.get_xlabel() == "Percent of organisations"


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
    assert ax.get_ylabel() == "Power (%)" and ax.get_xlabel() == "Respondents per group"
    assert ax.yaxis.get_major_formatter()(0.8, 0) == "80%"  # ticks in percent, as the tables show power


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


def test_segment_profile_colours_share_gaps_in_points_on_one_scale():
    """Share cells are coloured by their difference from the rest in percentage points (one scale for all rows);
    a tested cell that is not significant after Holm's adjustment, and a mean, are left uncoloured."""
    import pandas as pd

    rng = np.random.default_rng(4)
    segment = np.repeat([0, 1], 200)
    df = pd.DataFrame({"segment": segment, "split": (segment == 0).astype(int),  # 100 points apart
                       "noise": rng.integers(0, 2, 400), "score": rng.normal(5, 1, 400) + 3 * segment})
    table = cxstats.profile(df, "segment")
    ax = plots.plot_segment_profiles(table)
    cells = ax.collections[0].get_array().reshape(3, 2)  # rows in table order: split, noise, score
    order = list(dict.fromkeys(table.column))
    split = table[table.column == "split"]
    assert_allclose(cells[order.index("split")], split["diff"].to_numpy() * 100)
    noise = table[table.column == "noise"]
    assert (noise.p_adjusted >= 0.05).all() and np.ma.getmaskarray(cells)[order.index("noise")].all()
    assert np.ma.getmaskarray(cells)[order.index("score")].all()  # a mean: other units
    assert ax.collections[0].colorbar.ax.get_ylabel() == "difference from the rest (percentage points)"
    assert len([t for t in ax.texts if t.get_text()]) == 6  # every cell is still annotated


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
        ("plot_power_curve mark", lambda: plots.plot_power_curve([0.5], [0.55], nobs=[100], mark=0),
         "mark must be a positive base per group"),
        ("plot_datasets", lambda: plots.plot_datasets(figures), r"table is missing column\(s\) \['kind'\]"),
        ("plot_datasets empty", lambda: plots.plot_datasets(raw.iloc[:0]), "table is empty"),
        ("plot_rounding", lambda: plots.plot_rounding(raw), r"table is missing column\(s\) \['ci_low'"),
        ("plot_rounding decimals", lambda: plots.plot_rounding(figures, decimals=7),
         "decimals must be a whole number from 0 to 4"),
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
        ("plot_nps axes", lambda: plots.plot_nps(cxstats.nps(pd.Series([10, 3], name="ltr")), axes=[None]),
         r"axes must be two matplotlib Axes \(bars, scores\)"),
        ("plot_intervals", lambda: plots.plot_intervals(pd.DataFrame({"estimate": [0.5]}), label="item"),
         r"table is missing column\(s\) \['ci_low', 'ci_high', 'item'\]"),
        ("plot_intervals label", lambda: plots.plot_intervals(
            pd.DataFrame({"estimate": [0.5], "ci_low": [0.4], "ci_high": [0.6]}), label=["a", "b"]),
         r"label must be a column of table or a list of one name per row \(1\)"),
        ("plot_intervals scale", lambda: plots.plot_intervals(
            pd.DataFrame({"estimate": [0.5], "ci_low": [0.4], "ci_high": [0.6]}), label=["a"], scale=0),
         "scale must be a positive number"),
        ("plot_trend", lambda: plots.plot_trend(pd.DataFrame({"estimate": [0.5]}), x="month"),
         r"table is missing column\(s\) \['month', 'ci_low', 'ci_high'\]"),
        ("plot_trend repeated", lambda: plots.plot_trend(
            pd.DataFrame({"month": ["m1", "m1"], "estimate": [0.5, 0.6], "ci_low": [0.4, 0.5], "ci_high": [0.6, 0.7]}),
            x="month"), r"table has more than one row for \{'month': 'm1'\}"),
        ("plot_van_westendorp coverage", lambda: plots.plot_van_westendorp(cxstats.van_westendorp(
            pd.DataFrame({"tc": [1, 2], "c": [3, 4], "e": [5, 6], "te": [8, 9]}), "tc", "c", "e", "te"),
            coverage=0.2), "coverage must be a share from 0.5 to 1"),
    ]


@pytest.mark.parametrize("case", range(len(_bad_inputs())), ids=[c[0] for c in _bad_inputs()])
def test_public_plots_reject_bad_input_with_a_value_error(case):
    """Every public function checks its arguments first: a ValueError naming the argument, never a raw traceback."""
    _, call, message = _bad_inputs()[case]
    with pytest.raises(ValueError, match=message):
        call()


def test_every_public_plot_has_a_bad_input_case():
    assert {c[0].split()[0] for c in _bad_inputs()} >= set(plots.__all__)


def _tick_texts(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def _overlapping_ticks(ax):
    """Pairs of y tick labels whose drawn boxes overlap (checked on the rendered figure)."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]


@pytest.mark.parametrize("name", ["accenture_2016", "gladly_2021", "microsoft_2017"])
def test_plot_figures_wraps_labels_in_full_without_overlap(name):
    """Row labels are the statements in full (wrapped, never cut with an ellipsis), and no two labels overlap."""
    table = cxstats.analyze_figures(cxstats.load(name))
    ax = plots.plot_figures(table)
    shown = [" ".join(t.split("\n")) for t in _tick_texts(ax)]
    assert shown == list(table.statement.iloc[::-1])
    assert not any("\u2026" in t for t in shown)
    assert _overlapping_ticks(ax) == []


def test_plot_figures_legend_names_only_what_is_drawn():
    """Gladly has no base at all: no 'interval' entry in the legend; the reference line is named."""
    ax = plots.plot_figures(cxstats.analyze_figures(cxstats.load("gladly_2021")), reference=50)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["no base published: no interval", "reference: 50%"]


def test_dumbbell_and_forest_labels_in_full():
    """Dumbbell and forest plots wrap long labels instead of cutting them."""
    table = cxstats.analyze_figures(cxstats.load("calabrio_2022"))
    ax = plots.plot_dumbbell(table, ("managers", "consumers"))
    assert sorted(" ".join(t.split("\n")) for t in _tick_texts(ax)) == sorted(table.statement.unique())
    assert _overlapping_ticks(ax) == []
    long = "A survey whose label is much longer than one line of a figure could ever hold"
    result = cxstats.meta_proportions([901, 2075], [2003, 2500], labels=[long, "B"])
    ax = plots.plot_forest(result)
    assert [" ".join(t.split("\n")) for t in _tick_texts(ax)] == [long, "B", "pooled (random effects)"]
    assert _overlapping_ticks(ax) == []


def test_plot_power_curve_marks_a_base_and_names_every_line():
    """mark= draws a solid vertical line at that base; the 80% line and the base reaching it are in the legend."""
    ax = plots.plot_power_curve([0.60], [0.50], nobs=range(50, 1001, 50), mark=250)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    needed = int(np.ceil(cxstats.power_proportions(0.60, 0.50, power=0.8)["nobs1"].iloc[0]))
    assert legend == ["60% vs 50%", f"{needed:,} per group: 80% power", "power 80%", "250 per group"]
    marked = [line for line in ax.lines if line.get_label() == "250 per group"]
    assert_allclose(marked[0].get_xdata(), [250, 250])


def test_plot_datasets_counts_each_kind_per_survey():
    """One bar of three segments per survey; widths are the survey's shares with a base, shares without one and
    non-shares, counted here independently from load(); the totals add up to every figure row."""
    import pandas as pd

    figures = cxstats.load()
    ax = plots.plot_datasets(figures)
    surveys = list(dict.fromkeys(figures.survey))
    widths = np.array([p.get_width() for p in ax.patches]).reshape(3, len(surveys))
    expected = np.array([[((rows.kind == "share") & rows.n.notna()).sum(),
                          ((rows.kind == "share") & rows.n.isna()).sum(),
                          (rows.kind != "share").sum()] for _, rows in figures.groupby("survey", sort=False)]).T
    assert_allclose(widths, expected)
    assert widths.sum() == len(figures)
    accenture = surveys.index("accenture_2016")
    assert_allclose(widths[:, accenture], [10, 3, 0])  # ten shares of 2,003 consumers, three of switchers
    assert _tick_texts(ax)[accenture] == "Accenture Strategy (2016)"
    assert [t.get_text() for t in ax.texts] == [f"{w:g}" for w in widths.sum(axis=0)]
    assert ax.get_xlabel() == "Figures (one per figure and group)" and ax.get_title(loc="left")
    assert _overlapping_ticks(ax) == []
    no_names = plots.plot_datasets(pd.DataFrame({"survey": ["a", "a"], "kind": ["share", "growth"], "n": [10, None]}))
    assert _tick_texts(no_names) == ["a"]


def test_plot_rounding_draws_what_each_percentage_allows():
    """Bands run from printed - 0.5 to printed + 0.5 (whole percentages); the interval is drawn only where the base
    is known, at the Wilson bounds; the x axis is zoomed to hold every band and interval."""
    figures = cxstats.load()
    table = cxstats.analyze_figures(figures[figures.figure.isin(["service_important_for_loyalty",
                                                                 "service_matters_for_loyalty"])])
    ax = plots.plot_rounding(table, caption="cap")
    bands = [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches]
    assert_allclose(bands, [(p - 0.5, p + 0.5) for p in table.percent])
    caps = [line for line in ax.lines if line.get_marker() == "|"]
    ends = sorted(x for line in caps for x in line.get_xdata())
    testable = table[table.testable]
    assert len(testable) == 1
    assert_allclose(ends, sorted(100 * testable[["ci_low", "ci_high"]].to_numpy().ravel()))
    low, high = ax.get_xlim()
    assert low <= 100 * testable.ci_low.min() and high >= 97.5 and high - low < 10
    assert _captions(ax) == ["cap"]
    one_decimal = table.assign(decimals=1, percent=[96.4, 97.0])
    bands = [(p.get_x(), p.get_x() + p.get_width()) for p in plots.plot_rounding(one_decimal).patches]
    assert_allclose(bands, [(96.35, 96.45), (96.95, 97.05)])


# ---- figures of reports 06-11: what is drawn, and labels that neither repeat nor overlap


def _text_boxes(ax, gid=None):
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts if t.get_text() and (gid is None or t.get_gid() == gid)]


def test_segment_profiles_rows_are_distinct_whole_labels_and_basis_is_set_apart():
    """Two statements sharing their first 45 characters get distinct, uncut row labels; columns are named
    "Segment s"; a profile with a basis draws a line under the answers that formed the segments."""
    import pandas as pd

    df = cxstats.simulate_respondents("accenture_2016", n=400, seed=2)
    items = list(df.attrs["item_probabilities"].index)
    words = cxstats.load("accenture_2016").set_index("figure").statement.to_dict()
    assert words[items[0]][:45] == words[items[1]][:45]  # the two "Prefer dealing with a human..." statements
    table = cxstats.profile(df, "segment_true", columns=["recommend_0_10"], basis=items)
    ax = plots.plot_segment_profiles(table, labels=words)
    rows = [" ".join(t.split()) for t in _tick_texts(ax)]
    assert rows == [" ".join(words[c].split()) for c in items] + ["recommend_0_10"]
    assert "\u2026" not in "".join(rows) and len(set(rows)) == len(rows)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Segment 1", "Segment 2", "Segment 3"]
    assert any(np.allclose(line.get_ydata(), len(items)) for line in ax.lines)  # the basis / descriptor line
    assert _overlapping_ticks(ax) == []
    same = pd.DataFrame({"a": [1, 0, 1, 0], "b": [0, 0, 1, 1], "segment": [0, 0, 1, 1]})
    ax = plots.plot_segment_profiles(cxstats.profile(same, "segment"), labels={"a": "same words", "b": "same words"})
    assert _tick_texts(ax) == ["same words (a)", "same words (b)"]


def test_selection_plot_names_only_the_criteria_it_draws():
    """With no silhouette (latent classes), the right axis draws entropy and stability and names only those."""
    import pandas as pd

    table = pd.DataFrame({"k": [2, 3, 4], "bic": [10.0, 8.0, 9.0], "sabic": [9.0, 7.5, 8.5],
                          "entropy": [0.9, 0.95, 0.8], "silhouette": [np.nan] * 3, "stability": [0.9, 0.99, 0.7],
                          "suggested": [False, True, False]})
    ax = plots.plot_selection(table)
    right = ax.figure.axes[1]
    assert right.get_ylabel() == "Entropy and stability (0 to 1)"
    assert [line.get_label() for line in right.lines] == ["entropy", "stability"]
    assert_allclose(right.lines[1].get_ydata(), table.stability)
    kmeans = table.assign(bic=np.nan, sabic=np.nan, entropy=np.nan, silhouette=[0.3, 0.5, 0.4], stability=np.nan)
    ax = plots.plot_selection(kmeans)
    assert len(ax.figure.axes) == 1 and [line.get_label() for line in ax.lines][0] == "silhouette"


def test_van_westendorp_axis_follows_the_answers_and_point_labels_do_not_overlap():
    """On the synthetic plan the curves run to about $50 but 90% of answers lie far below: the axis stops where
    90% call the price too expensive; the four price points are labelled with their prices, none overlapping."""
    study = cxstats.simulate_price_study(n=1500, seed=8, share_willing=0.45)
    res = cxstats.van_westendorp(study, "too_cheap", "cheap", "expensive", "too_expensive")
    ax = plots.plot_van_westendorp(res, unit="$ a month")
    points = res.price_points.set_index("point").price
    dear = study.too_expensive.quantile(0.9)
    low, high = ax.get_xlim()
    assert res.curves.price.max() > 40 and high < 0.75 * res.curves.price.max()
    assert low <= points.min() and high >= points.max() and high <= dear * 1.1 + 1
    labels = sorted(t.get_text() for t in ax.texts if t.get_gid() == "price_point")
    assert labels == sorted(f"{name.upper()} {points[name]:,.2f}" for name in ("pmc", "opp", "idp", "pme"))
    boxes = _text_boxes(ax, "price_point")
    assert not any(boxes[i].overlaps(boxes[j]) for i in range(4) for j in range(i + 1, 4))
    assert ax.get_xlabel() == "Price ($ a month)"


def test_plot_nps_draws_each_score_with_its_interval_beside_its_answers():
    """Bars: detractors, passives, promoters summing to 100% per group; points and whiskers: the NPS and its
    interval from cxstats.nps; a group with no answers is marked and gets no point."""
    import pandas as pd

    df = pd.DataFrame({"ltr": [10, 9, 3, 0, 7, 8, 10, 6, 9, 9, 2, 8] * 10 + [np.nan],
                       "region": list("NNNNSSSSWWWW") * 10 + ["E"]})
    table = cxstats.nps(df, "ltr", by="region")
    bars, scores = plots.plot_nps(table)
    widths = np.array([p.get_width() for p in bars.patches]).reshape(3, len(table))
    assert_allclose(widths.sum(axis=0), np.where(table.estimate.notna(), 100, 0))
    assert_allclose(widths / 100, table[["detractors", "passives", "promoters"]].fillna(0).to_numpy().T)
    answered = table[table.estimate.notna()]
    assert_allclose(scores.lines[0].get_xdata(), answered.estimate)
    segments = scores.collections[0].get_segments()  # the whiskers, one per answered group
    assert_allclose([[s[0][0], s[1][0]] for s in segments], answered[["ci_low", "ci_high"]].to_numpy())
    assert [t.get_text() for t in bars.texts] == ["no answers"]
    assert scores.get_xlabel() == "NPS (points, -100 to +100)" and bars.get_xlabel() == "Percent of answers"
    low, high = scores.get_xlim()
    assert low <= answered.ci_low.min() and high >= answered.ci_high.max() and low >= -100 and high <= 100


def test_plot_intervals_draws_points_and_whiskers_in_table_order():
    import pandas as pd

    t = pd.DataFrame({"item": ["speed", "empathy", "price"], "estimate": [0.41, 0.55, 0.3],
                      "ci_low": [0.37, 0.51, np.nan], "ci_high": [0.45, 0.59, np.nan]})
    ax = plots.plot_intervals(t, label="item", scale=100, xlabel="Percent of answers", reference=50)
    assert _tick_texts(ax) == ["speed", "empathy", "price"]
    assert_allclose(ax.lines[0].get_xydata(), [[41, 2], [55, 1]])  # drawn bottom-up: the first row on top
    assert_allclose(ax.lines[-2].get_xydata(), [[30, 0]])  # no interval: a hollow point
    whiskers = ax.collections[0].get_segments()
    assert_allclose([[s[0][0], s[1][0]] for s in whiskers], [[37, 45], [51, 59]])
    low, high = ax.get_xlim()
    assert low < 30 and high > 59

