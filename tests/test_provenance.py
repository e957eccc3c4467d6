"""The files a session read, with their SHA-256: what a report page states as its provenance."""

import hashlib
import json

import cxstats
from cxstats import _provenance


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_files_read_by_the_package_are_listed_with_their_hash(tmp_path, monkeypatch):
    """read_responses, load and load_responses record each file they read once; load(name) reads that survey's file
    alone; a file changed after it was read is listed again with its new hash."""
    monkeypatch.setattr(_provenance, "_read", {})
    survey = tmp_path / "wave.csv"
    survey.write_text("id,q1\n1,4\n", encoding="utf-8")
    cxstats.read_responses(survey)
    cxstats.read_responses(survey)
    cxstats.load("calabrio_2022")
    cxstats.load_responses("customer_sat")
    files = _provenance.files_read()
    assert [f["path"] for f in files[:2]] == [str(survey.resolve()), str(
        cxstats.datasets.data_dir().resolve() / "raw" / "surveys" / "calabrio_2022.yaml")]
    assert files[0]["sha256"] == _sha(survey) and len(files) == 3
    assert files[2]["path"].endswith("customer_sat.csv")
    survey.write_text("id,q1\n1,5\n2,3\n", encoding="utf-8")
    cxstats.read_responses(survey)
    assert _provenance.files_read()[0]["sha256"] == _sha(survey)


def test_during_a_build_each_read_is_logged_at_once(tmp_path, monkeypatch):
    """With CXSTATS_PROVENANCE_FILE set (as the report runner sets it in the kernel) each file read is appended
    as a JSON line when it is read; a line cut short by a killed kernel is skipped when the log is read."""
    monkeypatch.setattr(_provenance, "_read", {})
    log = tmp_path / "read.jsonl"
    monkeypatch.setenv(_provenance.ENV, str(log))
    survey = tmp_path / "wave.csv"
    survey.write_text("id,q1\n1,4\n", encoding="utf-8")
    cxstats.read_responses(survey)
    assert json.loads(log.read_text()) == {"path": str(survey.resolve()), "sha256": _sha(survey)}
    with open(log, "a") as handle:
        handle.write('{"path": "/cut/sh')
    assert _provenance.read_log(log) == [{"path": str(survey.resolve()), "sha256": _sha(survey)}]
    assert _provenance.read_log(tmp_path / "absent.jsonl") == []
