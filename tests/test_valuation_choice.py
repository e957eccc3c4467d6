"""Contingent valuation and the conditional logit: closed forms, statsmodels, R mlogit, planted truths, real data."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import integrate, stats

import cxstats

from .conftest import ROOT
from .reference import r_choice_values as R


def _single(n=4000, mu=12.0, sigma=4.0, seed=0, dist="logistic"):
    rng = np.random.default_rng(seed)
    bids = rng.choice([5, 10, 15, 20, 25], n)
    wtp = rng.logistic(mu, sigma, n) if dist == "logistic" else rng.normal(mu, sigma, n)
    return pd.DataFrame({"bid": bids, "yes": (wtp > bids).astype(int)}), wtp


@pytest.mark.parametrize("dist, model", [("logistic", sm.Logit), ("normal", sm.Probit)])
def test_single_bounded_equals_logit_and_probit(dist, model):
    """Single-bounded fits equal a logit/probit of the answer on the bid: location -a/c, scale -1/c."""
    df, _ = _single(dist=dist)
    res = cxstats.dichotomous_choice_wtp(df, "bid", "yes", distribution=dist)
    fit = model(df.yes, sm.add_constant(df.bid.astype(float))).fit(disp=0)
    a, c = fit.params
    assert_allclose(res.parameters.estimate, [-a / c, -1 / c], rtol=1e-6)
    assert_allclose(res.loglik, fit.llf, rtol=1e-9)


def test_double_bounded_recovers_planted_wtp():
    """Follow-up bids narrow WTP to intervals; the planted location 12 and scale 4 are recovered (3 SE)."""
    df, wtp = _single(n=6000, seed=3)
    b2 = np.where(wtp > df.bid, df.bid * 1.5, df.bid / 2)
    df = df.assign(bid2=b2, yes2=(wtp > b2).astype(int))
    res = cxstats.dichotomous_choice_wtp(df, "bid", "yes", "bid2", "yes2").parameters
    assert abs(res.estimate[0] - 12) < 3 * res.se[0] and abs(res.estimate[1] - 4) < 3 * res.se[1]
    single = cxstats.dichotomous_choice_wtp(df, "bid", "yes").parameters
    assert res.se[0] < single.se[0]  # the follow-up question buys precision


def test_truncated_means_equal_numerical_integrals():
    """Closed-form truncated means equal the integral of the survival curve from 0 (logistic, normal, lognormal)."""
    df, _ = _single()
    for dist in ("logistic", "normal"):
        res = cxstats.dichotomous_choice_wtp(df, "bid", "yes", distribution=dist)
        mu, sigma = res.parameters.estimate
        surv = (lambda b, mu=mu, s=sigma: stats.logistic.sf(b, mu, s)) if dist == "logistic" else (
            lambda b, mu=mu, s=sigma: stats.norm.sf(b, mu, s))
        expected = integrate.quad(surv, 0, np.inf)[0]
        assert_allclose(res.wtp.set_index("measure").estimate["truncated_mean"], expected, rtol=1e-7)
    res = cxstats.dichotomous_choice_wtp(df, "bid", "yes", distribution="normal", log_bid=True)
    mu, sigma = res.parameters.estimate
    got = res.wtp.set_index("measure").estimate
    assert_allclose(got["median"], np.exp(mu))
    assert_allclose(got["mean"], np.exp(mu + sigma**2 / 2))
    assert_allclose(got["truncated_mean"], integrate.quad(lambda b: stats.norm.sf(np.log(b), mu, sigma), 0, 25)[0],
                    rtol=1e-6)


def test_intervals_agree_and_are_seeded():
    """Delta-method and Krinsky-Robb intervals agree closely for the median; the same seed repeats."""
    df, _ = _single()
    a = cxstats.dichotomous_choice_wtp(df, "bid", "yes", seed=4).wtp.set_index("measure")
    b = cxstats.dichotomous_choice_wtp(df, "bid", "yes", seed=4).wtp.set_index("measure")
    assert_allclose(a.kr_low, b.kr_low)
    assert_allclose([a.kr_low["median"], a.kr_high["median"]], [a.ci_low["median"], a.ci_high["median"]], rtol=0.01)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.assign(bid=10), "single bid"),
    (lambda d: d.assign(bid=-d.bid), "must be non-negative"),
    (lambda d: d.assign(yes=2), "must be 0/1"),
    (lambda d: d.assign(bid=d.bid.astype(str)), "must be numeric"),
])
def test_valuation_errors(edit, message):
    """A single-bid design, negative or non-numeric bids and non-0/1 answers are named."""
    df, _ = _single(n=200)
    with pytest.raises(ValueError, match=message):
        cxstats.dichotomous_choice_wtp(edit(df), "bid", "yes")


@pytest.fixture(scope="module")
def electricity():
    return pd.read_csv(ROOT / "data" / "raw" / "electricity" / "electricity.csv.gz")


ATTRS = ["pf", "cl", "loc", "wk", "tod", "seas"]


def test_conditional_logit_equals_statsmodels(electricity):
    """On Train's electricity data the estimates, classical SEs and log-likelihood equal statsmodels'
    ConditionalLogit with choice situations as groups."""
    from statsmodels.discrete.conditional_models import ConditionalLogit

    res = cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id")
    # Newton-Raphson: statsmodels' default BFGS stops with a gradient of about 0.04 on these data
    ref = ConditionalLogit(electricity.choice.astype(float), electricity[ATTRS].astype(float),
                           groups=electricity.chid).fit(method="newton", maxiter=100, disp=0)
    assert_allclose(res.coefficients.estimate, ref.params, rtol=1e-7)
    assert_allclose(res.coefficients.se, ref.bse, rtol=1e-5)
    assert_allclose(res.loglik, ref.llf, rtol=1e-9)
    assert res.n_choice_sets == 4308 and res.n_respondents == 361


def test_conditional_logit_equals_r_mlogit(electricity):
    """Estimates, classical and customer-clustered SEs, log-likelihood and WTP with its delta-method SE equal
    R's mlogit (with car::deltaMethod) on Train's electricity data; see tests/reference/make_choice_reference.R."""
    res = cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id")
    coef = res.coefficients.set_index("term").loc[R.TERMS]
    assert_allclose(coef.estimate, R.ESTIMATE, rtol=1e-8)
    assert_allclose(coef.se, R.SE, rtol=1e-8)
    assert_allclose(coef.robust_se, R.ROBUST_SE, rtol=1e-8)
    assert_allclose(res.loglik, R.LOGLIK, rtol=1e-12)
    wtp = res.wtp.set_index("term").loc[R.WTP_TERMS]
    assert_allclose(wtp.wtp, R.WTP, rtol=1e-8)
    assert_allclose(wtp.se, R.WTP_SE, rtol=1e-8)


# Conditional logit on the same data as published, to the digits printed: mlogit's estimates in the torch-choice
# electricity tutorial (Du, Kanodia and Athey 2023, github.com/gsbDBI/torch-choice, tutorials/electricity), and the
# log-likelihood expected by xlogit's tests (Arteaga et al. 2022, Journal of Choice Modelling 42, 100339).
PUBLISHED = {"pf": -0.625228, "cl": -0.108299, "loc": 1.442243, "wk": 0.995504, "tod": -5.462759, "seas": -5.840031}
PUBLISHED_SE = {"pf": 0.023222, "cl": 0.008244, "loc": 0.050557, "wk": 0.044780, "tod": 0.183713, "seas": 0.186678}
PUBLISHED_LOGLIK = -4958.6491


def test_conditional_logit_reproduces_published_estimates(electricity):
    """Every published digit is reproduced (estimates and SEs to 6 decimals, log-likelihood to 4)."""
    res = cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id")
    coef = res.coefficients.set_index("term")
    assert_allclose(coef.estimate.round(6), pd.Series(PUBLISHED)[coef.index], atol=1e-12)
    assert_allclose(coef.se.round(6), pd.Series(PUBLISHED_SE)[coef.index], atol=1e-12)
    assert round(res.loglik, 4) == PUBLISHED_LOGLIK


def test_wtp_is_minus_ratio_with_delta_se(electricity):
    """WTP = -beta_k / beta_price; the delta-method SE follows from the robust covariance."""
    res = cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id")
    b = res.coefficients.set_index("term").estimate
    cov = res.covariance
    wk = res.wtp.set_index("term").loc["wk"]
    assert_allclose(wk.wtp, -b.wk / b.pf)
    grad = np.array([b.wk / b.pf**2, -1 / b.pf])
    sub = cov.loc[["pf", "wk"], ["pf", "wk"]].to_numpy()
    assert_allclose(wk.se, np.sqrt(grad @ sub @ grad))
    assert wk.kr_low < wk.wtp < wk.kr_high
    assert 1.0 < wk.wtp < 2.5 and 1.5 < res.wtp.set_index("term").loc["loc", "wtp"] < 3.0  # cents per kWh


def test_planted_conditional_logit():
    """Simulated choices with known utilities: estimates within 3 SE of the truth."""
    rng = np.random.default_rng(8)
    sets, alts, truth = 3000, 3, np.array([-0.8, 1.2])
    price = rng.uniform(1, 5, (sets, alts))
    quality = rng.integers(0, 2, (sets, alts))
    util = truth[0] * price + truth[1] * quality + rng.gumbel(size=(sets, alts))
    chosen = util.argmax(axis=1)
    df = pd.DataFrame({"set": np.repeat(np.arange(sets), alts), "alt": np.tile(np.arange(alts), sets),
                       "price": price.ravel(), "quality": quality.ravel(),
                       "chosen": (np.tile(np.arange(alts), sets) == np.repeat(chosen, alts)).astype(int)})
    res = cxstats.choice_model(df, "chosen", "alt", "set", ["price", "quality"], price="price").coefficients
    assert (np.abs(res.estimate - truth) < 3 * res.se).all()


def test_choice_errors_name_the_choice_set(electricity):
    """A choice set with two chosen alternatives, or none, is named; a positive price coefficient warns."""
    two = electricity.copy()
    two.loc[two.chid == 5, "choice"] = True
    with pytest.raises(ValueError, match=r"chid \[5\]"):
        cxstats.choice_model(two, "choice", "alt", "chid", ATTRS, price="pf")
    flipped = electricity.assign(pf=-electricity.pf)
    with pytest.warns(UserWarning, match="price coefficient .* is not negative"):
        res = cxstats.choice_model(flipped, "choice", "alt", "chid", ATTRS, price="pf")
    assert res.wtp.wtp.isna().all()


def test_delta_method_and_krinsky_robb_primitives():
    """delta_method_se is sqrt(g' V g) row by row; krinsky_robb is the seeded percentile interval of the draws."""
    from cxstats._inference import delta_method_se, krinsky_robb

    cov = np.array([[0.04, 0.01], [0.01, 0.09]])
    grads = np.array([[1.0, 0.0], [0.5, -2.0], [3.0, 1.0]])
    assert_allclose(delta_method_se(grads, cov), [np.sqrt(g @ cov @ g) for g in grads], rtol=1e-14)
    assert_allclose(delta_method_se(grads[1], cov), np.sqrt(grads[1] @ cov @ grads[1]), rtol=1e-14)
    low, high = krinsky_robb(lambda b: b * 2, [1.0, -1.0], cov, draws=4000, seed=7, conf_level=0.9)
    sims = np.random.default_rng(7).multivariate_normal([1.0, -1.0], cov, size=4000) * 2
    assert_allclose(low, np.quantile(sims, 0.05, axis=0)) and assert_allclose(high, np.quantile(sims, 0.95, axis=0))
    # a linear function: the percentile interval approaches the delta-method one
    assert_allclose(high - low, 2 * stats.norm.ppf(0.95) * 2 * np.sqrt(np.diag(cov)), rtol=0.05)


def test_choice_model_reports_statistic_with_its_p_value(electricity):
    """The coefficient table calls the robust z 'statistic' (as every other table) and its p-value is two-sided."""
    coef = cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id").coefficients
    assert "z" not in coef.columns
    assert_allclose(coef.statistic, coef.estimate / coef.robust_se)
    assert_allclose(coef.p_value, 2 * stats.norm.sf(np.abs(coef.statistic)), rtol=1e-12)


# --- answers that cannot be fitted, non-convergence and unbounded work: contingent valuation -------------------------

BIDS = [5, 10, 15, 20] * 10


RISING = [int(b >= 15) for b in BIDS]  # no at 5 and 10, yes at 15 and 20


@pytest.mark.parametrize("yes, log_bid, message", [
    ([1] * 40, False, r"every respondent said yes to every bid offered \(up to 20\)"),
    ([1] * 40, True, r"every respondent said yes to every bid offered \(up to 20\)"),
    ([0] * 40, False, r"every respondent said no to every bid offered \(down to 5\)"),
    ([0] * 40, True, r"every respondent said no to every bid offered \(down to 5\)"),
    # correlation of the 0/1 answers with the bids: cov 2.5 / sqrt(31.25 x 0.25) = 0.894
    (RISING, False, r"the yes answers do not fall as the bid rises \(correlation of answer and bid \+0.89\)"),
    (RISING, True, r"the yes answers do not fall as the bid rises \(correlation of answer and bid \+0.86\)"),
    # yes at 5 and 20, no at 10 and 15: flat on average in the bid (covariance 0), the best fit is a flat curve
    ([int(b in (5, 20)) for b in BIDS], False, r"the yes answers do not fall as the bid rises \(correlation of answer "
                                               r"and bid \+0.00\)"),
    ([int(b <= 10) for b in BIDS], False, r"perfectly separated: every accepted bid \(at most 10\) is at or below "
                                          r"every refused bid \(at least 15\)"),
    ([int(b <= 10) for b in BIDS], True, r"perfectly separated: every accepted bid \(at most 10\) is at or below "
                                         r"every refused bid \(at least 15\)"),
    # yes to 5, half yes to 10, no to 15 and 20: a WTP of exactly 10 for half and just under for the rest
    ([int(b < 10) + int(b == 10) * (i // 4 % 2) for i, b in enumerate(BIDS)], False,
     r"perfectly separated: every accepted bid \(at most 10\) is at or below every refused bid \(at least 10\)"),
])
def test_answers_without_a_wtp_estimate_are_named(yes, log_bid, message):
    """All yes, all no, acceptance rising with the bid (or flat) and perfectly separated answers (also with a
    tie at one bid) have no maximum-likelihood estimate: each is a named error, not a singular-matrix traceback."""
    with pytest.raises(ValueError, match=message):
        cxstats.dichotomous_choice_wtp(pd.DataFrame({"bid": BIDS, "yes": yes}), "bid", "yes", log_bid=log_bid)


def test_double_bounded_answers_without_an_estimate_are_named():
    """Yes to both bids from everyone, and follow-ups that separate the answers at one amount, are named."""
    df = pd.DataFrame({"bid": BIDS, "yes": 1, "bid2": [b * 2 for b in BIDS], "yes2": 1})
    with pytest.raises(ValueError, match=r"every respondent said yes to every bid offered \(up to 40\)"):
        cxstats.dichotomous_choice_wtp(df, "bid", "yes", "bid2", "yes2")
    # everyone accepts 5-10 and refuses 15-20 once asked: WTP between 10 and 15 for all, with no spread
    first = pd.DataFrame({"bid": BIDS, "yes": [int(b <= 10) for b in BIDS]})
    first["bid2"] = np.where(first.yes == 1, first.bid + 5, first.bid - 5)
    first["yes2"] = (first.bid2 <= 10).astype(int)
    with pytest.raises(ValueError, match="perfectly separated"):
        cxstats.dichotomous_choice_wtp(first, "bid", "yes", "bid2", "yes2")


@pytest.mark.parametrize("dist, model", [("logistic", sm.Logit), ("normal", sm.Probit)])
def test_weak_answers_with_a_large_scale_are_fitted(dist, model):
    """Twenty answers that barely fall with the bid: the maximum lies at a scale five to ten times the bid range
    (about 120 for the logit, 200 for the probit) on a flat ridge, where a fit in (location, log scale) wandered
    off (the probit to a log scale of 52) and fixed finite-difference steps gave a Hessian that was not positive
    definite. The fit reaches the logit/probit maximum and has finite standard errors."""
    counts = {5: (3, 3), 10: (1, 2), 15: (1, 2), 20: (2, 2), 25: (2, 2)}  # bid: (no, yes)
    rows = [(b, a) for b, (no, yes) in counts.items() for a in [0] * no + [1] * yes]
    df = pd.DataFrame(rows, columns=["bid", "yes"])
    res = cxstats.dichotomous_choice_wtp(df, "bid", "yes", distribution=dist)
    fit = model(df.yes, sm.add_constant(df.bid.astype(float))).fit(disp=0)
    a, c = fit.params
    assert_allclose(res.parameters.estimate, [-a / c, -1 / c], rtol=1e-5)
    assert_allclose(res.loglik, fit.llf, rtol=1e-9)
    assert np.isfinite(res.parameters.se).all() and (res.parameters.se > 0).all()


def test_covariance_refuses_a_flat_or_unfinished_fit():
    """The check after fitting: a likelihood flat in one direction has no positive definite Hessian, and a point
    away from the maximum is reported as not converged (with the gain a Newton step would still bring)."""
    from cxstats.valuation import _covariance

    with pytest.raises(ValueError, match="no clear maximum .* singular or not positive definite"):
        _covariance(lambda t: (t[0] - 1.0) ** 2, np.array([1.0, 0.0]))  # flat in the log scale
    with pytest.raises(ValueError, match=r"did not converge \(at location 2, log scale 0 a Newton step would still "
                                         r"raise the log-likelihood by 0.5\)"):
        _covariance(lambda t: (t[0] - 1.0) ** 2 / 2 + t[1] ** 2, np.array([2.0, 0.0]))


@pytest.mark.parametrize("kwargs, message", [
    ({"draws": 0}, "draws must be a whole number from 100 to 1,000,000, got 0"),
    ({"draws": -5}, "draws must be a whole number from 100 to 1,000,000"),
    ({"draws": 2_000_000}, "draws must be a whole number from 100 to 1,000,000"),
    ({"draws": 500.5}, "draws must be a whole number"),
    ({"seed": "x"}, "seed must be a non-negative whole number"),
    ({"log_bid": "yes"}, "log_bid must be True or False"),
])
def test_valuation_arguments_out_of_range(kwargs, message):
    df, _ = _single(n=200)
    with pytest.raises(ValueError, match=message):
        cxstats.dichotomous_choice_wtp(df, "bid", "yes", **kwargs)


def test_valuation_data_errors_are_named():
    """No rows, a missing bid in a nullable column and a non-0/1 answer name the column and rows."""
    df, _ = _single(n=50)
    with pytest.raises(ValueError, match="df has no rows"):
        cxstats.dichotomous_choice_wtp(df.iloc[:0], "bid", "yes")
    gap = df.astype({"bid": "Int64"})
    gap.loc[3, "bid"] = pd.NA
    with pytest.raises(ValueError, match=r"bid column 'bid' must be non-negative and finite; rows \[3\] are not"):
        cxstats.dichotomous_choice_wtp(gap, "bid", "yes")
    with pytest.raises(ValueError, match=r"rows \[0\] are not \(values \['maybe'\]\)"):
        cxstats.dichotomous_choice_wtp(df.astype({"yes": object}).assign(yes=["maybe"] + [1] * 49), "bid", "yes")
    with pytest.raises(ValueError, match="df must be a pandas DataFrame"):
        cxstats.dichotomous_choice_wtp(df.to_dict(), "bid", "yes")


def test_truncated_mean_is_computed_in_blocks():
    """Log-bid truncated means of more draws than one block equal those computed one draw at a time."""
    from cxstats.valuation import _CHUNK, _measures

    rng = np.random.default_rng(0)
    theta = np.column_stack([rng.normal(2.4, 0.1, 2 * _CHUNK + 3), rng.normal(-1.0, 0.1, 2 * _CHUNK + 3)])
    together = _measures(theta, "logistic", True, 25.0)
    for i in (0, _CHUNK - 1, _CHUNK, 2 * _CHUNK + 2):
        assert_allclose(together[i], _measures(theta[i], "logistic", True, 25.0)[0], rtol=1e-14)


# --- identification, separation and convergence: conditional logit -------------------------------------------------

def _sets(rows, columns=("set", "alt", "chosen", "price", "quality")):
    return pd.DataFrame(rows, columns=list(columns))


def test_complete_separation_is_named():
    """The issue's case: in every choice set the cheaper alternative is also at least as good, and it is always
    chosen. Lower price and higher quality predict every choice, the likelihood has no maximum (coefficients run
    off to infinity, with tiny SEs), so the attributes are named instead."""
    rng = np.random.default_rng(2)
    rows = []
    for s in range(40):
        price, quality = np.sort(rng.uniform(1, 10, 2)), np.sort(rng.integers(1, 6, 2))[::-1]
        rows += [(s, a, int(a == 0), price[a], quality[a]) for a in range(2)]
    with pytest.raises(ValueError, match=r"perfectly separated by attribute\(s\) \['price', 'quality'\]: .*"
                                         r"strictly higher in 40 of 40 choice sets"):
        cxstats.choice_model(_sets(rows), "chosen", "alt", "set", ["price", "quality"], price="price")
    # price alone: the cheapest is always chosen; two sets of equal prices, where the choice goes once to the
    # better and once to the worse quality, rule quality out of any separating combination
    rows = [(s, a, int(a == 0), 1 + a + s % 3, (s + a) % 2) for s in range(30) for a in range(3)]
    rows += [(30, a, int(a == 0), 2, q) for a, q in enumerate([1, 0, 0])]
    rows += [(31, a, int(a == 0), 2, q) for a, q in enumerate([0, 1, 1])]
    with pytest.raises(ValueError, match=r"separated by attribute\(s\) \['price'\]: .* on -1\*price \(strictly "
                                         r"higher in 30 of 32 choice sets\)"):
        cxstats.choice_model(_sets(rows), "chosen", "alt", "set", ["price", "quality"], price="price")


def test_quasi_complete_separation_is_named():
    """A 'premium' alternative, offered in one set in five, is chosen whenever offered: its coefficient has no
    finite estimate although the other choices vary (quasi-complete separation); without it the model fits."""
    rng = np.random.default_rng(3)
    rows = []
    for s in range(300):
        price, quality, premium = rng.uniform(1, 5, 3), rng.integers(0, 2, 3), np.zeros(3)
        if s % 5 == 0:
            premium[rng.integers(3)] = 1
        chosen = premium.argmax() if premium.any() else (-0.8 * price + 1.2 * quality + rng.gumbel(size=3)).argmax()
        rows += [(s, a, int(a == chosen), price[a], quality[a], premium[a]) for a in range(3)]
    df = _sets(rows, ("set", "alt", "chosen", "price", "quality", "premium"))
    with pytest.raises(ValueError, match=r"separated by attribute\(s\) \['premium'\]: .* on 1\*premium \(strictly "
                                         r"higher in 60 of 300 choice sets\)"):
        cxstats.choice_model(df, "chosen", "alt", "set", ["price", "quality", "premium"], price="price")
    res = cxstats.choice_model(df, "chosen", "alt", "set", ["price", "quality"], price="price")
    assert np.isfinite(res.coefficients.se).all()


def _planted(sets=400, seed=8):
    rng = np.random.default_rng(seed)
    price, quality = rng.uniform(1, 5, (sets, 3)), rng.integers(0, 2, (sets, 3))
    chosen = (-0.8 * price + 1.2 * quality + rng.gumbel(size=(sets, 3))).argmax(axis=1)
    return pd.DataFrame({"set": np.repeat(np.arange(sets), 3), "alt": np.tile(np.arange(3), sets),
                         "price": price.ravel(), "quality": quality.ravel(), "age": np.repeat(rng.integers(18, 80,
                                                                                                             sets), 3),
                         "chosen": (np.tile(np.arange(3), sets) == np.repeat(chosen, 3)).astype(int)})


def test_attribute_constant_within_choice_sets_is_named():
    """The chooser's age copied to each alternative (the issue's z = 179 estimate) and a constant column (the
    issue's LinAlgError) do not vary within any choice set: named, with what to do."""
    df = _planted()
    with pytest.raises(ValueError, match=r"attribute\(s\) \['age'\] do not vary within any choice set"):
        cxstats.choice_model(df, "chosen", "alt", "set", ["price", "quality", "age"], price="price")
    with pytest.raises(ValueError, match=r"attribute\(s\) \['one'\] do not vary within any choice set"):
        cxstats.choice_model(df.assign(one=1.0), "chosen", "alt", "set", ["price", "one", "quality"], price="price")


def test_linearly_dependent_attributes_are_named(electricity):
    """A sum of two attributes, and a full set of alternative dummies (they sum to 1 in every choice set), are
    not identified; the dependent attributes are named and the others are not."""
    with pytest.raises(ValueError, match=r"attributes \['tod', 'seas', 'tou'\] are linearly dependent within "
                                         r"choice sets"):
        cxstats.choice_model(electricity.assign(tou=electricity.tod + electricity.seas), "choice", "alt", "chid",
                             ATTRS + ["tou"], price="pf", respondent="id")
    dummies = {f"alt{k}": (electricity.alt == k).astype(int) for k in range(1, 5)}
    with pytest.raises(ValueError, match=r"attributes \['alt1', 'alt2', 'alt3', 'alt4'\] are linearly dependent"):
        cxstats.choice_model(electricity.assign(**dummies), "choice", "alt", "chid", ATTRS + list(dummies),
                             price="pf", respondent="id")


def test_non_convergence_is_an_error(electricity):
    """Two Newton steps do not reach the maximum: an error naming max_iter, not the estimates of step two."""
    with pytest.raises(ValueError, match=r"did not converge in max_iter=2 Newton steps"):
        cxstats.choice_model(electricity, "choice", "alt", "chid", ATTRS, price="pf", respondent="id", max_iter=2)


def test_singular_information_is_an_error():
    """The check after each Newton step: a flat direction (here an exactly repeated column) is named."""
    from cxstats.choice import _information_checked

    info = np.array([[2.0, 2.0, 0.0], [2.0, 2.0, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match=r"information matrix is singular .* combination of \['a', 'b'\]"):
        _information_checked(info, ["a", "b", "c"])
    with pytest.raises(ValueError, match=r"flat in attribute\(s\) \['c'\]"):
        _information_checked(np.diag([1.0, 1.0, 0.0]), ["a", "b", "c"])


def test_too_few_clusters_is_an_error():
    """Clustered standard errors from no more clusters than attributes are singular (a z of infinity): refused."""
    df = _planted(sets=40).assign(person=lambda d: d.set % 2)
    with pytest.raises(ValueError, match=r"need more clusters than attributes: 2 respondents \('person'\) for 2"):
        cxstats.choice_model(df, "chosen", "alt", "set", ["price", "quality"], price="price", respondent="person")


@pytest.mark.parametrize("edit, kwargs, message", [
    (lambda d: d.assign(price=d.price.astype(str).where(d.index != 4, "cheap")), {},
     r"attribute column 'price' must be numeric; it has \['cheap'\], e.g. rows \[4\]"),
    (lambda d: d.assign(quality=d.quality.where(d.index != 7)), {},
     r"attribute column 'quality' has 1 missing or infinite value\(s\), e.g. rows \[7\]"),
    (lambda d: d.assign(chosen=d.chosen.map({1: "yes", 0: "no"})), {},
     r"choice column 'chosen' must be 0/1 or boolean; it has \['no', 'yes'\]"),
    (lambda d: d.assign(chosen=d.chosen * 2), {}, r"choice column 'chosen' must be 0/1 or boolean; row \d+ has 2"),
    (lambda d: d.assign(alt=d.alt.where(d.index != 1, 0)), {}, r"alternative 0 appears twice in choice set set 0"),
    (lambda d: d.assign(set=d.set.where(d.index != 5)), {}, r"id column 'set' has missing values, e.g. rows \[5\]"),
    (lambda d: d.assign(person=np.arange(len(d)) % 7), {"respondent": "person"},
     r"choice set set 0 has rows of several 'person' values"),
    (lambda d: d, {"attributes": "price"}, "attributes must be a list of column names"),
    (lambda d: d, {"attributes": ["price", "price"]}, r"attributes lists \['price'\] more than once"),
    (lambda d: d.iloc[:0], {}, "long_df has no rows"),
    (lambda d: d, {"draws": 10}, "draws must be a whole number from 100 to 1,000,000, got 10"),
    (lambda d: d, {"draws": 10**7}, "draws must be a whole number from 100 to 1,000,000"),
    (lambda d: d, {"max_iter": 0}, "max_iter must be a whole number from 1 to 10,000"),
    (lambda d: d, {"tol": 0}, r"tol must be a number strictly between 0 and 1 \(e.g. 1e-10\), got 0"),
    (lambda d: d, {"seed": -1}, "seed must be a non-negative whole number"),
])
def test_choice_input_errors_are_named(edit, kwargs, message):
    """Non-numeric or missing values, duplicated alternatives, missing ids, a choice set shared by several
    respondents and arguments out of range name the column, row or argument (no numpy tracebacks)."""
    args = {"attributes": ["price", "quality"], **kwargs}
    with pytest.raises(ValueError, match=message):
        cxstats.choice_model(edit(_planted(sets=60)), "chosen", "alt", "set", price="price", **args)


def test_krinsky_robb_draws_beyond_memory_are_refused():
    """A million draws of 70 coefficients and their WTP would need more than 2 GiB: refused naming draws."""
    names = [f"x{k}" for k in range(70)]
    df = pd.DataFrame(np.eye(70), columns=names).assign(set=0, alt=range(70), chosen=[1] + [0] * 69)
    with pytest.raises(ValueError, match=r"draws: this would need about 2.1 GiB of working memory, above the 2 GiB "
                                         r"limit; .* use fewer draws"):
        cxstats.choice_model(df, "chosen", "alt", "set", names, price="x0", draws=1_000_000)


def test_double_bounded_with_one_first_bid_is_identified():
    """One first bid (10) with follow-ups 20 and 5 brackets WTP in three intervals: identified. The fit equals an
    independent interval-censored logistic likelihood maximized with Nelder-Mead."""
    from scipy import optimize, stats

    rng = np.random.default_rng(3)
    wtp = rng.logistic(12, 4, 400)
    b1 = np.full(400, 10.0)
    y1 = (wtp > b1).astype(int)
    b2 = np.where(y1 == 1, 20.0, 5.0)
    y2 = (wtp > b2).astype(int)
    df = pd.DataFrame({"bid": b1, "yes": y1, "bid2": b2, "yes2": y2})
    got = cxstats.dichotomous_choice_wtp(df, "bid", "yes", "bid2", "yes2", draws=200).parameters.estimate
    lo = np.where(y1 == 1, np.where(y2 == 1, b2, b1), np.where(y2 == 1, b2, -np.inf))
    hi = np.where(y1 == 1, np.where(y2 == 1, np.inf, b2), np.where(y2 == 1, b1, b2))

    def negloglik(theta):
        return -np.sum(np.log(stats.logistic.cdf(hi, theta[0], np.exp(theta[1]))
                              - stats.logistic.cdf(lo, theta[0], np.exp(theta[1]))))

    ref = optimize.minimize(negloglik, [10, 1], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                                               "maxiter": 5000}).x
    assert_allclose(got, [ref[0], np.exp(ref[1])], rtol=1e-5)
