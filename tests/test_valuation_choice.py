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
