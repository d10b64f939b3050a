"""Monitoring one scoring batch against the registered model's training reference.

:func:`monitor_batch` compares a batch of features (one as-of date) with the reference
stored in the model folder at training time (``training_reference.json``):

- every feature's population stability index (PSI) against its fixed training bins, and its
  missing share;
- the calibrated score's PSI against its fixed validation-period bins, and each band's share;
- each source's record volume in the months up to the as-of date against its usual volume
  for those calendar months in the training period, so a source that stopped arriving or
  arrived late is named as such;
- the mix of codes in coded fields (youth justice offence category and knife flag, exclusion
  category) over the last 12 months, for the whole authority and for each area, so a changed
  code list or a shift in one area's recording practice is named with its area and code;
- where labels now exist for as-of dates after the model's test period: discrimination,
  calibration and the fairness audit on those dates, with intervals, beside the model card's
  test-period figures.

Each check has a status (ok / watch / alert) under the thresholds declared in
``evaluation._drift.THRESHOLDS``; the batch's status is the worst of them. Nothing here
decides anything: it tells the people responsible for the model what changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evaluation._arrivals import code_checks, month_range, volume_checks
from evaluation._drift import (
    THRESHOLDS, bin_shares, feature_drift, population_stability_index, status_of, worst_status,
)
from evaluation._format import jsonable

from ._config import TrainingConfig
from ._reference import REFERENCE_FILE

EXIT_OK, EXIT_ALERT = 0, 3
RECENT_MONTHS = 6
CODE_MONTHS = 12
OUTCOME_BOOT = 200


class MissingReferenceError(ValueError):
    """The model was saved without a monitoring reference."""


@dataclass(frozen=True)
class MonitorResult:
    """What monitoring one batch found.

    Attributes
    ----------
    payload : dict
        The structure written to ``monitor.json``: ``status``, ``checks`` (one per feature,
        score, band set, source and month), ``features``, ``score``, ``bands``, ``volume``,
        ``outcomes``, ``thresholds``, ``model`` and ``notes``.
    """

    payload: dict

    @property
    def status(self) -> str:
        """The worst status of any check: ``ok``, ``watch`` or ``alert``."""
        return self.payload["status"]

    @property
    def exit_code(self) -> int:
        """3 when any check is an alert, else 0 (for a scheduler)."""
        return EXIT_ALERT if self.status == "alert" else EXIT_OK

    def findings(self, status: str = "alert") -> list[str]:
        """Plain-word findings of the checks with ``status``."""
        return [c["finding"] for c in self.payload["checks"] if c["status"] == status]

    def write(self, out_dir) -> dict:
        """Write ``monitor.json`` and ``monitor.html`` into ``out_dir``; return their paths."""
        from evaluation._monitor_report import render_monitor_report

        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        paths = {"json": folder / "monitor.json", "html": folder / "monitor.html"}
        paths["json"].write_text(json.dumps(jsonable(self.payload), indent=2, allow_nan=False), encoding="utf-8")
        paths["html"].write_text(render_monitor_report(jsonable(self.payload)), encoding="utf-8")
        return paths


def monitor_batch(model, batch: pd.DataFrame, *, as_of, profile: dict | None = None,
                  outcomes: pd.DataFrame | None = None, groups: pd.DataFrame | None = None) -> MonitorResult:
    """Compare one scoring batch with the model's stored training reference.

    Parameters
    ----------
    model : riskmodel.RiskModel
        A model saved with ``training_reference.json``.
    batch : DataFrame
        The batch's feature rows (the model's feature columns; key columns are ignored).
    as_of : date-like
        The batch's as-of date.
    profile : dict, optional
        Record volumes per source per month and the code mix of the batch's extracts
        (``training._reference.extract_profile``); without it those checks are skipped.
    outcomes : DataFrame, optional
        Feature rows with a known ``label`` for as-of dates after the model's test period.
    groups : DataFrame, optional
        Audit group columns aligned with ``outcomes`` (never model inputs).

    Returns
    -------
    MonitorResult

    Raises
    ------
    MissingReferenceError
        If the model has no training reference (trained before references were stored).
    riskmodel.FeatureMismatchError
        If the batch's columns differ from the model's.
    """
    reference = training_reference_of(model)
    as_of = pd.Timestamp(as_of)
    probability = model.predict_proba(batch)
    notes: list[str] = []
    features = feature_drift(reference["features"], batch[model.feature_names])
    score = _score_check(reference["score"], probability)
    bands = _band_check(reference["bands"], model.band(probability))
    volume_table = _volume_table(reference, None if profile is None else profile["volume"], as_of, notes)
    code_table = _code_table(reference, None if profile is None else profile["codes"], as_of)
    outcome_block = _outcomes(model, reference, outcomes, groups, notes)
    checks = _checks(features, score, bands, volume_table, code_table)
    payload = {
        "status": worst_status(c["status"] for c in checks), "as_of": f"{as_of:%Y-%m-%d}",
        "rows": int(len(batch)), "model": _model_facts(model, reference), "thresholds": _thresholds(),
        "checks": checks, "features": features.to_dict(orient="records"), "score": score, "bands": bands,
        "volume": None if volume_table is None else volume_table.to_dict(orient="records"),
        "codes": None if code_table is None else code_table.to_dict(orient="records"),
        "outcomes": outcome_block, "notes": notes,
    }
    return MonitorResult(payload)


def training_reference_of(model) -> dict:
    """The model's stored reference, or a clear error for a model saved without one."""
    reference = getattr(model, "documents", {}).get(REFERENCE_FILE)
    if reference is None:
        name, version = model.metadata.get("name", "the model"), model.metadata.get("version", "?")
        raise MissingReferenceError(
            f"The model '{name}' version {version} has no monitoring reference ({REFERENCE_FILE}): it was "
            "trained before this library stored one with each model. Monitoring needs the training "
            "period's fixed bins and volumes, which cannot be rebuilt honestly afterwards; retrain the "
            "model with this version of the library and monitor the new version."
        )
    return reference


