"""The recording-bias option: who it applies to and where.

Targeted stop and search raises recorded possession offences in the places and groups
it targets. The option names a group (a column of the population, such as
``ethnicity_group``) and a value, the share of postcode districts targeted (the most
deprived first, as hot-spot policing does) and the factor by which possession of a
bladed article (10D) is more likely to be recorded there.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._population import DISTRICTS

DEFAULT_RECORDING_BIAS = {"group": "ethnicity_group", "value": "Black", "areas": 0.5, "factor": 3.0}
BIAS_GROUPS = ("ethnicity_group", "ethnicity", "sex")


def check_recording_bias(recording_bias):
    """Validate the option and return it as a plain dict (or None)."""
    if recording_bias is None:
        return None
    if not isinstance(recording_bias, dict) or set(recording_bias) != {"group", "value", "areas", "factor"}:
        raise ValueError("The 'recording_bias' option must be None or a dict with exactly the keys "
                         "'group', 'value', 'areas' and 'factor', e.g. DEFAULT_RECORDING_BIAS.")
    if recording_bias["group"] not in BIAS_GROUPS:
        raise ValueError(f"The 'recording_bias' group must be one of {', '.join(BIAS_GROUPS)}; "
                         f"got {recording_bias['group']!r}.")
    areas = recording_bias["areas"]
    if not isinstance(areas, numbers.Real) or not 0 < areas <= 1:
        raise ValueError("The 'recording_bias' areas must be a share of postcode districts greater than 0 "
                         f"and at most 1; got {areas!r}.")
    factor = recording_bias["factor"]
    if not isinstance(factor, numbers.Real) or not factor >= 1:
        raise ValueError(f"The 'recording_bias' factor must be a number of at least 1; got {factor!r}.")
    return {"group": recording_bias["group"], "value": str(recording_bias["value"]),
            "areas": float(areas), "factor": float(factor)}


def bias_members(people, recording_bias):
    """Per-person flags: in the biased group, living in a biased area, and the factor.

    Returns
    -------
    tuple
        ``(in_group, in_area, factor, districts)``; with no bias both flags are all
        False, the factor is 1 and ``districts`` is empty.
    """
    n = len(people)
    if recording_bias is None:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), 1.0, []
    n_areas = max(1, int(round(recording_bias["areas"] * len(DISTRICTS))))
    districts = DISTRICTS.sort_values("deprivation", ascending=False)["district"].head(n_areas).tolist()
    in_group = (people[recording_bias["group"]].astype(str) == recording_bias["value"]).to_numpy()
    in_area = people["district"].isin(districts).to_numpy()
    return in_group, in_area, recording_bias["factor"], districts
