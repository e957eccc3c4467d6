"""Scale reliability against R's psych::alpha and closed forms; the proportional-odds model against R's MASS::polr,
the expanded respondents and statsmodels on them."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.miscmodels.ordinal_model import OrderedModel

import cxstats
from cxstats.ordinal import ordinal_model
from cxstats.reliability import scale_reliability
from cxstats.responses import load_responses

from .reference import r_drivers_values as R


@pytest.fixture(scope="module")
def sat():
    return load_responses("customer_sat")


@pytest.fixture(scope="module")
def housing():
    return load_responses("copenhagen_housing", expand=False)


def closed_form_alpha(X):
    k = X.shape[1]
    return k / (k - 1) * (1 - X.var(axis=0, ddof=1).sum() / X.sum(axis=1).var(ddof=1))


# ------------------------------------------------------------------ Cronbach's alpha

@pytest.mark.parametrize("tag", ["ALPHA_CS", "ALPHA_ATTITUDE"])
def test_alpha_equals_psych(sat, tag):
    """psych::alpha: raw alpha, Feldt interval, alpha if an item is dropped, item-rest correlations (r.drop)."""
    items = getattr(R, f"{tag}_ITEMS")
    data = sat if tag == "ALPHA_CS" else pd.DataFrame(R.ATTITUDE)
    res = scale_reliability(data, items)
    assert res.alpha == pytest.approx(getattr(R, f"{tag}_ALPHA"), rel=1e-12)
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(getattr(R, f"{tag}_FELDT")), rel=1e-10)
    assert list(res.items["item"]) == items
    np.testing.assert_allclose(res.items["alpha_if_deleted"], getattr(R, f"{tag}_ALPHA_DROP"), rtol=1e-10)
    np.testing.assert_allclose(res.items["item_rest_corr"], getattr(R, f"{tag}_R_DROP"), rtol=1e-10)
    assert (res.n, res.n_missing) == (len(data), 0)


def test_alpha_closed_form_with_missing_answers_and_another_level(sat):
    """Listwise: alpha from the variances of the complete rows; Feldt's interval from scipy's F at 90%."""
    df = sat[["q2", "q3", "q4", "q5"]].astype(float)
    df.iloc[::9, 1] = np.nan
    df.iloc[::13, 3] = np.nan
    complete = df.dropna().to_numpy()
    n, k = complete.shape
    res = scale_reliability(df, ["q2", "q3", "q4", "q5"], conf_level=0.9)
    alpha = closed_form_alpha(complete)
    assert res.alpha == pytest.approx(alpha, rel=1e-12)
    assert (res.n, res.n_missing) == (n, len(df) - n)
    f_low, f_high = stats.f.ppf([0.05, 0.95], n - 1, (n - 1) * (k - 1))
    assert (res.ci_low, res.ci_high) == pytest.approx((1 - (1 - alpha) * f_high, 1 - (1 - alpha) * f_low), rel=1e-12)
    for j, item in enumerate(res.items.itertuples()):
        rest = np.delete(complete, j, axis=1)
        assert item.alpha_if_deleted == pytest.approx(closed_form_alpha(rest), rel=1e-12)
        assert item.item_rest_corr == pytest.approx(np.corrcoef(complete[:, j], rest.sum(axis=1))[0, 1], rel=1e-12)


def test_alpha_interval_agrees_with_pingouins_rounded_interval(sat):
    import pingouin

    items = R.ALPHA_CS_ITEMS
    res = scale_reliability(sat, items)
    _, rounded = pingouin.cronbach_alpha(sat[items])
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(rounded), abs=5e-4)


def test_two_item_scale():
    """Two items: alpha = 4 cov / var(sum); nothing is left to compute an alpha without an item."""
    x = np.array([1, 2, 3, 4, 5, 3, 2.0])
    y = np.array([2, 2, 3, 5, 4, 3, 1.0])
    res = scale_reliability(pd.DataFrame({"x": x, "y": y}), ["x", "y"])
    assert res.alpha == pytest.approx(4 * np.cov(x, y)[0, 1] / np.var(x + y, ddof=1), rel=1e-12)
    assert res.items["alpha_if_deleted"].isna().all()


def test_reliability_errors(sat):
    with pytest.raises(ValueError, match="at least two column names"):
        scale_reliability(sat, ["q1"])
    with pytest.raises(ValueError, match=r"items lists 'q1' more than once"):
        scale_reliability(sat, ["q1", "q2", "q1"])
    bad = sat.assign(q2=sat["q2"].astype(float))
    bad.loc[[3, 7], "q2"] = np.inf
    with pytest.raises(ValueError, match=r"item 'q2' has infinite values \(rows \[3, 7\]"):
        scale_reliability(bad, ["q1", "q2"])
    with pytest.raises(ValueError, match=r"item 'k' has infinite values"):  # not "the same answer from everyone"
        scale_reliability(sat.assign(k=np.inf), ["q1", "q2", "k"])
    with pytest.raises(ValueError, match="'nope'"):
        scale_reliability(sat, ["q1", "nope"])
    with pytest.raises(ValueError, match="must hold numbers"):
        scale_reliability(sat.assign(t="x"), ["q1", "t"])
    with pytest.raises(ValueError, match=r"item\(s\) \['k'\] have the same answer"):
        scale_reliability(sat.assign(k=5), ["q1", "q2", "k"])
    with pytest.raises(ValueError, match="only 2 respondents"):
        scale_reliability(sat.head(2), ["q1", "q2"])
    with pytest.raises(ValueError, match="survey weights, strata and clusters are not used"):
        scale_reliability(cxstats.survey_design(sat.assign(w=2.0), weight="w"), ["q1", "q2"])


def test_reverse_keyed_item_warns_and_recoding_restores_alpha(sat):
    """An item scored the other way (11 - q4 on the 1-10 scale) correlates negatively with the rest: a warning
    names it; recoded back, alpha is that of the original items (closed form)."""
    flipped = sat.assign(q4=11 - sat["q4"])
    with pytest.warns(UserWarning, match=r"\['q4'\] correlate negatively .* reverse-keyed\? Recode"):
        scale_reliability(flipped, ["q2", "q3", "q4", "q5"])
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = scale_reliability(flipped.assign(q4=11 - flipped["q4"]), ["q2", "q3", "q4", "q5"])
    assert res.alpha == pytest.approx(closed_form_alpha(sat[["q2", "q3", "q4", "q5"]].dropna().to_numpy(float)),
                                      rel=1e-12)


# ------------------------------------------------------------------ proportional odds

@pytest.mark.parametrize("link", ["logit", "probit"])
def test_polr_on_copenhagen_housing(housing, link):
    """MASS::polr(Sat ~ Infl + Type + Cont, weights = Freq): coefficients, SEs, cut-points, log-likelihood."""
    res = ordinal_model(housing, "Sat", ["Infl", "Type", "Cont"], freq_weight="freq", link=link)
    tag = f"POLR_{link.upper()}"
    t = res.table
    assert list(t["term"]) == R.POLR_TERMS + R.POLR_CUTS
    np.testing.assert_allclose(t["estimate"], getattr(R, f"{tag}_COEF") + getattr(R, f"{tag}_ZETA"), rtol=1e-5)
    np.testing.assert_allclose(t["se"], getattr(R, f"{tag}_COEF_SE") + getattr(R, f"{tag}_ZETA_SE"), rtol=1e-5)
    assert res.loglik == pytest.approx(getattr(R, f"{tag}_LOGLIK"), rel=1e-9)
    assert (res.n, res.n_missing, res.link, res.levels) == (R.HOUSING_N, 0, link, ("Low", "Medium", "High"))
    np.testing.assert_allclose(t["statistic"], t["estimate"] / t["se"], rtol=1e-12)
    np.testing.assert_allclose(t["p_value"], 2 * stats.norm.sf(np.abs(t["statistic"])), rtol=1e-10)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(t["ci_low"], t["estimate"] - z * t["se"], rtol=1e-12)
    if link == "logit":
        terms = t["term"].isin(R.POLR_TERMS)
        np.testing.assert_allclose(t.loc[terms, "odds_ratio"], np.exp(t.loc[terms, "estimate"]), rtol=1e-12)
        np.testing.assert_allclose(t.loc[terms, "odds_ratio_ci_high"], np.exp(t.loc[terms, "ci_high"]), rtol=1e-12)
        assert t.loc[~terms, "odds_ratio"].isna().all()
    else:
        assert "odds_ratio" not in t


def test_frequencies_equal_the_expanded_respondents(housing):
    """Weighting each row's log-likelihood by its count equals one row per respondent (cxstats on the expanded
    data, and statsmodels' OrderedModel on it directly)."""
    weighted = ordinal_model(housing, "Sat", ["Infl", "Type", "Cont"], freq_weight="freq")
    people = load_responses("copenhagen_housing")
    assert len(people) == R.HOUSING_N
    expanded = ordinal_model(people, "Sat", ["Infl", "Type", "Cont"])
    np.testing.assert_allclose(weighted.table["estimate"], expanded.table["estimate"], rtol=1e-6)
    np.testing.assert_allclose(weighted.table["se"], expanded.table["se"], rtol=1e-5)
    assert weighted.loglik == pytest.approx(expanded.loglik, rel=1e-10)
    exog = pd.get_dummies(people[["Infl", "Type", "Cont"]], drop_first=True).astype(float)
    direct = OrderedModel(people["Sat"], exog, distr="logit").fit(method="bfgs", disp=0, maxiter=2000, gtol=1e-8)
    assert weighted.loglik == pytest.approx(direct.llf, rel=1e-10)
    np.testing.assert_allclose(weighted.table["estimate"].iloc[:6], direct.params.iloc[:6], rtol=1e-5)


