"""cxstats: customer-experience survey statistics.

Published CX figures with their provenance, respondent-level survey files, and
the tests a CX researcher needs, built on one idea: counts are sufficient
statistics.

`import cxstats` loads numpy and pandas only: scipy, scikit-learn, matplotlib
and the rest are imported inside the functions that use them, and `plots`,
`report` and the segment models (built on scikit-learn's base classes) load on
first access.
"""

__version__ = "0.1.0"

from ._validate import DataError
from .bayes import prob_greater
from .choice import ChoiceModelResult, choice_model
from .contingency import Chi2Result, chi2_independence
from .counts import count_range
from .crosstab import CrosstabResult, crosstab
from .datasets import list_datasets, load, survey_info
from .design import SurveyDesign, survey_design
from .drivers import KeyDriversResult, key_drivers
from .figures import analyze_figures, breakeven_base, compare_figures, compare_groups
from .io import read_responses
from .meta import MetaResult, meta_proportions
from .multiple import adjust_pvalues
from .multiple_response import multiple_response
from .ordinal import OrdinalModelResult, ordinal_model
from .own_survey import (
    SurveyParameters,
    answer_summary,
    check_survey_parameters,
    read_survey,
    segment_differences,
    weight_summary,
)
from .paired import paired_gap_bounds
from .power import breakeven_n, power_proportions
from .profile import describe_segments, profile
from .proportions import compare_proportions, proportion_ci, test_proportion
from .reliability import ReliabilityResult, scale_reliability
from .require import require_figures, require_responses
from .responses import list_responses, load_responses
from .simulate import simulate_price_study, simulate_respondents
from .survey import (
    RakeResult,
    bottom_box,
    compare_domains,
    compare_nps,
    nps,
    rake,
    top_box,
    weighted_mean,
    weighted_proportion,
    weighted_total,
)
from .tracking import feedback_truth, simulate_feedback, wave_changes
from .valuation import ValuationResult, dichotomous_choice_wtp
from .wtp import GaborGrangerResult, VanWestendorpResult, gabor_granger, van_westendorp

__all__ = [
    "Chi2Result",
    "ChoiceModelResult",
    "CrosstabResult",
    "DataError",
    "KMeansSegments",
    "LatentClassSegments",
    "MetaResult",
    "MixtureSegments",
    "GaborGrangerResult",
    "KeyDriversResult",
    "OrdinalModelResult",
    "ReliabilityResult",
    "ValuationResult",
    "VanWestendorpResult",
    "RakeResult",
    "SurveyParameters",
    "SurveyDesign",
    "__version__",
    "adjust_pvalues",
    "analyze_figures",
    "answer_summary",
    "bottom_box",
    "breakeven_base",
    "breakeven_n",
    "check_survey_parameters",
    "chi2_independence",
    "choice_model",
    "compare_domains",
    "compare_figures",
    "compare_groups",
    "compare_nps",
    "compare_proportions",
    "count_range",
    "crosstab",
    "gabor_granger",
    "key_drivers",
    "describe_segments",
    "dichotomous_choice_wtp",
    "feedback_truth",
    "list_datasets",
    "list_responses",
    "load",
    "load_responses",
    "meta_proportions",
    "multiple_response",
    "nps",
    "ordinal_model",
    "paired_gap_bounds",
    "plots",
    "power_proportions",
    "prob_greater",
    "profile",
    "rake",
    "read_survey",
    "proportion_ci",
    "read_responses",
    "report",
    "require_figures",
    "require_responses",
    "scale_reliability",
    "segment_differences",
    "select_segments",
    "simulate_feedback",
    "simulate_price_study",
    "simulate_respondents",
    "survey_info",
    "test_proportion",
    "top_box",
    "van_westendorp",
    "wave_changes",
    "weighted_mean",
    "survey_design",
    "weighted_proportion",
    "weighted_total",
    "weight_summary",
]

# name -> submodule that defines it, imported on first access (PEP 562)
_LAZY = {
    "plots": None,
    "report": None,
    "display": None,  # show_table, show_figure: what a report page shows
    "KMeansSegments": "segment",
    "LatentClassSegments": "segment",
    "MixtureSegments": "segment",
    "select_segments": "segment",
}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    module = import_module(f"{__name__}.{_LAZY[name] or name}")
    value = module if _LAZY[name] is None else getattr(module, name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