def monitor_from_data(model, data_dir, *, as_of, key, progress=None) -> MonitorResult:
    """Load the extracts in ``data_dir``, build the batch for ``as_of`` and monitor it.

    Labels are used where they are now complete for as-of dates (quarter ends) after the
    model's test period and on or before ``as_of``.

    Raises
    ------
    features.DataError
        If the extracts cannot be read.
    MissingReferenceError, ValueError
        If the model has no reference, or the as-of date is outside the extracts.
    """
    import features

    training_reference_of(model)  # a model without a reference stops before the extracts are read
    extracts = features.load_extracts(data_dir, key=key, progress=progress)
    return monitor_tables(model, extracts.tables, as_of=as_of)


def monitor_tables(model, tables: dict[str, pd.DataFrame], *, as_of) -> MonitorResult:
    """Build the batch for ``as_of`` from tidy tables already loaded and monitor it.

    As :func:`monitor_from_data`, for a caller that holds ``Extracts.tables`` already.
    """
    import features

    reference = training_reference_of(model)
    as_of = _checked_as_of(tables, as_of)
    batch = features.build_features(tables, [as_of], registry=model.registry).frame
    outcome_set = _outcome_features(model, reference, tables, as_of, features)
    from ._reference import extract_profile

    return monitor_batch(model, batch, as_of=as_of, profile=extract_profile(tables),
                         outcomes=None if outcome_set is None else outcome_set.frame,
                         groups=None if outcome_set is None else outcome_set.groups)


def outcome_dates(reference: dict, *, as_of, data_end) -> list[pd.Timestamp]:
    """Quarter ends after the test period whose label window is complete by ``data_end`` (the label cut-off)."""
    periods = reference["periods"]
    horizon = int(periods["horizon_months"])
    last_test = pd.Timestamp(periods["test"][-1])
    latest = min(pd.Timestamp(as_of), pd.Timestamp(data_end) - pd.DateOffset(months=horizon))
    return list(pd.date_range(last_test + pd.DateOffset(days=1), latest, freq="QE"))


# --- the checks --------------------------------------------------------------------------


def _score_check(reference: dict, probability: np.ndarray) -> dict:
    shares = bin_shares(probability, reference["cuts"])
    psi = population_stability_index(reference["shares"], shares)
    return {"psi": psi, "status": status_of("psi", psi), "reference_shares": reference["shares"],
            "batch_shares": shares.round(6).tolist(), "cuts": reference["cuts"],
            "mean_probability": float(np.mean(probability)) if len(probability) else None}


def _band_check(reference: dict, bands: np.ndarray) -> dict:
    names = list(reference)
    counts = pd.Series(bands).value_counts()
    now = np.array([counts.get(n, 0) for n in names], dtype=float)
    now = now / now.sum() if now.sum() else now
    psi = population_stability_index([reference[n] for n in names], now)
    return {"psi": psi, "status": status_of("psi", psi),
            "shares": [{"band": n, "reference": reference[n], "batch": float(s)} for n, s in zip(names, now)]}


