"""The fairness section: ``evaluation.audit_scores`` on the test period, across the groups.

Flags are the model's highest scores over the whole test period, ``capacity`` per test
as-of date on average: the audit is given the test period's scores with
``top_k = capacity x number of test as-of dates``.
Group columns come from the FeatureSet's groups frame (never model inputs). The audit's
JSON and HTML report become run artifacts; a summary table goes into the model card.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ._card_content import format_interval
from ._input import label_statement

AUDIT_COLUMNS = ("sex", "ethnicity_group", "sen_provision", "age_band", "looked_after")
_SHOWN = (("base_rate", "base rate"), ("selection_rate", "selection rate"), ("fnr", "miss rate (FNR)"),
          ("ppv", "precision (PPV)"), ("roc_auc", "ROC AUC"), ("ece", "calibration error (ECE)"))


def flag_count(test, config) -> int:
    """Flags in the audit: ``capacity`` per test as-of date, pooled."""
    return config.capacity * int(test["as_of"].nunique())


def audit_test_period(test, prepared, period, probability, config, facts: dict):
    """Run the audit, put its summary blocks (or the reason it was skipped) in ``facts``.

    Returns
    -------
    audit : evaluation.AuditResult or None
        None when the audit could not run (no groups, or no evaluation package).
    files : dict
        Artifact file name to bytes (``fairness_audit.json``, ``fairness_audit.html``).
    """
    try:
        from evaluation import audit_scores
    except ImportError:
        facts["fairness"] = {"reason": "the evaluation package's audit is not installed."}
        return None, {}
    groups = _test_groups(prepared, period)
    if groups is None:
        facts["fairness"] = {"reason": "the feature table came without group columns (sex, ethnicity "
                                       "group, SEN provision, age band, looked after); pass a FeatureSet "
                                       "or 'groups' to include the audit."}
        return None, {}
    top_k = flag_count(test, config)
    result = audit_scores(test["label"].to_numpy(), y_score=np.asarray(probability), top_k=top_k,
                          sensitive_features=groups, n_boot=config.audit_n_boot,
                          tolerance=config.fairness_tolerance, random_state=config.random_state)
    facts["fairness"] = {"blocks": _blocks(result.to_dict(), top_k, config)}
    return result, _files(result, facts)


def _test_groups(prepared, period):
    if prepared.groups is None:
        return None
    columns = [c for c in AUDIT_COLUMNS if c in prepared.groups.columns]
    if not columns:
        return None
    groups = prepared.groups.loc[period == "test", columns].reset_index(drop=True)
    return groups.astype("string").fillna("not recorded")


def _blocks(audit: dict, top_k: int, config) -> list:
    header = ["group", "rows", *(label for _, label in _SHOWN), "selection rate vs reference", "miss rate vs reference"]
    rows = [_row(record) for record in audit["groups"]]
    return [
        ("p", f"Flags: the {top_k} highest scores over the whole test period (on average "
              f"{config.capacity} per as-of date). Groups come from the records and are never model inputs. "
              "Rows are young person by as-of date. Brackets give 95% bootstrap intervals. Groups "
              f"smaller than the audit's minimum cell are withheld."),
        ("table", header, rows),
        ("p", "The label is recorded crime, so base rates and error rates by group inherit any bias in "
              "how groups are policed. The audit's intervals resample rows within each group, not young "
              "people, so where young people appear at several test dates they are somewhat too narrow. "
              "The full audit (intersections, capacity planning, verdicts) is in fairness_audit.html "
              "and fairness_audit.json beside this card."),
    ]


def _row(record: dict) -> list:
    name = f"{record['attribute']} = {record['value']}" + (" (reference)" if record.get("reference") else "")
    if record["suppressed"]:
        return [name, record["n_display"], *(["withheld"] * (len(_SHOWN) + 2))]
    metrics, disparities = record["metrics"], record.get("disparities") or {}
    cells = [format_interval(metrics.get(key)) for key, _ in _SHOWN]
    verdicts = [(disparities.get(key) or {}).get("verdict", "reference" if record.get("reference") else "")
                for key in ("selection_rate", "fnr")]
    return [name, record["n_display"], *cells, *verdicts]


def _files(result, facts: dict) -> dict:
    context = {"title": f"Fairness audit of {facts['name']} version {facts['version']} (test period)",
               "model_name": facts["name"], "model_version": str(facts["version"]),
               "label_definition": label_statement(facts["label_definition"]),
               "data_dates": f"test as-of dates {facts['split']['test_dates'][0]} to {facts['split']['test_dates'][-1]}"}
    with tempfile.TemporaryDirectory() as tmp:
        json_path = result.write_json(Path(tmp) / "fairness_audit.json", context=context)
        html_path = result.write_html(Path(tmp) / "fairness_audit.html", context=context)
        return {"fairness_audit.json": json_path.read_bytes(), "fairness_audit.html": html_path.read_bytes()}