def test_numeric_outcome_and_predictors_equal_polr(sat):
    """A 1-10 rating as the outcome (ordered by value) on numeric ratings: polr(factor(q1) ~ q2 + q4 + q6)."""
    res = ordinal_model(sat, "q1", ["q2", "q4", "q6"])
    t = res.table
    assert list(t["term"]) == ["q2", "q4", "q6"] + R.POLR_CS_CUTS
    np.testing.assert_allclose(t["estimate"], R.POLR_CS_COEF + R.POLR_CS_ZETA, rtol=1e-5)
    np.testing.assert_allclose(t["se"], R.POLR_CS_COEF_SE + R.POLR_CS_ZETA_SE, rtol=1e-4)
    assert res.loglik == pytest.approx(R.POLR_CS_LOGLIK, rel=1e-9)


@pytest.mark.parametrize(("change", "slope", "shift"), [
    ({"q2": lambda x: x * 1e4}, {"q2": 1e4}, {}),  # a predictor in tiny units: coefficient / 1e4
    ({"q2": lambda x: x + 1e4}, {}, {"q2": 1e4}),  # far from zero: same coefficient, cut-points shifted
    ({"q4": lambda x: 2014 + x}, {}, {"q4": 2014}),  # a year, 2015 to 2024
    ({"q6": lambda x: 45_000 + 5_000 * x}, {"q6": 5_000}, {"q6": 45_000}),  # an income
])
def test_badly_scaled_predictors_give_polr_in_their_units(sat, change, slope, shift):
    """A linear recoding x' = a + b x of a predictor leaves the model the same: its coefficient becomes beta / b and
    every cut-point zeta + beta a / b. Checked against R's polr on the original scale (the recodings once made
    the fit look separated or singular)."""
    df = sat.assign(**{c: f(sat[c].astype(float)) for c, f in change.items()})
    res = ordinal_model(df, "q1", ["q2", "q4", "q6"])
    beta = dict(zip(["q2", "q4", "q6"], R.POLR_CS_COEF, strict=True))
    b = {c: slope.get(c, 1.0) for c in beta}
    a = {c: shift.get(c, 0.0) for c in beta}
    coef = [beta[c] / b[c] for c in beta]
    cuts = np.array(R.POLR_CS_ZETA) + sum(beta[c] * a[c] / b[c] for c in beta)
    np.testing.assert_allclose(res.table["estimate"], coef + list(cuts), rtol=1e-5)
    np.testing.assert_allclose(res.table["se"].iloc[:3], np.array(R.POLR_CS_COEF_SE) / [b[c] for c in beta],
                               rtol=1e-4)
    assert res.loglik == pytest.approx(R.POLR_CS_LOGLIK, rel=1e-9)