def _volume_table(reference: dict, volume, as_of: pd.Timestamp, notes: list) -> pd.DataFrame | None:
    if volume is None:
        notes.append("Record volumes were not checked: the batch came as a feature table, not extracts.")
        return None
    months = _recent_months(as_of)
    stored = reference.get("volume")
    if stored is None:
        window = _window_from_periods(reference)
        base = volume[volume["month"].isin(window)]
        notes.append("The model's reference holds no record volumes (it was trained from a feature table); "
                     "volumes are compared with the same extracts' own months of the training period.")
    else:
        base = pd.DataFrame(stored["records"], columns=["source", "month", "records"])
    batch = volume[volume["month"].isin(months)]
    return volume_checks(base, batch.reindex(columns=["source", "month", "records"]), months)


def _code_table(reference: dict, codes, as_of: pd.Timestamp) -> pd.DataFrame | None:
    if codes is None:
        return None
    stored = reference.get("codes")
    if stored is None:
        base = codes[codes["month"].isin(_window_from_periods(reference))]
    else:
        base = pd.DataFrame(stored, columns=["field", "area", "code", "records"])
    recent = codes[codes["month"].isin(_recent_months(as_of, CODE_MONTHS))]
    return code_checks(base, recent)


def _recent_months(as_of: pd.Timestamp, n: int = None) -> list[str]:
    """The months up to the as-of date (its own month only if the as-of date ends it)."""
    last = as_of if as_of.is_month_end else as_of - pd.offsets.MonthEnd(1)
    return month_range(last - pd.DateOffset(months=(n or RECENT_MONTHS) - 1), last)


def _window_from_periods(reference: dict) -> list[str]:
    train = reference["periods"]["train"]
    return month_range(pd.Timestamp(train[0]) - pd.DateOffset(months=11), pd.Timestamp(train[-1]))


def _checks(features: pd.DataFrame, score: dict, bands: dict, volume, codes=None) -> list[dict]:
    checks = [_feature_check(row) for row in features.to_dict(orient="records")]
    checks.append({"kind": "score", "name": "calibrated score", "value": score["psi"], "status": score["status"],
                   "finding": f"Calibrated score: PSI {score['psi']:.3f} against the validation period's fixed bins."})
    checks.append({"kind": "bands", "name": "band shares", "value": bands["psi"], "status": bands["status"],
                   "finding": "Band shares: " + "; ".join(
                       f"{b['band']} {b['reference']:.1%} in the reference, {b['batch']:.1%} now" for b in bands["shares"])
                   + f" (PSI {bands['psi']:.3f})."})
    if volume is not None:
        checks += [{"kind": "volume", "name": f"{r['source']} {r['month']}", "value": r["ratio"],
                    "status": r["status"], "finding": r["finding"]} for r in volume.to_dict(orient="records")]
        checks += _stopped_sources(volume)
    if codes is not None:
        checks += [{"kind": "codes", "name": f"{r['field']} in {r['area']}", "value": r["psi"], "status": r["status"],
                    "finding": r["finding"]} for r in codes.to_dict(orient="records")]
    return checks


def _feature_check(row: dict) -> dict:
    words = (f"{row['feature']}: PSI {row['psi']:.3f}; missing {row['missing_share_reference']:.1%} in training, "
             f"{row['missing_share_batch']:.1%} now; largest shift {row['largest_shift']}.")
    return {"kind": "feature", "name": row["feature"], "value": row["psi"], "status": row["status"], "finding": words}


def _stopped_sources(volume: pd.DataFrame) -> list[dict]:
    """One summary check per source whose expected months are all alerts: it stopped or is late."""
    expected = volume[volume["usual"].notna()]
    out = []
    for source, rows in expected.groupby("source"):
        alerts = rows[rows["status"] == "alert"]
        if len(rows) and len(alerts) == len(rows):
            out.append({"kind": "source", "name": source, "value": float(rows["records"].sum()), "status": "alert",
                        "finding": f"{source}: every expected month from {rows['month'].min()} to "
                                   f"{rows['month'].max()} is below half its usual volume; the source "
                                   "has stopped arriving or its returns are late."})
    return out


# --- later outcomes ------------------------------------------------------------------------


