"""adjust_pvalues against R's p.adjust."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import cxstats

from .reference import r_values as R


@pytest.mark.parametrize("method, ref", [
    ("holm", R.PADJ_HOLM), ("hochberg", R.PADJ_HOCHBERG), ("bonferroni", R.PADJ_BONFERRONI),
    ("bh", R.PADJ_BH), ("by", R.PADJ_BY),
])
def test_matches_p_adjust(method, ref):
    """Each method equals p.adjust on a family with ties and extremes."""
    assert_allclose(cxstats.adjust_pvalues(R.PADJ_P, method=method)["p_adjusted"], ref, rtol=1e-12)


@pytest.mark.parametrize("method", ["holm", "hochberg", "bonferroni", "bh", "by"])
def test_matches_p_adjust_with_many_ties(method):
    """Ties, zeros and ones: the plain (unstable) sort gives p.adjust's values whatever the order among ties."""
    ref = getattr(R, f"PADJ_TIES_{method.upper()}")
    assert_allclose(cxstats.adjust_pvalues(R.PADJ_TIES_P, method=method)["p_adjusted"], ref, rtol=1e-12)


def test_method_is_one_value_and_the_input_is_not_shared():
    """The method column holds one category; the p_value column is a copy of the caller's array."""
    p = np.array([0.01, 0.04, 0.03])
    out = cxstats.adjust_pvalues(p, method="bh")
    assert out["method"].tolist() == ["bh"] * 3 and list(out["method"].cat.categories) == ["bh"]
    p[0] = 0.9
    assert out["p_value"].iloc[0] == 0.01
    assert_allclose(cxstats.adjust_pvalues([0.2, 0.5], method="none")["p_adjusted"], [0.2, 0.5])


def test_reject_column_and_index():
    """reject is p_adjusted <= alpha; a Series keeps its labels."""
    p = pd.Series([0.001, 0.02, 0.04], index=["speed", "empathy", "expectations"])
    out = cxstats.adjust_pvalues(p, method="holm", alpha=0.05)
    assert list(out.index) == list(p.index)
    assert out["reject"].tolist() == [True, True, True]
    assert cxstats.adjust_pvalues(p, method="bonferroni")["reject"].tolist() == [True, False, False]


@settings(max_examples=50, deadline=None)
@given(p=st.lists(st.floats(0, 1), min_size=1, max_size=30), method=st.sampled_from(["holm", "hochberg", "bh", "by"]))
def test_adjusted_never_below_raw_and_order_kept(p, method):
    """Adjusted p-values are >= raw, <= 1, and keep the order of the raw ones."""
    out = cxstats.adjust_pvalues(p, method=method)
    raw, adj = np.array(p), out["p_adjusted"].to_numpy()
    assert np.all(adj >= raw - 1e-15) and np.all(adj <= 1)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adj[order]) >= -1e-15)


def test_bad_p_values():
    """A p-value outside [0, 1] or an unknown method is named."""
    with pytest.raises(ValueError, match=r"pvalues must lie in \[0, 1\]; element 1 is 1.2"):
        cxstats.adjust_pvalues([0.1, 1.2])
    with pytest.raises(ValueError, match="method='fdr' is not valid"):
        cxstats.adjust_pvalues([0.1], method="fdr")
