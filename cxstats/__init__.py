"""cxstats: customer-experience survey statistics.

Published CX figures with their provenance, respondent-level survey files, and
the tests a CX researcher needs, built on one idea: counts are sufficient
statistics.
"""

__version__ = "0.1.0"

from ._validate import DataError
from .counts import count_range
from .datasets import list_datasets, load, survey_info
from .io import read_responses

__all__ = [
    "DataError",
    "__version__",
    "count_range",
    "list_datasets",
    "load",
    "read_responses",
    "survey_info",
]
