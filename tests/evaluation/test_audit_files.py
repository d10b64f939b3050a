"""Auditing a scores file end to end, as the command line does."""

from __future__ import annotations

import json

import pytest

from evaluation import AuditInputError, audit_files


@pytest.fixture()
def scores_csv(scores, tmp_path):
    path = tmp_path / "scores.csv"
    scores.to_csv(path, index=False)
    return path


def test_audit_files_writes_the_three_outputs(scores_csv, tmp_path):
    out = tmp_path / "out"
    result = audit_files(scores_csv, label="outcome", score="score", threshold=0.3,
                         groups=["sex", "ethnicity"], reference=["sex=F"], decision="decision",
                         n_boot=30, out_dir=out, context={"model_version": "7"})
    assert {p.name for p in out.iterdir()} == {"audit.json", "report.html", "transparency_record.md"}
    payload = json.loads((out / "audit.json").read_text())
    assert payload["context"]["model_version"] == "7"
    assert payload["settings"]["reference"]["sex"] == "F"
    assert result.to_dict()["settings"]["n_rows"] == 1500
    assert "P000001" not in (out / "report.html").read_text()


def test_another_tools_file_with_repeated_headers_can_be_audited(scores, tmp_path):
    path = tmp_path / "other_tool.csv"
    table = scores[["outcome", "score", "score", "sex"]].copy()
    table.columns = ["outcome", "score", "score", "sex"]
    table.iloc[:, 2] = 1 - scores["score"]
    table.to_csv(path, index=False)
    with pytest.warns(UserWarning, match="repeats"):
        result = audit_files(path, label="outcome", score="score.1", top_k=100, groups="sex",
                             n_boot=20, out_dir=tmp_path / "out")
    assert result.to_dict()["settings"]["n_flagged"] >= 100


def test_parquet_and_prediction_mode(scores, tmp_path):
    path = tmp_path / "scores.parquet"
    scores.to_parquet(path)
    result = audit_files(path, label="outcome", prediction="flag", groups=["sex"], n_boot=20,
                         out_dir=tmp_path / "out")
    assert result.to_dict()["settings"]["mode"] == "prediction"


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"label": "y"}, "column 'y' named by the 'label' option is not in the scores table"),
        ({"groups": ["sex", "region"]}, "column 'region' named by the 'groups' option"),
        ({"decision": "worker"}, "column 'worker' named by the 'decision' option"),
        ({"groups": []}, "'groups' option must name at least one"),
        ({"groups": ["sex", "sex"]}, "same column more than once"),
        ({"score": None}, "Name the column to audit"),
        ({"score": None, "prediction": "flag"}, "need a 'score' column"),
        ({"reference": ["sex"]}, "form COLUMN=VALUE"),
        ({"threshold": 2.0}, "lies above every score"),
    ],
)
def test_bad_file_options_raise_a_clear_error(scores_csv, tmp_path, options, match):
    base = dict(label="outcome", score="score", threshold=0.3, groups=["sex"], n_boot=5,
                out_dir=tmp_path / "out")
    base.update(options)
    with pytest.raises(AuditInputError, match=match):
        audit_files(scores_csv, **base)


def test_the_audit_names_the_label_a_scores_file_carries(scores, tmp_path):
    path = tmp_path / "scores.csv"
    scores.assign(label_name="knife_involvement", label_version="2").to_csv(path, index=False)
    out = tmp_path / "out"
    audit_files(path, label="outcome", score="score", threshold=0.3, groups=["sex"], n_boot=10, out_dir=out)
    payload = json.loads((out / "audit.json").read_text())
    assert payload["context"]["label_definition"] == "'knife_involvement' version 2 (from the scores file)"
    assert "knife_involvement" in (out / "transparency_record.md").read_text()


def test_a_file_mixing_labels_names_none(scores, tmp_path):
    path = tmp_path / "scores.csv"
    mixed = scores.assign(label_name="knife_involvement", label_version="2")
    mixed.loc[mixed.index[:10], "label_version"] = "1"
    mixed.to_csv(path, index=False)
    out = tmp_path / "out"
    audit_files(path, label="outcome", score="score", threshold=0.3, groups=["sex"], n_boot=10, out_dir=out)
    assert "label_definition" not in json.loads((out / "audit.json").read_text())["context"]
