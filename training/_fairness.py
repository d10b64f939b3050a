"""The fairness section: ``evaluation.audit_scores`` on the test period, across the groups.

Flags are the model's highest scores over the whole test period, ``capacity`` per test
as-of date on average: the audit is given the test period's scores with
``top_k = capacity x number of test as-of dates``.
Group columns come from the FeatureSet's groups frame (never model inputs). The audit's
JSON and HTML report become run artifacts; a summary table goes into the model card.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._card_content import format_interval

AUDIT_COLUMNS = ("sex", "ethnicity_group", "sen_provision", "age_band", "looked_after")
_SHOWN = (("base_rate", "base rate"), ("selection_rate", "selection rate"), ("fnr", "miss rate (FNR)"),
          ("ppv", "precision (PPV)"), ("roc_auc", "ROC AUC"), ("ece", "calibration error (ECE)"))
NO_GROUPS = ("the feature table came without group columns (sex, ethnicity group, SEN provision, age band, "
             "looked after); pass a FeatureSet or 'groups' to include the audit.")


@dataclass(frozen=True)
class FairnessSection:
    """The test-period audit and what the model card says about it.

    Attributes
    ----------
    audit : evaluation.AuditResult or None
        None when the audit could not run.
    blocks : tuple
        The card's summary blocks (empty when the audit did not run).
    reason : str or None
        Why the audit did not run, for the card.
    """

    audit: object = None
    blocks: tuple = ()
    reason: str | None = None

    def files(self, context: dict) -> dict:
        """Artifact file name to bytes: the audit's JSON and HTML under ``context`` (none without an audit)."""
        if self.audit is None:
            return {}
        with tempfile.TemporaryDirectory() as tmp:
            json_path = self.audit.write_json(Path(tmp) / "fairness_audit.json", context=context)
            html_path = self.audit.write_html(Path(tmp) / "fairness_audit.html", context=context)
            return {"fairness_audit.json": json_path.read_bytes(), "fairness_audit.html": html_path.read_bytes()}


def flag_count(test, config) -> int:
    """Flags in the audit: ``capacity`` per test as-of date, pooled."""
    return config.capacity * int(test["as_of"].nunique())


def audit_test_period(test, groups, probability, config, *, top_k: int) -> FairnessSection:
    """Audit the test period's scores across ``groups`` (the test rows' group columns, or None),
    flagging the ``top_k`` highest (:func:`flag_count`).

    Returns
    -------
    FairnessSection
        The audit and its card blocks, or the reason it was skipped (no group columns, or
        no evaluation package).
    """
    try:
        from evaluation import audit_scores
    except ImportError:
        return FairnessSection(reason="the evaluation package's audit is not installed.")
    groups = audit_columns(groups)
    if groups is None:
        return FairnessSection(reason=NO_GROUPS)
    result = audit_scores(test["label"].to_numpy(), y_score=np.asarray(probability), top_k=top_k,
                          sensitive_features=groups, person=test["person_id"].to_numpy(), n_boot=config.audit_n_boot,
                          tolerance=config.fairness_tolerance, random_state=config.random_state)
    return FairnessSection(audit=result, blocks=tuple(_blocks(result.to_dict(), top_k, config)))


def audit_columns(groups):
    """The audit's group columns of ``groups`` as text (missing as "not recorded"), or None if it has none."""
    columns = [c for c in AUDIT_COLUMNS if groups is not None and c in groups.columns]
    if not columns:
        return None
    return groups[columns].reset_index(drop=True).astype("string").fillna("not recorded")


def _blocks(audit: dict, top_k: int, config) -> list:
    header = ["group", "rows", *(label for _, label in _SHOWN), "selection rate vs reference", "miss rate vs reference"]
    rows = [_row(record) for record in audit["groups"]]
    return [
        ("p", f"Flags: the {top_k} highest scores over the whole test period (on average "
              f"{config.capacity} per as-of date). Groups come from the records and are never model inputs. "
              "Rows are young person by as-of date. Brackets give 95% bootstrap intervals that resample "
              "young people, so a young person seen on several test dates is drawn as one. Groups with "
              "fewer distinct young people than the audit's minimum cell are withheld."),
        ("table", header, rows),
        ("p", "The label is recorded crime, so base rates and error rates by group inherit any bias in "
              "how groups are policed. The full audit (intersections, capacity planning, verdicts) is in fairness_audit.html "
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
