"""Training straight from a folder of extracts: a quarterly panel of as-of dates.

The panel starts two years after the data's first record (so every feature's look-back
window has history behind it) and ends one horizon before the data's last record (so every
label window is complete), on quarter ends.
"""

from __future__ import annotations

import pandas as pd

from ._config import TrainingConfig

HISTORY_YEARS = 2
RECORD_DATES = {  # the date a record enters the extracts (see docs/tidy-tables.md)
    "pupils": "census_date", "exclusions": "start_date", "attendance": "term_end",
    "ap_placements": "census_date", "nccis_activity": "month_end", "cin_referrals": "referral_date",
    "cin_assessment_factors": "assessment_authorised", "cin_section47": "s47_start",
    "cin_cp_plans": "cpp_start", "cla_episodes": "decom", "cla_missing": "start", "cla_oc2": "year_end",
    "yj_offences": "recorded_date", "yj_outcomes": "outcome_date",
}
SNAPSHOTS = {  # collections taken at regular dates from the first extract on
    "pupils": "census_date", "attendance": "term_start", "nccis_activity": "month_end",
    "ap_placements": "census_date",
}


def panel_dates(tables: dict, *, horizon_months: int = 12, data_end=None) -> list[pd.Timestamp]:
    """Quarter-end as-of dates from data start + 2 years to data end - horizon.

    Raises
    ------
    ValueError
        If the tables hold no dated records, or span too short a period for any as-of date.
    """
    start, end = _record_span(tables)
    end = pd.Timestamp(data_end) if data_end is not None else end
    first = start + pd.DateOffset(years=HISTORY_YEARS)
    last = end - pd.DateOffset(months=horizon_months)
    dates = list(pd.date_range(first, last, freq="QE"))
    if not dates:
        raise ValueError(
            f"The extracts run from {start:%Y-%m-%d} to {end:%Y-%m-%d}: too short for a panel of as-of "
            f"dates with {HISTORY_YEARS} years of history before and a {horizon_months}-month label "
            "window after. Provide more years of extracts."
        )
    return dates


def train_from_data(data_dir, *, key, config: TrainingConfig | None = None, experiment="knife-crime-risk",
                    registered_name="knife-crime-risk", data_end=None, progress=None):
    """Load the extracts in ``data_dir``, build the quarterly panel and train on it.

    Parameters
    ----------
    data_dir : str or Path
        Folder of statutory extracts (see ``docs/data-formats.md``).
    key : bytes
        Pseudonymisation key (see :func:`features.load_pseudonym_key`).
    config : TrainingConfig, optional
    experiment, registered_name : str
    data_end : date-like, optional
        Last date the extracts cover; by default the latest record date.
    progress : callable, optional
        ``progress(message, fraction)``.

    Returns
    -------
    TrainingResult
    """
    import features

    from ._train import train_model

    config = config or TrainingConfig()
    extracts = features.load_extracts(data_dir, key=key, progress=progress)
    quarantined = sum(t["rows_quarantined"] for t in extracts.report.tables)
    if quarantined:
        _say(progress, f"{quarantined} row(s) were quarantined at load and left out (see 'riskmodel validate').")
    dates = panel_dates(extracts.tables, horizon_months=config.horizon_months, data_end=data_end)
    feature_set = features.build_features(extracts.tables, dates, horizon_months=config.horizon_months,
                                          data_end=data_end, progress=_adapt(progress))
    return train_model(feature_set, config=config, experiment=experiment,
                       registered_name=registered_name, progress=progress)


def _record_span(tables: dict) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First snapshot date (else first record) and last recording date in the tables.

    Event tables reach back before the extracts begin (an episode that started years
    earlier), so the start is read from the regular collections where there are any.
    """
    starts = _dates(tables, SNAPSHOTS) or _dates(tables, RECORD_DATES)
    ends = _dates(tables, RECORD_DATES)
    if not ends:
        raise ValueError("The extracts hold no dated records, so no as-of dates can be chosen.")
    return min(d.min() for d in starts), max(d.max() for d in ends)


def _dates(tables: dict, columns: dict) -> list:
    found = []
    for name, column in columns.items():
        frame = tables.get(name)
        if frame is not None and column in frame.columns and frame[column].notna().any():
            found.append(pd.to_datetime(frame[column]).dropna())
    return found


def _say(progress, message: str) -> None:
    if progress is None:
        print(message, flush=True)
        return
    try:
        progress(message, None)
    except TypeError:
        progress(message)


def _adapt(progress):
    if progress is None:
        return None

    def step(description, fraction=None):
        try:
            progress(f"Building features: {description}", fraction)
        except TypeError:
            progress(f"Building features: {description}")

    return step
