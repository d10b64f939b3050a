"""The public entry point: simulate a synthetic authority and write its extracts.

``synthesize`` runs the simulation modules in order (population, yearly trajectory,
offending, exclusions, schooling, social care, NCCIS), gives everyone the identifiers
each source would hold, writes every extract of ``docs/data-formats.md`` and keeps the
truth (latent risk, true and recorded offences) apart in ``_truth/``.

A large authority is simulated and written one block of people at a time (at most
``people_per_block``), so memory is that of one block whatever the size. Every person's
records depend only on the person (no one's history touches another's), so blocks are
independent draws of the same population; what blocks share is kept across them: the
school list (sized for the whole authority), each school's UPN serials, and the ids
already given out (:class:`IdBook`). Block ``b`` draws from the ``b``-th set of child
seeds of ``numpy.random.SeedSequence(seed)``, so the first block, and so any authority of
one block, is exactly what one whole-population simulation gives.
"""

from __future__ import annotations

import json
import numbers
from pathlib import Path

import numpy as np
import pandas as pd

from . import _care_tables as care
from . import _extract_tables as tables
from ._bias import bias_members, check_recording_bias
from ._calibration import calibration_figures
from ._children_in_need import make_referrals
from ._cin_xml import cin_xml_parts
from ._dates import day
from ._education import ap_census_rows, make_ap_placements, make_attendance, school_rolls
from ._exclusions import make_exclusions
from ._ids import IdBook, upns
from ._looked_after import make_episodes, make_missing, make_periods
from ._nccis import make_activity
from ._population import make_people
from ._schools import assign_schools, make_schools
from ._trajectory import simulate_years
from ._truth import truth_tables
from ._youth_justice import make_offences, make_outcomes

SOURCE_FOLDERS = ("linkage", "ssda903", "cin", "school_census", "ap_census", "nccis", "youth_justice", "_truth")
_STREAMS = ("people", "years", "offences", "exclusions", "schools", "care", "cin", "nccis", "ids", "extracts")
PEOPLE_PER_BLOCK = 50_000
"""Default block size: about 1.2 GB of memory at a time (measured with one block and with four)."""
MOST_YOUNG_PEOPLE = 4_000_000
"""The largest authority the school list and the id widths allow."""


