"""Training straight from a folder of extracts: a quarterly panel of as-of dates.

The panel starts two years after the data's first record (so every feature's look-back
window has history behind it) and ends one horizon before the data's last record (so every
label window is complete), on quarter ends.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

import features

from ._config import TrainingConfig
from ._progress import Reporter

HISTORY_YEARS = 2


def panel_dates(tables: dict, *, horizon_months: int = 12, data_end=None) -> list[pd.Timestamp]:
    """Quarter-end as-of dates from data start + 2 years to data end - horizon.

    Raises
    ------
    ValueError
        If the tables hold no dated records, or span too short a period for any as-of date.
    """
    start, end = features.record_span(tables)
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
                    registered_name="knife-crime-risk", data_end=None, progress=None, client=None):
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
    client : dask.distributed.Client, optional
        Build the features and train LightGBM on this Dask cluster.

    Returns
    -------
    TrainingResult
    """
    from ._train import train_model

    config = config or TrainingConfig()
    extracts = features.load_extracts(data_dir, key=key, progress=progress)
    if extracts.report.n_quarantined:
        Reporter(progress).always(f"{extracts.report.n_quarantined} row(s) were quarantined at load and left out (see 'riskmodel validate').")
    dates = panel_dates(extracts.tables, horizon_months=config.horizon_months, data_end=data_end)
    build = features.build_features if client is None else partial(features.build_features_distributed, client=client)
    feature_set = build(extracts.tables, dates, horizon_months=config.horizon_months,
                        data_end=data_end, progress=Reporter(progress, prefix="Building features: ").step)
    return train_model(feature_set, config=config, experiment=experiment,
                       registered_name=registered_name, progress=progress, client=client)
