"""The tidy result, the shared AuditSpec, caller-supplied metrics and person-level counting."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import recall_score, roc_auc_score

from evaluation import AuditInputError, AuditSpec, audit_files, audit_scores, on_score



def _audit(scores, **options):
    options = {"threshold": 0.3, "n_boot": 60, "random_state": 1, **options}
    return audit_scores(scores["outcome"], y_score=scores["score"],
                        sensitive_features=scores[["sex", "ethnicity"]], **options)


def test_by_group_has_one_row_per_group_and_metric(audit):
    frame = audit.by_group
    keys = frame[["kind", "attribute", "group", "metric"]]
    assert not keys.duplicated().any()
    groups = frame[frame["kind"] == "group"]
    assert set(groups["attribute"]) == {"sex", "ethnicity"}
    crossings = frame.loc[frame["kind"] == "intersection", "group"].nunique()
    assert crossings == 2 * 5  # every crossing of sex and ethnicity, empty ones included
    assert set(audit.overall["metric"]) == set(groups["metric"])


def test_json_is_made_from_the_frame(audit):
    frame = audit.by_group.set_index(["attribute", "group", "metric"])
    for record in audit.to_dict()["groups"]:
        for metric, entry in record["metrics"].items():
            row = frame.loc[(record["attribute"], record["value"], metric)]
            if entry["value"] is None:
                assert np.isnan(row["value"])
                continue
            assert entry["value"] == pytest.approx(row["value"])
            assert entry["ci_low"] == pytest.approx(row["lower"])
        for metric, d in record["disparities"].items():
            row = frame.loc[(record["attribute"], record["value"], metric)]
            assert d["verdict"] == row["verdict"]
            if d["ratio"] is not None:
                assert d["ratio"] == pytest.approx(row["disparity"])


def test_a_verdict_is_one_filter_away(audit):
    fnr = audit.by_group.query("kind == 'group' and metric == 'fnr' and not reference and not suppressed")
    assert set(fnr["verdict"]) <= {"within tolerance", "outside tolerance", "insufficient evidence"}
    assert fnr["disparity_lower"].le(fnr["disparity"]).all() and fnr["disparity"].le(fnr["disparity_upper"]).all()


def test_withheld_groups_show_no_counts_or_values(audit):
    withheld = audit.by_group[audit.by_group["suppressed"]]
    assert len(withheld) > 0  # the conftest plants a group of six
    assert withheld["n"].isna().all() and withheld["n_people"].isna().all()
    assert withheld["value"].isna().all()
    assert withheld["suppression_reason"].notna().all()


def test_a_caller_metric_on_the_flags_matches_the_built_in_rate(scores):
    result = _audit(scores, metrics={"recall": recall_score})
    frame = result.by_group.set_index(["attribute", "group", "metric"])
    shown = result.by_group.query("kind == 'group' and not suppressed")["group"].unique()
    for group in shown:
        attribute = "sex" if group in ("F", "M") else "ethnicity"
        assert frame.loc[(attribute, group, "recall"), "value"] == pytest.approx(
            frame.loc[(attribute, group, "tpr"), "value"])
    payload = result.to_dict()
    assert "recall" in payload["overall"]["metrics"] and "recall" in payload["definitions"]
    assert payload["settings"]["custom_metrics"] == ["recall"]
    non_ref = next(g for g in payload["groups"] if not g["reference"] and not g["suppressed"])
    assert non_ref["disparities"]["recall"]["verdict"] in (
        "within tolerance", "outside tolerance", "insufficient evidence")


def test_a_caller_metric_on_the_score_and_its_interval(scores):
    result = _audit(scores, metrics={"auc": on_score(roc_auc_score)})
    overall = result.overall.set_index("metric")
    assert overall.loc["auc", "value"] == pytest.approx(roc_auc_score(scores["outcome"], scores["score"]))
    assert overall.loc["auc", "lower"] < overall.loc["auc", "value"] < overall.loc["auc", "upper"]
    assert overall.loc["auc", "lower"] == pytest.approx(overall.loc["roc_auc", "lower"], abs=1e-9)


def test_a_score_metric_needs_a_score(scores):
    with pytest.raises(AuditInputError, match=r"take the score \(on_score\)"):
        audit_scores(scores["outcome"], y_pred=scores["flag"], sensitive_features=scores["sex"],
                     metrics={"auc": on_score(roc_auc_score)}, n_boot=5)


def test_a_failing_caller_metric_is_named(scores):
    def broken(y_true, y_pred):
        raise KeyError("x")

    with pytest.raises(AuditInputError, match="The metric 'broken' failed"):
        _audit(scores, metrics={"broken": broken})


def test_one_spec_serves_the_function_and_the_file_reader(scores, tmp_path):
    spec = AuditSpec(threshold=0.3, reference={"sex": "F"}, n_boot=40, random_state=2, min_cell=10)
    scores.to_csv(tmp_path / "scores.csv", index=False)
    from_file = audit_files(tmp_path / "scores.csv", label="outcome", score="score",
                            groups=["sex", "ethnicity"], out_dir=tmp_path / "out", spec=spec)
    direct = audit_scores(scores["outcome"], y_score=scores["score"], person=scores["person_id"],
                          sensitive_features=scores[["sex", "ethnicity"]], spec=spec)
    pd.testing.assert_frame_equal(from_file.by_group, direct.by_group)
    overridden = audit_scores(scores["outcome"], y_score=scores["score"],
                              sensitive_features=scores["sex"], spec=spec, n_boot=10)
    assert overridden.to_dict()["settings"]["n_boot"] == 10
    assert spec.n_boot == 40


def test_spec_is_frozen_and_checked_when_made():
    spec = AuditSpec(top_k=50)
    with pytest.raises(AttributeError):
        spec.top_k = 10
    assert spec.replace(top_k=10).top_k == 10
    with pytest.raises(AuditInputError, match="'tolerance' option must be a number between 0 and 1"):
        AuditSpec(tolerance=1.5)


def _repeated_people(n_people=300, dates=3, seed=0):
    """Each young person on several as-of dates; one ethnicity group of four people."""
    rng = np.random.default_rng(seed)
    score = rng.beta(1.2, 6.0, n_people)
    base = pd.DataFrame({
        "person_id": [f"P{i:05d}" for i in range(n_people)],
        "score": score,
        "sex": rng.choice(["F", "M"], n_people),
        "ethnicity": np.r_[["Other"] * 4, rng.choice(["White", "Black"], n_people - 4, p=[0.7, 0.3])],
    })
    dated = pd.concat([base] * dates, ignore_index=True)
    dated["outcome"] = (rng.random(len(dated)) < dated["score"]).astype(int)
    return dated


def test_small_cells_count_distinct_young_people_not_rows():
    table = _repeated_people()
    other = (table["ethnicity"] == "Other").sum()
    assert other == 12  # 12 rows, 4 young people
    by_rows = audit_scores(table["outcome"], y_score=table["score"], threshold=0.3,
                           sensitive_features=table["ethnicity"], n_boot=20)
    by_people = audit_scores(table["outcome"], y_score=table["score"], threshold=0.3,
                             sensitive_features=table["ethnicity"], person=table["person_id"], n_boot=20)

    def withheld(result):
        return {g["value"] for g in result.to_dict()["groups"] if g["suppressed"]}

    assert "Other" not in withheld(by_rows)
    assert "Other" in withheld(by_people)
    counted = by_people.by_group.query("group == 'White' and metric == 'n'").iloc[0]
    assert counted["n"] == 3 * counted["n_people"]


def test_resampling_people_widens_intervals_when_people_repeat():
    table = _repeated_people(dates=4)
    args = dict(y_score=table["score"], threshold=0.3, sensitive_features=table["sex"], n_boot=300)
    naive = audit_scores(table["outcome"], **args).overall.set_index("metric")
    clustered = audit_scores(table["outcome"], person=table["person_id"], **args).overall.set_index("metric")
    width = {name: (f.loc["selection_rate", "upper"] - f.loc["selection_rate", "lower"])
             for name, f in (("naive", naive), ("clustered", clustered))}
    assert width["clustered"] > 1.5 * width["naive"]


def test_a_scores_file_without_person_id_says_rows_are_counted(scores, tmp_path):
    scores.drop(columns="person_id").to_csv(tmp_path / "scores.csv", index=False)
    result = audit_files(tmp_path / "scores.csv", label="outcome", score="score", threshold=0.3,
                         groups="sex", out_dir=tmp_path / "out", n_boot=10)
    payload = json.loads((tmp_path / "out" / "audit.json").read_text())
    assert payload["settings"]["person_given"] is False
    assert payload["settings"]["min_cell_counts"] == "rows"
    assert any("each row is counted as a different young person" in note for note in payload["notes"])
    assert "each row is counted as a different young person" in (tmp_path / "out" / "report.html").read_text()
    assert result.to_dict()["settings"]["n_people"] == len(scores)


def test_a_named_person_column_must_exist(scores, tmp_path):
    scores.to_csv(tmp_path / "scores.csv", index=False)
    with pytest.raises(AuditInputError, match="'pseudonym' named by the 'person' option"):
        audit_files(tmp_path / "scores.csv", label="outcome", score="score", threshold=0.3,
                    groups="sex", person="pseudonym", out_dir=tmp_path / "out", n_boot=10)


def test_missing_person_values_are_refused(scores):
    person = scores["person_id"].mask(scores.index < 3)
    with pytest.raises(AuditInputError, match="'person' values are missing in 3 row"):
        audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                     sensitive_features=scores["sex"], person=person, n_boot=5)
