"""Periods looked after: episodes, placements, remands and missing episodes.

Each period (from the trajectory, or a remand after a serious recorded offence) becomes
a chain of SSDA903 episodes: the first starts the period (RNE ``S``), later ones change
placement or legal status, every episode but the last ends with ``X1`` on the day the
next begins. Placements follow age; remands are legal status ``J1`` ending in ``E14``
(remand ended) or ``E9`` (sentenced to custody).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import add_years, day
from ._trajectory import expit
from ._draw import draw_codes

CHANGE_RNE = {"P": 0.6, "T": 0.15, "L": 0.15, "B": 0.1}
PLACE_CHANGE_REASONS = {"CARPL": 0.3, "CREQB": 0.15, "CHILD": 0.1, "LAREQ": 0.1, "CREQO": 0.08, "STAND": 0.03,
                        "ALLEG": 0.03, "CLOSE": 0.03, "APPRR": 0.02, "OTHER": 0.16}
ENDINGS = {"E4A": 0.34, "E4B": 0.08, "E13": 0.06, "E41": 0.04, "E45": 0.04, "E46": 0.04, "E8": 0.12,
           "E3": 0.03, "E11": 0.02, "E48": 0.03}
ENDINGS_AT_18 = {"E5": 0.35, "E6": 0.1, "E17": 0.35, "E8": 0.2}
SEMI_INDEPENDENT_FROM = day("2024-04-01")  # H5 gives way to registered supported accommodation (K3)
REMAND_CHANCE = 0.15
_OUT_OF_AREA = np.array([f"ZZ{i}" for i in range(13, 21)])


def make_periods(people, years, offences, rng):
    """Periods looked after: care periods from the trajectory plus remands.

    Returns
    -------
    pandas.DataFrame
        ``person``, ``start``, ``end`` (day numbers; ended the day before the 18th
        birthday at the latest) and ``remand`` (bool); periods never overlap.
    """
    rows = years[years["lac_start"] >= 0]
    care = pd.DataFrame({"person": rows["person"].to_numpy(), "start": rows["lac_start"].to_numpy(),
                         "end": rows["lac_end"].to_numpy(), "remand": False})
    serious = offences[offences["recorded"] & (offences["gravity"] >= 6)]
    serious = serious[rng.random(len(serious)) < REMAND_CHANCE]
    start = serious["recorded_day"].to_numpy() + 1
    remand = pd.DataFrame({"person": serious["person"].to_numpy(), "start": start,
                           "end": start + rng.integers(14, 120, size=len(serious)), "remand": True})
    periods = pd.concat([care, remand], ignore_index=True).sort_values(["person", "start"], ignore_index=True)
    eighteenth = add_years(people["dob"].to_numpy()[periods["person"].to_numpy()], 18)
    periods["ended_at_18"] = periods["end"] >= eighteenth
    periods["end"] = np.minimum(periods["end"].to_numpy(), eighteenth - 1)
    previous_end = periods.groupby("person")["end"].shift().fillna(-1).to_numpy()
    keep = (periods["start"].to_numpy() > previous_end) & (periods["start"] < periods["end"])
    return periods[keep].reset_index(drop=True)


def make_episodes(people, periods, rng):
    """SSDA903 episodes for every period, one row per episode."""
    latent = people["latent"].to_numpy()[periods["person"].to_numpy()]
    length = (periods["end"] - periods["start"]).to_numpy()
    changes = np.minimum(rng.poisson(length / 365.25 * (0.5 + 0.35 * np.clip(latent, 0, None))), 8)
    changes = np.where(periods["remand"].to_numpy(), 0, changes)
    idx = np.repeat(np.arange(len(periods)), changes + 1)
    first = np.r_[True, idx[1:] != idx[:-1]][: len(idx)]
    offset = np.where(first, 0, rng.integers(1, np.maximum(length[idx], 2)))
    starts = pd.DataFrame({"period": idx, "decom": periods["start"].to_numpy()[idx] + offset})
    starts = starts.drop_duplicates().sort_values(["period", "decom"], ignore_index=True)
    idx = starts["period"].to_numpy()
    decom = starts["decom"].to_numpy()
    boundary = idx[1:] != idx[:-1]
    first = np.r_[True, boundary][: len(idx)]
    last = np.r_[boundary, True][: len(idx)]
    span = periods.iloc[idx].reset_index(drop=True)
    dec = np.where(last, span["end"].to_numpy(), np.r_[decom[1:], 0])
    episodes = pd.DataFrame({"person": span["person"].to_numpy(), "period": idx, "decom": decom, "dec": dec,
                             "first": first, "last": last, "remand": span["remand"].to_numpy(),
                             "ended_at_18": span["ended_at_18"].to_numpy()})
    return _codes(episodes, people, rng)


def _codes(episodes, people, rng):
    n = len(episodes)
    person = episodes["person"].to_numpy()
    age = (episodes["decom"].to_numpy() - people["dob"].to_numpy()[person]) / 365.25
    first, last, remand = episodes["first"].to_numpy(), episodes["last"].to_numpy(), episodes["remand"].to_numpy()
    rne = np.where(first, "S", draw_codes(CHANGE_RNE, n, rng))
    episodes["rne"] = rne
    episodes["ls"] = _legal_status(episodes, age, rng)
    episodes["place"] = _placements(episodes["decom"].to_numpy(), age, remand, rng)
    episodes["provider"] = _providers(episodes["place"].to_numpy(), rng)
    changed_place = np.isin(rne, ("P", "T", "B", "U"))
    episodes["place_change"] = np.where(changed_place, draw_codes(PLACE_CHANGE_REASONS, n, rng), "")
    ending = np.where(episodes["ended_at_18"].to_numpy(), draw_codes(ENDINGS_AT_18, n, rng), draw_codes(ENDINGS, n, rng))
    ending = np.where(remand, np.where(rng.random(n) < 0.7, "E14", "E9"), ending)
    episodes["rec"] = np.where(last, ending, "X1")
    episodes["home_post"] = people["postcode"].to_numpy()[person]
    episodes["pl_post"] = _placement_postcodes(episodes["place"].to_numpy(), episodes["home_post"].to_numpy(), rng)
    residential = np.isin(episodes["place"].to_numpy(), ("K1", "K2", "K3", "H5", "R1", "R5", "S1"))
    home_urn = np.strings.add("SC", (990000 + rng.integers(1, 60, size=n)).astype(str))
    episodes["urn"] = np.where(residential, home_urn, "XXXXXX").astype(object)
    need = np.where(age >= 12, draw_codes({"N1": 0.45, "N4": 0.15, "N5": 0.15, "N6": 0.15, "N8": 0.1}, n, rng),
                    draw_codes({"N1": 0.65, "N4": 0.12, "N5": 0.12, "N3": 0.06, "N8": 0.05}, n, rng))
    episodes["cin"] = need
    return episodes


def _legal_status(episodes, age, rng):
    n = len(episodes)
    remand = episodes["remand"].to_numpy()
    start = np.where(age >= 13, draw_codes({"V2": 0.55, "C1": 0.3, "L1": 0.1, "L2": 0.05}, n, rng),
                     draw_codes({"V2": 0.3, "C1": 0.55, "L1": 0.08, "L2": 0.07}, n, rng))
    status = pd.Series(np.where(episodes["first"].to_numpy(), start, ""), dtype=object)
    status = status.where(status != "").groupby(episodes["period"].to_numpy()).ffill().to_numpy()
    later = np.isin(episodes["rne"].to_numpy(), ("L", "B", "U"))
    status = np.where(later & (status == "C1"), "C2", status)
    status = np.where(later & np.isin(status, ("L1", "L2")), "C1", status)
    status = np.where(later & (status == "V2") & (rng.random(n) < 0.5), "C1", status)
    return np.where(remand, "J1", status).astype(object)


def _placements(decom, age, remand, rng):
    n = len(decom)
    teen = draw_codes({"U6": 0.32, "U4": 0.14, "U3": 0.08, "K2": 0.3, "P1": 0.05, "R1": 0.03, "S1": 0.02,
                  "K1": 0.02, "Z1": 0.04}, n, rng)
    child = draw_codes({"U6": 0.45, "U4": 0.2, "U3": 0.15, "U1": 0.05, "K2": 0.06, "P1": 0.07, "S1": 0.02}, n, rng)
    semi = np.where(decom >= SEMI_INDEPENDENT_FROM, "K3", "H5")
    place = np.where(age >= 16, np.where(rng.random(n) < 0.45, semi, teen), np.where(age >= 12, teen, child))
    place = np.where((place == "Z1") & (decom >= day("2025-04-01")), "Z11", place)
    remand_place = np.array(["K1", "R5", "K2", "U6"])[rng.integers(0, 4, n)]
    return np.where(remand, remand_place, place).astype(object)


def _providers(place, rng):
    n = len(place)
    private = rng.random(n) < 0.55
    provider = np.select(
        [place == "P1", np.isin(place, ("U1", "U3")), np.isin(place, ("U4", "U6")),
         np.isin(place, ("K2", "K3", "H5", "R1", "S1", "Z1", "Z11")), place == "R5"],
        ["PR0", "PR1", np.where(private, "PR4", "PR1"), np.where(private, "PR4", "PR1"), "PR3"],
        np.where(private, "PR2", "PR1"))
    return provider.astype(object)


def _placement_postcodes(place, home, rng):
    n = len(place)
    if n == 0:  # numpy's partition cannot size an empty result
        return np.array([], dtype=object)
    away = rng.random(n) < np.where(np.isin(place, ("K1", "K2", "R5", "S1")), 0.6, 0.25)
    district = np.where(away, _OUT_OF_AREA[rng.integers(0, len(_OUT_OF_AREA), n)],
                        np.strings.partition(home.astype(str), " ")[0])
    inward = np.strings.partition(home.astype(str), " ")[2]
    shuffled = inward[rng.permutation(n)] if n else inward
    pl_post = np.strings.add(np.strings.add(district, " "), shuffled)
    return np.where(place == "P1", home, pl_post).astype(object)


def make_missing(people, periods, rng):
    """Missing and away-without-authorisation episodes while looked after (aged 10+)."""
    person = periods["person"].to_numpy()
    latent = people["latent"].to_numpy()[person]
    length = (periods["end"] - periods["start"]).to_numpy()
    age = (periods["start"].to_numpy() - people["dob"].to_numpy()[person]) / 365.25
    rate = length / 365.25 * np.exp(-1.6 + 1.0 * latent + 0.8 * (age >= 12))
    count = rng.poisson(rate)
    idx = np.repeat(np.arange(len(periods)), count)
    start = periods["start"].to_numpy()[idx] + (rng.random(len(idx)) * length[idx]).astype(np.int64)
    old_enough = start >= add_years(people["dob"].to_numpy()[person[idx]], 10)
    missing = pd.DataFrame({
        "person": person[idx], "type": np.where(rng.random(len(idx)) < 0.6, "M", "A"),
        "start": start, "end": start + rng.choice([0, 0, 1, 1, 2, 3, 5], size=len(idx)),
    })
    missing = missing[old_enough].sort_values(["person", "start"], kind="stable")
    return missing.drop_duplicates(["person", "start"], ignore_index=True)


def substance_misuse_chance(latent, age):
    """Chance a looked-after child is identified with a substance-misuse problem."""
    return expit(-4.2 + 1.1 * latent + 0.25 * np.clip(age - 12, 0, None))