def synthesize(out_dir, *, n_young_people=40_000, seed=0, start="2017-04-01", end="2026-03-31",
               recording_bias=None, people_per_block=PEOPLE_PER_BLOCK):
    """Write a synthetic local authority's statutory extracts.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder to write into; created if missing. It must be empty or hold an earlier
        synthetic authority (recognised by ``_truth/summary.json``), whose folders are
        replaced.
    n_young_people : int, default=40_000
        Number of young people, born so that every as-of date from 2019-04-01 to
        2025-03-31 has a full 10 to 18 cohort.
    seed : int, default=0
        Seed; the same seed, size and block size give byte-identical files.
    start, end : str, default="2017-04-01", "2026-03-31"
        First and last day the extracts cover (ISO dates).
    recording_bias : dict or None, default=None
        ``{"group", "value", "areas", "factor"}``: possession offences (10D) by that group
        in that share of postcode districts are ``factor`` times more likely to be
        recorded. See ``DEFAULT_RECORDING_BIAS``.
    people_per_block : int, default=50_000
        Young people simulated and written at a time; an authority of at most this many
        is one block. More blocks give another, equally valid, draw of the same
        population (the files differ from a one-block run of the same seed).

    Returns
    -------
    dict
        Summary: settings, rows written per file and the calibration figures
        achieved (on the first block's young people: ``figures_people``); also written
        to ``out_dir/_truth/summary.json``.

    Raises
    ------
    ValueError
        If an option is out of range or ``out_dir`` holds something other than an
        earlier synthetic authority.

    Examples
    --------
    >>> import tempfile, features
    >>> summary = features.synthesize(tempfile.mkdtemp(), n_young_people=500, seed=1)
    >>> summary["n_young_people"]
    500
    """
    window = _check_options(n_young_people, seed, start, end)
    block_sizes = _blocks(n_young_people, people_per_block)
    bias = check_recording_bias(recording_bias)
    out = _prepare_folder(Path(out_dir))
    seeds = np.random.SeedSequence(seed)
    shared = _Shared(n_young_people, _Writer(out))
    for number, size in enumerate(block_sizes):
        rngs = dict(zip(_STREAMS, (np.random.default_rng(s) for s in seeds.spawn(len(_STREAMS)))))
        sim = _simulate(size, bias, window, rngs, shared)
        _write_extracts(shared, sim, window, rngs)
        _write_truth(shared.writer, sim, window)
        if number == 0:  # the files hold only the first block now
            figures, districts = calibration_figures(out), sim["bias_districts"]
        del sim
    shared.writer.finish()
    summary = {
        "n_young_people": int(n_young_people), "seed": int(seed), "start": start, "end": end,
        "people_per_block": int(people_per_block), "blocks": len(block_sizes),
        "recording_bias": None if bias is None else {**bias, "districts": districts},
        "rows": shared.writer.rows, "figures": figures, "figures_people": int(block_sizes[0]),
    }
    (out / "_truth" / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    return summary


def _whole(value, least):
    return not isinstance(value, bool) and isinstance(value, numbers.Integral) and value >= least


def _check_options(n_young_people, seed, start, end):
    if not _whole(n_young_people, 100) or n_young_people > MOST_YOUNG_PEOPLE:
        raise ValueError("The 'n_young_people' option must be a whole number from 100 to "
                         f"{MOST_YOUNG_PEOPLE:,}; got {n_young_people!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"The 'seed' option must be a whole number of 0 or more; got {seed!r}.")
    try:
        window = (day(start), day(end))
    except ValueError:
        raise ValueError("The 'start' and 'end' options must be ISO dates such as '2017-04-01'; "
                         f"got {start!r} and {end!r}.") from None
    if not care.collection_years(window):
        raise ValueError("The 'start' and 'end' options must cover at least one whole collection year "
                         f"(1 April to 31 March); got {start!r} to {end!r}.")
    return window


def _blocks(n, per_block):
    """Sizes of the blocks of people: as few as ``per_block`` allows, as equal as can be."""
    if not _whole(per_block, 100):
        raise ValueError(f"The 'people_per_block' option must be a whole number of at least 100; got {per_block!r}.")
    count = -(-int(n) // int(per_block))
    return [int(n) // count + (i < int(n) % count) for i in range(count)]


class _Shared:
    """What the blocks of one authority share: its size, schools, UPN serials, ids and files."""

    def __init__(self, n_total, writer):
        self.n_total, self.writer = n_total, writer
        self.schools, self.upn_serials, self.ids = None, {}, IdBook()


class _Writer:
    """The extract files, written block by block: a CSV's header once, then rows appended.

    A CIN census file gets its message header with the first block's children, each
    block's children after, and its closing tags from :meth:`finish`.
    """

    def __init__(self, out):
        self.out, self.rows, self._open_xml = out, {}, {}

    def csv(self, name, frame):
        path = self.out / name
        first = name not in self.rows
        if first:
            path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path, mode="w" if first else "a", header=first, index=False, lineterminator="\n")
        self.rows[name] = self.rows.get(name, 0) + len(frame)

    def xml(self, name, head, body, tail):
        path = self.out / name
        if name not in self._open_xml:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(head, encoding="utf-8")
            self._open_xml[name] = tail
        with path.open("a", encoding="utf-8") as handle:
            handle.write(body)

    def finish(self):
        for name, tail in self._open_xml.items():
            with (self.out / name).open("a", encoding="utf-8") as handle:
                handle.write(tail)
        self._open_xml = {}


def _prepare_folder(out):
    if out.exists() and any(out.iterdir()) and not (out / "_truth" / "summary.json").exists():
        raise ValueError("The output folder is not empty and holds no earlier synthetic authority; "
                         "choose a new or empty folder so no real extract can be overwritten.")
    for name in SOURCE_FOLDERS:
        folder = out / name
        if folder.exists():
            for path in sorted(folder.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            folder.rmdir()
    out.mkdir(parents=True, exist_ok=True)
    return out


def _simulate(n, bias, window, rngs, shared):
    people = make_people(n, rngs["people"])
    if shared.schools is None:
        shared.schools = make_schools(shared.n_total, people["district"].unique())
    schools = shared.schools
    placement = assign_schools(people, schools, rngs["schools"])
    reception_year = people["birth_ay"].to_numpy() + 5
    people["upn"] = upns(schools["primary_estab"][placement[0]], reception_year, rngs["ids"],
                         allocated=shared.upn_serials)
    in_group, in_area, factor, districts = bias_members(people, bias)
    people["bias_group"], people["bias_area"] = in_group, in_area
    years = simulate_years(people, rngs["years"])
    offences = make_offences(people, years, rngs["offences"], bias_members=(in_group & in_area, factor))
    outcomes = make_outcomes(offences, rngs["offences"])
    exclusions = make_exclusions(years, offences, rngs["exclusions"])
    perm_day = _first_permanent_day(exclusions, n)
    rolls = school_rolls(people, years, schools, placement, perm_day)
    periods = make_periods(people, years, offences, rngs["care"])
    return {
        "people": people, "years": years, "offences": offences, "outcomes": outcomes,
        "exclusions": exclusions, "rolls": rolls, "perm_day": perm_day,
        "attendance": make_attendance(rolls, perm_day, rngs["schools"]),
        "ap": ap_census_rows(make_ap_placements(years, exclusions, rngs["schools"]), *window),
        "periods": periods, "episodes": make_episodes(people, periods, rngs["care"]),
        "missing": make_missing(people, periods, rngs["care"]),
        "referrals": make_referrals(people, years, periods, rngs["cin"]),
        "activity": make_activity(people, years, rngs["nccis"]),
        "bias_districts": districts,
    }


def _first_permanent_day(exclusions, n):
    perm = exclusions[exclusions["category"] == "PERM"]
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, perm["person"].to_numpy(), perm["day"].to_numpy())
    return first


def _write_extracts(shared, sim, window, rngs):
    people, write = sim["people"], shared.writer.csv
    offences = _offences_in_extract(sim, window, rngs["ids"], shared.ids)
    outcomes = sim["outcomes"][sim["outcomes"]["offence_row"].isin(offences.index)
                               & (sim["outcomes"]["outcome_day"] <= window[1])]
    care_years = care.collection_years(window)
    referrals = [_referrals_in_year(sim["referrals"], y) for y in care_years]
    index = _assign_ids(people, sim, offences, referrals, window, rngs["ids"], shared.ids)
    _write_education(write, sim, window)
    write("nccis/activity.csv", tables.nccis_table(sim["activity"], people, window))
    write("youth_justice/offences.csv", tables.offences_table(offences, people))
    write("youth_justice/outcomes.csv", tables.outcomes_table(outcomes, sim["offences"], people))
    _write_care(shared.writer, sim, outcomes, care_years, referrals, rngs["extracts"])
    write("linkage/person_index.csv", index)


def _offences_in_extract(sim, window, rng, ids):
    off = sim["offences"]
    keep = off["recorded"] & (off["recorded_day"] >= window[0]) & (off["recorded_day"] <= window[1])
    sim["offences"]["in_extract"] = keep
    chosen = off[keep].copy()
    chosen["offence_id"] = ids.draw("OF", len(chosen), 7, rng)
    chosen["ho_code_written"] = np.where(rng.random(len(chosen)) < 0.1, "", chosen["ho_code"].to_numpy())
    sim["offences"]["offence_id"] = pd.Series(chosen["offence_id"], index=chosen.index).reindex(off.index).fillna("")
    return chosen


def _referrals_in_year(referrals, year):
    first, last = care.year_bounds(year)
    return referrals[(referrals["referral_day"] <= last) & (referrals["closure_day"] >= first)]


def _assign_ids(people, sim, offences, referrals_by_year, window, rng, ids):
    n = len(people)
    in_care = np.zeros(n, dtype=bool)
    for referrals in referrals_by_year:
        in_care[referrals["person"].to_numpy()] = True
    first, last = care.year_bounds(care.collection_years(window)[0])[0], window[1]
    eps = sim["episodes"]
    in_care[eps.loc[(eps["decom"] <= last) & (eps["dec"] >= first), "person"].to_numpy()] = True
    activity = sim["activity"]
    in_nccis = np.zeros(n, dtype=bool)
    in_nccis[activity.loc[(activity["month"] >= window[0]) & (activity["month"] + 27 <= window[1]), "person"]] = True
    in_yj = np.zeros(n, dtype=bool)
    in_yj[offences["person"].to_numpy()] = True
    rolls, attendance, exclusions = sim["rolls"], sim["attendance"], sim["exclusions"]
    in_school = np.zeros(n, dtype=bool)
    in_school[rolls.loc[(rolls["census_day"] >= window[0]) & (rolls["census_day"] <= window[1]), "person"]] = True
    in_school[attendance.loc[(attendance["term_start"] >= window[0]) & (attendance["term_end"] <= window[1]),
                             "person"]] = True
    in_school[exclusions.loc[(exclusions["day"] >= window[0]) & (exclusions["day"] <= window[1]), "person"]] = True
    in_school[sim["ap"]["person"].to_numpy()] = True
    people["person_ref"] = ids.draw("MPI", n, 7, rng)
    people["la_child_id"] = np.where(in_care, ids.draw("C", n, 7, rng, used=in_care), "")
    people["yj_id"] = np.where(in_yj, ids.draw("YJ", n, 6, rng, used=in_yj), "")
    people["nccis_id"] = np.where(in_nccis, ids.draw("NC", n, 8, rng, used=in_nccis), "")
    unlisted = in_nccis & (in_school | in_care) & (rng.random(n) < 0.03)  # linked through their UPN
    people["nccis_upn"] = np.where(unlisted | (rng.random(n) < 0.95), people["upn"].to_numpy(), "")
    people["disability"] = _disability(people, rng)
    known = in_care | in_nccis | in_yj | in_school
    index = people[known]
    return pd.DataFrame({
        "PERSON_REF": index["person_ref"].to_numpy(), "LA_CHILD_ID": index["la_child_id"].to_numpy(),
        "UPN": np.where(in_school[known] | in_care[known], index["upn"].to_numpy(), ""),
        "YJ_ID": index["yj_id"].to_numpy(), "NCCIS_ID": np.where(unlisted[known], "", index["nccis_id"].to_numpy()),
    })


def _disability(people, rng):
    need = 0.35 * people["latent"].to_numpy() + 0.94 * people["u_sen"].to_numpy()
    kind = np.array(["LD", "AUT", "COMM", "BEH", "MOB"], dtype=object)[rng.integers(0, 5, len(people))]
    return np.where(need > 2.3, kind, "NONE").astype(object)


def _write_education(write, sim, window):
    people = sim["people"]
    write("school_census/pupils.csv", tables.pupils_table(sim["rolls"], people, window))
    write("school_census/exclusions.csv",
          tables.exclusions_table(sim["exclusions"], sim["rolls"], people, window, sim["perm_day"]))
    write("school_census/attendance.csv", tables.attendance_table(sim["attendance"], people, window))
    write("ap_census/placements.csv", tables.ap_table(sim["ap"], people))


def _write_care(writer, sim, outcomes, care_years, referrals_by_year, rng):
    people = sim["people"]
    convictions = _convictions(outcomes, sim["offences"])
    for year, referrals in zip(care_years, referrals_by_year):
        returns = care.ssda903_tables(year, sim["episodes"], sim["missing"], sim["periods"], convictions, people, rng)
        for name, frame in returns.items():
            writer.csv(f"ssda903/{year}/{name}.csv", frame)
        children = care.cin_children(referrals, people, year)
        name = f"cin/{year}.xml"
        writer.xml(name, *cin_xml_parts(year, referrals, children))
        writer.rows[name] = writer.rows.get(name, 0) + len(children)


def _convictions(outcomes, offences):
    statutory = outcomes[outcomes["tier"] != "DIVERSION"]
    return pd.DataFrame({"person": offences.loc[statutory["offence_row"].to_numpy(), "person"].to_numpy(),
                         "day": statutory["outcome_day"].to_numpy()})


def _write_truth(writer, sim, window):
    for name, frame in truth_tables(sim, window).items():
        writer.csv(f"_truth/{name}.csv", frame)
