"""meta_proportions against R's metafor::rma(measure = 'PLO', method = 'DL')."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

import cxstats

from .reference import r_values as R


@pytest.fixture(scope="module")
def result():
    return cxstats.meta_proportions(R.META_X, R.META_N, labels=list("abcde"))


@pytest.mark.parametrize("key", ["logit", "se", "tau2", "i2", "q", "p_heterogeneity", "proportion",
                                 "ci_low", "ci_high", "pi_low", "pi_high"])
def test_pooled_matches_metafor(result, key):
    """Pooled estimate, tau^2, I^2, Q and intervals equal metafor's rma/predict."""
    assert_allclose(result.pooled[key][0], R.META[key], rtol=1e-6)


def test_studies_match_escalc_and_weights(result):
    """Per-figure logits and variances equal escalc (0.5 added to zero cells); weights equal weights(rma)."""
    assert_allclose(result.studies.logit, R.META["yi"], rtol=1e-9)
    assert_allclose(result.studies.se**2, R.META["vi"], rtol=1e-9)
    assert_allclose(result.studies.study_weight, R.META["weights"], rtol=1e-6)


def test_homogeneous_figures_have_zero_tau2():
    """Three figures closer than chance would predict: tau^2 = 0 and I^2 = 0, as metafor."""
    res = cxstats.meta_proportions([45, 50, 55], [100, 100, 100])
    assert_allclose(res.pooled["tau2"][0], R.META_HOMOGENEOUS["tau2"], atol=1e-12)
    assert_allclose(res.pooled["se"][0], R.META_HOMOGENEOUS["se"], rtol=1e-9)
    assert res.pooled["i2"][0] == 0


def test_to_frame_stacks_studies_and_pooled(result):
    """to_frame has one row per figure plus the pooled row."""
    frame = result.to_frame()
    assert len(frame) == 6 and frame.label.iloc[-1] == "pooled (random effects)"
    assert_allclose(frame.study_weight.iloc[:-1].sum(), 100)


def test_needs_two_figures_and_matching_labels():
    """One figure, or labels of the wrong length, are named errors."""
    with pytest.raises(ValueError, match="at least 2 figures"):
        cxstats.meta_proportions([5], [10])
    with pytest.raises(ValueError, match="labels has 1 names for 2 figures"):
        cxstats.meta_proportions([5, 6], [10, 10], labels=["a"])
    with pytest.raises(ValueError, match="count must not exceed nobs; element 1"):
        cxstats.meta_proportions([5, 16], [10, 10])
    assert np.isfinite(cxstats.meta_proportions([0, 10], [10, 10]).pooled["logit"][0])