def test_tiny_unit_predictor_odds_ratio_is_inf_without_a_warning(sat):
    """A coefficient beyond exp's range (x / 1e4 has coefficient 1e4 beta) gives odds ratio inf, silently."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = ordinal_model(sat.assign(q2=sat["q2"] / 1e4), "q1", ["q2", "q4"])
    row = res.table.iloc[0]
    assert row["estimate"] > 710 and np.isinf(row["odds_ratio"]) and np.isnan(res.table["odds_ratio"].iloc[-1])


def test_missing_rows_are_left_out_and_counted(housing):
    df = housing.copy()
    df.loc[[0, 5], "Infl"] = np.nan  # a categorical keeps its categories and their order
    res = ordinal_model(df, "Sat", ["Infl", "Type", "Cont"], freq_weight="freq")
    kept = ordinal_model(housing.drop(index=[0, 5]), "Sat", ["Infl", "Type", "Cont"], freq_weight="freq")
    assert res.n_missing == housing.loc[[0, 5], "freq"].sum() and res.n == R.HOUSING_N - res.n_missing
    np.testing.assert_allclose(res.table["estimate"], kept.table["estimate"], rtol=1e-6)


def test_ordinal_errors(housing):
    args = ("Sat", ["Infl", "Type", "Cont"])
    with pytest.raises(ValueError, match="not take survey weights"):
        ordinal_model(housing, *args, weight="freq")
    with pytest.raises(ValueError, match="survey designs"):
        ordinal_model(cxstats.survey_design(housing), *args)
    with pytest.raises(ValueError, match="not whole numbers"):
        ordinal_model(housing.assign(freq=housing["freq"] * 0.5), *args, freq_weight="freq")
    with pytest.raises(ValueError, match="unordered categorical"):
        ordinal_model(housing.assign(Sat=housing["Sat"].cat.as_unordered()), *args, freq_weight="freq")
    with pytest.raises(ValueError, match="must be ordered"):
        ordinal_model(housing.assign(Sat=housing["Sat"].astype(str)), *args, freq_weight="freq")
    no_high = housing.assign(freq=np.where(housing["Sat"] == "High", 0, housing["freq"]))
    with pytest.raises(ValueError, match=r"answer level\(s\) \['High'\]"):
        ordinal_model(no_high, *args, freq_weight="freq")
    with pytest.raises(ValueError, match="link='cloglog' is not valid"):
        ordinal_model(housing, *args, link="cloglog")
    x = np.arange(len(housing), dtype=float)
    with pytest.raises(ValueError, match="collinear"):
        ordinal_model(housing.assign(x=x, x2=2 * x + 1), "Sat", ["x", "x2"], freq_weight="freq")
    separated = pd.DataFrame({"sat": [1, 2, 3, 1, 2, 3, 3, 3, 3], "g": list("aaabbbccc"),
                              "n": [5, 5, 5, 4, 6, 5, 3, 4, 5]})
    with pytest.raises(ValueError, match="not identified"):
        ordinal_model(separated, "sat", ["g"], freq_weight="n")
    numeric = pd.DataFrame({"sat": [1, 1, 1, 2, 2, 2], "year": [2015, 2016, 2017, 2018, 2019, 2020]})
    with pytest.raises(ValueError, match="not identified|did not converge"):  # real separation is still refused
        ordinal_model(numeric, "sat", ["year"])
    with pytest.raises(ValueError, match=r"outcome 'sat' has infinite values \(rows \[1\]"):
        ordinal_model(pd.DataFrame({"sat": [1, np.inf, 2, 3], "x": [1.0, 2, 3, 4]}), "sat", ["x"])
    mixed = housing.assign(Type=housing["Type"].astype(object))
    mixed.loc[0, "Type"] = 3
    with pytest.raises(ValueError, match=r"predictor 'Type' mixes values of different types \(int, str\)"):
        ordinal_model(mixed, *args, freq_weight="freq")
