"""Training straight from a folder of extracts: a quarterly panel of as-of dates.

The panel starts two years after the data's first record (so every feature's look-back
window has history behind it) and ends one horizon before the label cut-off (the youth
justice extract's own end less its recording lag, so every label window is complete), on
quarter ends.
"""

from __future__ import annotations

from functools import partial

import pandas as pd

import features

from ._config import TrainingConfig
from ._progress import Reporter

HISTORY_YEARS = 2


def panel_dates(tables: dict, *, horizon_months: int = 12, data_end=None,
                recording_lag_months: int = features.DEFAULT_RECORDING_LAG_MONTHS) -> list[pd.Timestamp]:
    """Quarter-end as-of dates from data start + 2 years to the label cut-off - horizon.

    Raises
    ------
    ValueError
        If the tables hold no dated records, or span too short a period for any as-of date.
    """
    start, _ = features.record_span(tables)
    end = features.label_cut_off(tables, data_end=data_end, recording_lag_months=recording_lag_months)
    if end is None:
        raise ValueError("The extracts hold no dated youth justice records, so no label can be known "
                         "and no model can be trained. Include the youth justice extract.")
    first = start + pd.DateOffset(years=HISTORY_YEARS)
    last = end - pd.DateOffset(months=horizon_months)
    dates = list(pd.date_range(first, last, freq="QE"))
    if not dates:
        raise ValueError(
            f"The extracts run from {start:%Y-%m-%d} and labels can be known up to {end:%Y-%m-%d} (the "
            "youth justice extract's end less its recording lag): too short for a panel of as-of "
            f"dates with {HISTORY_YEARS} years of history before and a {horizon_months}-month label "
            "window after. Provide more years of extracts."
        )
    return dates


def train_from_data(data_dir, *, key, config: TrainingConfig | None = None, experiment="knife-crime-risk",
                    registered_name="knife-crime-risk", data_end=None, progress=None, signing_key=None,
                    client=None):
    """Load the extracts in ``data_dir``, build the quarterly panel and train on it.

    Parameters
    ----------
    data_dir : str or Path
        Folder of statutory extracts (see ``docs/data-formats.md``).
    key : bytes
        Pseudonymisation key (see :func:`features.load_pseudonym_key`).
    config, experiment, registered_name, data_end, progress, signing_key, client
        As for :func:`train_from_tables`.

    Returns
    -------
    TrainingResult

    Raises
    ------
    riskmodel.SigningKeyError
        If the signing key is missing, weak, or equal to the pseudonymisation key.
    """
    from riskmodel import check_keys_differ, load_signing_key

    signing_key = load_signing_key() if signing_key is None else signing_key
    check_keys_differ(signing_key, key)  # before reading: a refused key stops at once
    extracts = features.load_extracts(data_dir, key=key, progress=progress)
    if extracts.report.n_quarantined:
        Reporter(progress).always(f"{extracts.report.n_quarantined} row(s) were quarantined at load and left out (see 'riskmodel validate').")
    return train_from_tables(extracts.tables, config=config, experiment=experiment, registered_name=registered_name,
                             data_end=data_end, progress=progress, signing_key=signing_key, client=client)


def train_from_tables(tables: dict, *, config: TrainingConfig | None = None, experiment="knife-crime-risk",
                      registered_name="knife-crime-risk", data_end=None, progress=None, signing_key=None,
                      client=None):
    """Build the quarterly panel from tidy tables already read and train on it.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        ``Extracts.tables`` from :func:`features.load_extracts`, or the same tables from
        :func:`features.read_kept_extracts`.
    config : TrainingConfig, optional
    experiment, registered_name : str
    data_end : date-like, optional
        The date the youth justice extract was taken; by default its latest recording date.
        Label windows end at least ``features.DEFAULT_RECORDING_LAG_MONTHS`` before it.
    progress : callable, optional
        ``progress(message, fraction)``.
    signing_key : bytes, optional
        The model signing key; by default read from ``RISKMODEL_SIGNING_KEY``.
    client : dask.distributed.Client, optional
        Build the features and train LightGBM on this Dask cluster.

    Returns
    -------
    TrainingResult
    """
    from ._reference import extract_profile
    from ._train import train_model

    config = config or TrainingConfig()
    dates = panel_dates(tables, horizon_months=config.horizon_months, data_end=data_end,
                        recording_lag_months=config.recording_lag_months)
    build = features.build_features if client is None else partial(features.build_features_distributed, client=client)
    feature_set = build(tables, dates, horizon_months=config.horizon_months,
                        data_end=data_end, recording_lag_months=config.recording_lag_months,
                        progress=Reporter(progress, prefix="Building features: ").step)
    return train_model(feature_set, config=config, experiment=experiment,
                       registered_name=registered_name, progress=progress, signing_key=signing_key,
                       extract_profile=extract_profile(tables), client=client)
