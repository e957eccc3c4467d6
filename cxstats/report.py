"""Build the HTML reports: for now, an index page of the bundled datasets.

The notebook pipeline (papermill + nbconvert) is added by the report issue;
until then ``cxstats report`` writes ``index.html`` with every bundled survey
and its figures, built from the raw data.
"""

from __future__ import annotations

import hashlib
import html
from pathlib import Path

from . import __version__
from .datasets import list_datasets, load, survey_files, survey_info


def data_checksum() -> str:
    """SHA-256 over the bundled raw survey files (names and bytes), for the report stamp."""
    digest = hashlib.sha256()
    for path in survey_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _table(df) -> str:
    return df.to_html(index=False, na_rep="", border=0, classes="figures", escape=True)


def build_index(out_dir="reports") -> Path:
    """Write ``index.html`` listing each bundled survey, its provenance and its figures."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = load()
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>cxstats: bundled CX survey datasets</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 8px;border-bottom:1px solid #ddd}"
        "th{text-align:left}</style></head><body>",
        "<h1>cxstats: bundled CX survey datasets</h1>",
        f"<p>cxstats {html.escape(__version__)}; raw data checksum (SHA-256) "
        f"<code>{data_checksum()}</code>.</p>",
        "<p>Each figure is shown as printed. <em>count_low</em> and <em>count_high</em> are the "
        "whole counts consistent with the rounded percentage and the base; they are empty when "
        "the base is unknown or the figure is not a share of respondents.</p>",
        "<h2>Surveys</h2>",
        _table(list_datasets()),
    ]
    cols = ["figure", "group", "statement", "kind", "value", "unit", "n", "count_low",
            "count_high", "confidence", "notes"]
    for name in figures["survey"].unique():
        info = survey_info(name)
        parts.append(f"<h2 id='{html.escape(name)}'>{html.escape(info['title'])}</h2>")
        facts = [("Publisher", info["publisher"]), ("Year", info["year"]),
                 ("Fieldwork", info.get("fieldwork")), ("Population", info["population"]),
                 ("Method", info.get("method")), ("Base", info["n"]),
                 ("About the base", info.get("n_note")), ("Source", info["source"]),
                 ("Quoted in", info["quoted_in"])]
        parts.append("<ul>" + "".join(
            f"<li><b>{k}:</b> {html.escape(str(v))}</li>" for k, v in facts if v is not None
        ) + "</ul>")
        if info.get("caveats"):
            parts.append("<p><b>Caveats</b></p><ul>" + "".join(
                f"<li>{html.escape(c)}</li>" for c in info["caveats"]) + "</ul>")
        parts.append(_table(figures.loc[figures.survey == name, cols]))
    parts.append("</body></html>")
    path = out / "index.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