def _outcome_features(model, reference, tables, as_of, features):
    lag = int(model.metadata.get("config", {}).get("recording_lag_months", features.DEFAULT_RECORDING_LAG_MONTHS))
    cut_off = features.label_cut_off(tables, recording_lag_months=lag)
    if cut_off is None:
        return None
    dates = outcome_dates(reference, as_of=as_of, data_end=cut_off)
    if not dates:
        return None
    label = model.label_definition if model.label_definition.has_rule else model.label_definition.name
    return features.build_features(tables, dates, registry=model.registry, label=label,
                                   horizon_months=int(reference["periods"]["horizon_months"]),
                                   recording_lag_months=lag)


def _outcomes(model, reference, outcomes, groups, notes) -> dict | None:
    if outcomes is None or outcomes.empty:
        notes.append("No labels exist yet for an as-of date after the model's test period "
                     f"(last test as-of date {reference['periods']['test'][-1]}); outcomes are re-checked "
                     "once a label window after it is complete.")
        return None
    known = outcomes["label"].notna().to_numpy()
    rows = outcomes[known]
    y = rows["label"].to_numpy(dtype=int)
    if len(y) == 0:
        notes.append("No label window after the model's test period is complete by the label cut-off "
                     "(the youth justice extract's end less its recording lag); outcomes are re-checked later.")
        return None
    if y.min() == y.max():
        notes.append("The later period's labels are all one value, so discrimination cannot be measured.")
        return None
    from ._metrics import evaluate_models

    p = model.predict_proba(rows)
    capacity = int(model.metadata.get("config", {}).get("capacity", TrainingConfig.capacity))
    report = evaluate_models(y, {"model": p}, person=rows["person_id"], as_of=rows["as_of"], capacities=(capacity,),
                             shares=(), n_boot=OUTCOME_BOOT, random_state=0)["model"]
    card = reference.get("model_card", {})
    dates = sorted({f"{pd.Timestamp(d):%Y-%m-%d}" for d in rows["as_of"]})
    metrics = [{"metric": k, "later": report[k], "model_card": card.get(k)} for k in report
               if k in card or k.startswith(("precision_at", "recall_at"))]
    return {"as_of_dates": dates, "rows": int(len(rows)), "positives": int(y.sum()), "metrics": metrics,
            "fairness": _fairness(y, p, rows, groups, known, capacity * len(dates))}


def _fairness(y, p, rows, groups, known, top_k) -> list[dict] | None:
    from evaluation import audit_scores

    from ._fairness import audit_columns

    frame = audit_columns(None if groups is None else groups.loc[known])
    if frame is None:
        return None
    audit = audit_scores(y, y_score=p, top_k=min(top_k, len(y)), sensitive_features=frame,
                         person=rows["person_id"].to_numpy(), n_boot=OUTCOME_BOOT, random_state=0).to_dict()
    keep = ("selection_rate", "fnr", "fpr", "ppv", "roc_auc")
    return [{"group": f"{g['attribute']} = {g['value']}", "n": g["n_display"], "suppressed": g["suppressed"],
             "metrics": {} if g["suppressed"] else {k: g["metrics"].get(k) for k in keep}} for g in audit["groups"]]


# --- small helpers ---------------------------------------------------------------------------


def _checked_as_of(tables, as_of) -> pd.Timestamp:
    import features

    try:
        stamp = pd.Timestamp(as_of).normalize()
    except (TypeError, ValueError):
        raise ValueError(f"The '--as-of' option must be a date such as 2024-03-31; got {as_of!r}.") from None
    start, end = features.record_span(tables)
    if not start <= stamp <= end + pd.DateOffset(months=1):
        raise ValueError(
            f"The as-of date {stamp:%Y-%m-%d} is outside the extracts, which run from {start:%Y-%m-%d} to "
            f"{end:%Y-%m-%d}. Monitor a batch the extracts cover."
        )
    return stamp


def _model_facts(model, reference) -> dict:
    m = model.metadata
    return {"name": m.get("name"), "version": m.get("version"), "run_id": m.get("run_id"),
            "label_definition": model.label_definition.name, "periods": reference["periods"]}


def _thresholds() -> dict:
    return {
        "psi": {"watch": THRESHOLDS["psi"][0], "alert": THRESHOLDS["psi"][1]},
        "missing_share_increase": {"watch": THRESHOLDS["missing_share_increase"][0],
                                   "alert": THRESHOLDS["missing_share_increase"][1]},
        "volume_ratio": {"watch_below": THRESHOLDS["volume_ratio_low"][0], "alert_below": THRESHOLDS["volume_ratio_low"][1]},
    }




__all__ = ["MonitorResult", "MissingReferenceError", "monitor_batch", "monitor_from_data", "monitor_tables", "outcome_dates",
           "training_reference_of"]
