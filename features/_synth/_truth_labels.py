"""Labels from the synthetic truth: what really happened, recorded or not.

Only a synthetic authority has a truth. Comparing an audit against these labels with
one against the recorded labels shows what a recording bias does to the figures a
governance panel sees.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .._labels import KNIFE_INVOLVEMENT, build_labels
from .._linkage import person_ids_of_refs
from .._pseudonym import Pseudonymiser

_TRUTH_OFFENCES = Path("_truth") / "offences.csv"


def true_labels(data_dir, tables, as_of, *, key, label=KNIFE_INVOLVEMENT, horizon_months=12,
                data_end=None) -> pd.DataFrame:
    """Labels counting every true offence, whether or not it was recorded.

    Parameters
    ----------
    data_dir : path-like
        A folder written by :func:`synthesize` (it holds ``_truth/offences.csv``).
    tables : dict of str to DataFrame
        The tidy tables loaded from the same folder with the same ``key``.
    as_of : date-like or sequence of date-like
        The as-of dates.
    key : bytes
        The pseudonymisation key the tables were loaded with.
    label : LabelDefinition, default=KNIFE_INVOLVEMENT
    horizon_months : int, default=12
    data_end : date-like, optional
        As for :func:`build_labels`.

    Returns
    -------
    DataFrame
        ``person_id``, ``as_of``, ``label``: the same rows as :func:`build_labels` gives
        for the recorded offences.

    Raises
    ------
    FileNotFoundError
        If ``data_dir`` holds no synthetic truth.
    """
    path = Path(data_dir) / _TRUTH_OFFENCES
    if not path.is_file():
        raise FileNotFoundError(
            f"No synthetic truth at {path}: true labels exist only for a folder written by "
            "'riskmodel synth'."
        )
    truth = pd.read_csv(path, dtype={"PERSON_REF": "str", "ho_class": "str", "yjb_category": "str"})
    offences = pd.DataFrame({
        "person_id": person_ids_of_refs(truth["PERSON_REF"], Pseudonymiser(key)),
        "offence_date": pd.to_datetime(truth["offence_date"]),
        "ho_class": truth["ho_class"],
        "yjb_category": truth["yjb_category"],
        "knife_flag": truth["knife_flag"].astype(bool),
    })
    return build_labels(tables, as_of, label=label, horizon_months=horizon_months,
                        data_end=data_end, offences=offences)
