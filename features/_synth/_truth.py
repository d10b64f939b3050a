"""The truth kept apart from the extracts, in ``_truth/``.

``people.csv`` holds each person's latent risk, the groups the recording bias uses and
whole-childhood risk-factor flags; ``offences.csv`` every true offence with whether the
police recorded it and whether it reached the youth justice extract;
``knife_by_year.csv`` true against recorded knife offences per person per year
(1 April to 31 March, labelled by the year it starts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import iso, year_month_day


def truth_tables(sim, window):
    """The three truth tables as DataFrames ready to write."""
    offences = _with_tiers(sim["offences"], sim["outcomes"])
    return {
        "people": _people(sim),
        "offences": _offences(offences, sim["people"]),
        "knife_by_year": _knife_by_year(offences, sim["people"], window),
    }


def _with_tiers(offences, outcomes):
    tier = pd.Series(outcomes["tier"].to_numpy(), index=outcomes["offence_row"].to_numpy())
    return offences.assign(tier=tier.reindex(offences.index).fillna("").to_numpy())


def _people(sim):
    people, years = sim["people"], sim["years"]
    secondary = years[(years["k"] >= 7) & (years["k"] <= 11)]
    school = years[years["in_school"]]
    n = len(people)

    def ever(frame, column):
        return frame.groupby("person")[column].any().reindex(range(n), fill_value=False).to_numpy().astype(int)

    return pd.DataFrame({
        "PERSON_REF": people["person_ref"].to_numpy(), "dob": iso(people["dob"].to_numpy()),
        "sex": people["sex"].to_numpy(), "ethnicity": people["ethnicity"].to_numpy(),
        "ethnicity_group": people["ethnicity_group"].to_numpy(), "district": people["district"].to_numpy(),
        "latent_risk": np.round(people["latent"].to_numpy(), 6),
        "bias_group": people["bias_group"].to_numpy().astype(int), "bias_area": people["bias_area"].to_numpy().astype(int),
        "ever_persistently_absent": ever(secondary, "persistent_absence"),
        "ever_suspended": ever(secondary.assign(s=secondary["suspensions"] > 0), "s"),
        "ever_permanently_excluded": ever(years, "permanent"), "ever_fsm": ever(school, "fsm"),
        "ever_looked_after": ever(years, "looked_after"),
    })


def _offences(offences, people):
    return pd.DataFrame({
        "PERSON_REF": people["person_ref"].to_numpy()[offences["person"].to_numpy()],
        "OffenceID": offences["offence_id"].to_numpy(),
        "offence_date": iso(offences["offence_day"].to_numpy()),
        "recorded_date": iso(offences["recorded_day"].to_numpy(), mask=offences["recorded"].to_numpy()),
        "ho_class": offences["ho_class"].to_numpy(), "yjb_category": offences["yjb_category"].to_numpy(),
        "gravity": offences["gravity"].to_numpy(), "knife": offences["knife"].to_numpy().astype(int),
        "knife_flag": offences["knife_flag"].to_numpy().astype(int),
        "serious_violence": offences["serious_violence"].to_numpy().astype(int),
        "recorded": offences["recorded"].to_numpy().astype(int),
        "in_extract": offences["in_extract"].to_numpy().astype(int),
        "bias_applied": offences["bias_applied"].to_numpy().astype(int),
        "outcome_tier": offences["tier"].to_numpy(),
    })


def _knife_by_year(offences, people, window):
    knife = offences[offences["knife"]]
    year, month, _ = year_month_day(knife["offence_day"].to_numpy())
    knife = knife.assign(year=year - (month < 4), in_extract=knife["in_extract"].astype(int))
    counts = knife.groupby(["person", "year"]).agg(true_knife_offences=("knife", "size"),
                                                   recorded_knife_offences=("in_extract", "sum")).reset_index()
    first, _, _ = year_month_day(np.array([window[0]]))
    last, _, _ = year_month_day(np.array([window[1]]))
    counts = counts[(counts["year"] >= first[0]) & (counts["year"] < last[0])]
    return pd.DataFrame({
        "PERSON_REF": people["person_ref"].to_numpy()[counts["person"].to_numpy()],
        "year": counts["year"].to_numpy(),
        "true_knife_offences": counts["true_knife_offences"].to_numpy(),
        "recorded_knife_offences": counts["recorded_knife_offences"].to_numpy(),
    })
