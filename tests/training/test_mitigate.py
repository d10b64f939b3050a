"""Mitigation options side by side on the temporal split (synthetic feature tables only)."""

import dataclasses

import pytest

from features import FeatureRegistry
from training._mitigate import EQUALITY_ACT_WARNING, compare_mitigations


@pytest.fixture
def compared(make_table, small_registry, fast, _cache={}):
    if "payload" not in _cache:
        frame, groups = make_table(400, 16)
        marked = FeatureRegistry(tuple(dataclasses.replace(f, proxy="deprivation") if f.name == "cin_referrals_12m"
                                       else f for f in small_registry))
        frame.attrs["registry"] = marked.to_dict()
        _cache["payload"] = compare_mitigations(frame, groups=groups, attribute="sex", config=fast,
                                                progress=lambda *a: None).payload
    return _cache["payload"]


def test_every_option_is_audited_with_intervals(compared):
    names = [v["name"] for v in compared["variants"]]
    assert names == ["as_trained", "without_proxies", "equalized_odds", "fnr_thresholds"]
    for variant in compared["variants"]:
        auc = variant["roc_auc"]
        assert auc["ci_low"] <= auc["value"] <= auc["ci_high"]
        assert {g["group"] for g in variant["groups"]} == {"F", "M"}
        assert set(variant["groups"][0]["metrics"]) == {"fnr", "fpr", "selection_rate"}
        assert variant["precision"] is not None and variant["recall"] is not None


def test_the_model_as_trained_changes_nothing(compared):
    base = compared["variants"][0]
    assert base["flag_changes"] == 0 and base["band_changes"] == 0
    assert base["flagged"] == compared["caseload"]["pooled"]


def test_the_proxy_marked_input_is_dropped(compared):
    assert compared["proxies"] == ["cin_referrals_12m"]


def test_per_group_thresholds_carry_the_equality_act_warning(compared):
    thresholds = compared["variants"][-1]
    assert thresholds["warning"] == EQUALITY_ACT_WARNING
    assert "Equality Act 2010" in EQUALITY_ACT_WARNING and "legal advice" in EQUALITY_ACT_WARNING
    assert thresholds["band_changes"] is None


def test_an_unknown_attribute_is_refused(make_table, small_registry, fast):
    frame, groups = make_table(n_people=100, n_dates=12)
    frame.attrs["registry"] = small_registry.to_dict()
    with pytest.raises(ValueError, match="'--attribute' option names 'religion'"):
        compare_mitigations(frame, groups=groups, attribute="religion", config=fast)


def test_the_governance_report_shows_the_mitigation_section(compared, tmp_path):
    import numpy as np
    import pandas as pd

    from evaluation import audit_scores
    from evaluation._mitigation_report import write_mitigation

    rng = np.random.default_rng(0)
    audit = audit_scores(rng.integers(0, 2, 300), y_score=rng.random(300), top_k=30,
                         sensitive_features=pd.DataFrame({"sex": rng.choice(["F", "M"], 300)}), n_boot=20)
    paths = write_mitigation(compared, tmp_path)
    with_section = audit.write_html(tmp_path / "report.html", mitigation=compared).read_text()
    without = audit.write_html(tmp_path / "plain.html").read_text()
    assert "Mitigation options" in with_section and "Mitigation options" not in without
    assert "Equality Act 2010" in paths["html"].read_text()


def test_groups_without_both_outcomes_share_a_pooled_threshold():
    import numpy as np

    from training._mitigate import POOLED, _pooled_groups

    s_valid = np.array(["A"] * 6 + ["B"] * 4 + ["Unknown"] * 3, dtype=object)
    y_valid = np.array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    s_test = np.array(["A", "B", "Unknown", "New"], dtype=object)
    pooled_valid, pooled_test = _pooled_groups(s_valid, y_valid, s_test)
    assert set(pooled_valid) == {"A", "B"}
    assert pooled_test.tolist() == ["A", "B", "A", "A"]
    assert POOLED not in set(pooled_valid)


def test_the_panels_choice_is_recorded_with_the_model_version(compared, trained, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from evaluation._mitigation_report import write_mitigation
    from riskmodel.cli import app
    from training import _tracking

    write_mitigation(compared, tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["uri"])
    monkeypatch.chdir(trained["folder"])
    runner = CliRunner()
    refused = runner.invoke(app, ["mitigate", "--data", str(tmp_path / "absent"), "--out", str(tmp_path),
                                  "--record", "apply_everything"])
    assert refused.exit_code == 2 and "must be one of the options compared" in refused.output
    done = runner.invoke(app, ["mitigate", "--data", str(tmp_path / "absent"), "--out", str(tmp_path),
                               "--record", "equalized_odds", "--model", "knife-crime-risk@1"])
    assert done.exit_code == 0, done.output
    with _tracking.quiet_mlflow():
        _tracking.mlflow.set_tracking_uri(trained["uri"])
        version = _tracking.MlflowClient().get_model_version("knife-crime-risk", "1")
    assert version.tags["riskmodel-governance.mitigation_choice"] == "equalized_odds"
