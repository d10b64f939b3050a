"""The monitoring reference, fixed at training time and stored in the model folder.

``training_reference.json`` holds what ``riskmodel monitor`` compares each scoring batch
with, so that no later data can move it:

- fixed bins, bin shares and the missing share of every feature over the training period;
- fixed bins and shares of the calibrated score, and each band's share, over the
  validation period (the reference population the 1-20 positions are read from);
- record volume per source per calendar month over the training period (when the model
  was trained from extracts);
- the model card's test-period figures, so later outcomes can be set beside them;
- the split dates and horizon, so monitoring knows which periods come after the test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation._arrivals import month_range, monthly_volume
from evaluation._drift import bin_shares, feature_reference, fixed_bins

REFERENCE_FILE = "training_reference.json"
REFERENCE_VERSION = 1
CARD_METRICS = ("roc_auc", "pr_auc", "brier", "calibration_slope", "calibration_intercept")


def source_record_dates(tables: dict) -> dict:
    """Source name to the record dates of all its tidy tables (for volume counts)."""
    from features._builders._known import AVAILABLE_FROM
    from features._load import SOURCE_OF_TABLE

    dates: dict = {}
    for table, column in AVAILABLE_FROM.items():
        frame = tables.get(table)
        if frame is None or column not in frame.columns or table not in SOURCE_OF_TABLE:
            continue
        dates.setdefault(SOURCE_OF_TABLE[table], []).append(pd.to_datetime(frame[column], errors="coerce"))
    return {source: pd.concat(parts, ignore_index=True) for source, parts in dates.items()}


def extract_profile(tables: dict) -> dict:
    """Aggregates of the extracts that monitoring compares: ``volume`` and ``codes`` frames."""
    return {"volume": record_volume(tables), "codes": code_counts(tables)}


def record_volume(tables: dict) -> pd.DataFrame:
    """Records per source per month over the whole span of ``tables`` (zeros included)."""
    dates = source_record_dates(tables)
    stamps = pd.concat(list(dates.values()), ignore_index=True).dropna() if dates else pd.Series(dtype="datetime64[ns]")
    if stamps.empty:
        return monthly_volume({}, [])
    return monthly_volume(dates, month_range(stamps.min(), stamps.max()))


#: Coded fields whose mix of codes is monitored: (field name, tidy table, column, date column).
CODED_FIELDS = (
    ("youth_justice.yjb_category", "yj_offences", "yjb_category", "offence_date"),
    ("youth_justice.knife_flag", "yj_offences", "knife_flag", "offence_date"),
    ("school_census.exclusion_category", "exclusions", "category", "start_date"),
)


def code_counts(tables: dict) -> pd.DataFrame:
    """Records per coded field, area (the person's latest postcode district), code and month."""
    people = tables.get("people")
    has_area = people is not None and "postcode_district" in people.columns
    area = (people.drop_duplicates("person_id", keep="last").set_index("person_id")["postcode_district"]
            if has_area else pd.Series(dtype="string"))
    parts = []
    for field_name, table, column, date in CODED_FIELDS:
        frame = tables.get(table)
        if frame is None or column not in frame.columns or frame.empty:
            continue
        month = pd.to_datetime(frame[date], errors="coerce").dt.strftime("%Y-%m")
        counts = pd.DataFrame({"field": field_name, "code": frame[column].astype("string").fillna("not recorded"),
                               "area": frame["person_id"].map(area).astype("string").fillna("not recorded"),
                               "month": month}).dropna(subset=["month"])
        parts.append(counts.groupby(["field", "area", "code", "month"], as_index=False).size()
                     .rename(columns={"size": "records"}))
    if not parts:
        return pd.DataFrame(columns=["field", "area", "code", "month", "records"])
    return pd.concat(parts, ignore_index=True).astype({"records": "int64"})


def volume_window(split) -> list[str]:
    """The reference months: from a year before the first training as-of date to the last."""
    first, last = pd.Timestamp(split.train_dates_[0]), pd.Timestamp(split.train_dates_[-1])
    return month_range(first - pd.DateOffset(months=11), last)


def training_reference(model, *, train: pd.DataFrame, split, report: dict, horizon_months: int,
                       profile: dict | None = None) -> dict:
    """The JSON-ready monitoring reference of a newly trained model.

    Parameters
    ----------
    model : riskmodel.RiskModel
        Its ``training_probabilities`` (validation period) and bands give the score reference.
    train : DataFrame
        The training period's feature rows.
    split : TemporalSplit
        Fitted split (dates of each period).
    report : dict
        Test-period metrics from :func:`training._metrics.evaluate_models`.
    horizon_months : int
    profile : dict, optional
        :func:`extract_profile` of the extracts; without it the reference has no record
        volumes or code mix (the model was trained from a feature table).

    Returns
    -------
    dict
    """
    probabilities = model.training_probabilities
    cuts = fixed_bins(probabilities, n_bins=10)
    bands = pd.Series(model.band(probabilities)).value_counts(normalize=True)
    return {
        "version": REFERENCE_VERSION,
        "features": feature_reference(train, model.feature_names),
        "score": {"cuts": cuts, "shares": bin_shares(probabilities, cuts).round(6).tolist(),
                  "population": "calibrated probabilities of the validation period"},
        "bands": {name: float(bands.get(name, 0.0)) for name in model.band_thresholds},
        "volume": _volume_reference(None if profile is None else profile["volume"], split),
        "codes": _codes_reference(None if profile is None else profile["codes"], split),
        "model_card": {k: report["model"][k] for k in CARD_METRICS if k in report.get("model", {})},
        "periods": {"train": _dates(split.train_dates_), "validation": _dates(split.validation_dates_),
                    "test": _dates(split.test_dates_), "horizon_months": int(horizon_months)},
        "rows": {"train": int(len(train)), "validation": int(len(probabilities))},
    }


def _volume_reference(volume, split) -> dict | None:
    if volume is None or volume.empty:
        return None
    months = volume_window(split)
    table = volume[volume["month"].isin(months)]
    return {"months": months, "records": table.to_dict(orient="records")}


def _codes_reference(codes, split) -> list | None:
    if codes is None:
        return None
    inside = codes[codes["month"].isin(volume_window(split))]
    return inside.groupby(["field", "area", "code"], as_index=False)["records"].sum().to_dict(orient="records")


def _dates(dates) -> list[str]:
    return [f"{pd.Timestamp(d):%Y-%m-%d}" for d in np.asarray(dates)]
