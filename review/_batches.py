"""Importing a scoring batch: the folder ``riskmodel score --out`` writes.

The folder's ``batch.json`` says what the batch is (model name and version, label
definition, data date), ``cases.jsonl`` holds each case page's content as data, and
``scores.csv`` gives each young person's rank and main reasons. Every case is assigned to
a team: one locality team for the whole batch, or a ``person_id,team`` file. A batch is
identified by the digest of those three files, so importing it again changes nothing; a
batch with a later data date supersedes the earlier one in the team's caseload.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from django.db import transaction
from django.db.models import Count

import riskmodel

from ._caseload import refresh_current_batch
from ._errors import ReviewError
from .models import Batch, Case, Team

__all__ = ["DEFAULT_EXPIRY_DAYS", "ImportResult", "import_batch"]

DEFAULT_EXPIRY_DAYS = 90
SCORES_FILE = "scores.csv"
BATCH_FIELDS = ("model_name", "model_version", "label", "data_date", "top_band", "n_scored")


@dataclass(frozen=True)
class ImportResult:
    """What an import did: the batch, whether it was new, and the cases per team."""

    batch_id: int
    created: bool
    data_date: date
    expires_on: date
    cases_by_team: dict[str, int]


def import_batch(folder, *, team: str | None = None, teams_file=None,
                 expiry_days: int = DEFAULT_EXPIRY_DAYS) -> ImportResult:
    """Import one scoring batch and assign its young people to teams.

    Parameters
    ----------
    folder : path-like
        The folder ``riskmodel score --out`` wrote.
    team : str, optional
        One locality team for every case of the batch.
    teams_file : path-like, optional
        A CSV file with columns ``person_id,team``; every case must appear in it.
    expiry_days : int, default=90
        Days after the data date when the scores leave caseloads.

    Returns
    -------
    ImportResult

    Raises
    ------
    ReviewError
        If the folder lacks a file, a file is malformed, or a case has no team.
    """
    if (team is None) == (teams_file is None):
        raise ReviewError("Give exactly one of '--team NAME' (the whole batch) or '--teams FILE.csv' (person_id,team).")
    if not 1 <= int(expiry_days) <= 3650:
        raise ReviewError(f"The '--expiry-days' option must be a whole number of days from 1 to 3650; got {expiry_days}.")
    folder = Path(folder)
    paths = _paths(folder)
    fingerprint = _fingerprint(paths)
    existing = Batch.objects.filter(fingerprint=fingerprint).first()
    if existing is not None:
        return _result(existing, created=False)
    description = _description(paths[riskmodel.BATCH_FILE])
    cases = _cases(paths[riskmodel.CASES_FILE], paths[SCORES_FILE])
    assigned = _assign(cases, team=team, teams_file=teams_file)
    return _store(description, assigned, fingerprint, int(expiry_days))


def _paths(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise ReviewError(f"The '--scores' folder {folder.name!r} does not exist; give the folder 'riskmodel score --out' wrote.")
    paths = {name: folder / name for name in (riskmodel.BATCH_FILE, riskmodel.CASES_FILE, SCORES_FILE)}
    missing = [name for name, path in paths.items() if not path.is_file()]
    if missing:
        raise ReviewError(
            f"The '--scores' folder lacks {', '.join(missing)}; it must be a folder written by 'riskmodel score "
            "--out' (this version writes batch.json and cases.jsonl beside scores.csv). Score again to make them."
        )
    return paths


def _fingerprint(paths: dict[str, Path]) -> str:
    digest = hashlib.sha256()
    for name in sorted(paths):
        digest.update(name.encode())
        with paths[name].open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _description(path: Path) -> dict:
    try:
        description = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ReviewError(f"{path.name} is not valid JSON; score again to rewrite it.") from None
    missing = [f for f in BATCH_FIELDS if f not in description]
    if missing or not isinstance(description.get("label"), dict):
        raise ReviewError(f"{path.name} lacks {', '.join(missing) or 'the label definition'}; score again to rewrite it.")
    try:
        description["data_date"] = date.fromisoformat(str(description["data_date"]))
    except ValueError:
        raise ReviewError(f"{path.name} has a data date that is not an ISO date such as 2025-03-31.") from None
    return description


def _cases(cases_path: Path, scores_path: Path) -> pd.DataFrame:
    contents = []
    with cases_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                content = json.loads(line)
                contents.append((str(content["person_id"]), int(content["position"]), str(content["band"]), content))
            except (ValueError, KeyError, TypeError):
                raise ReviewError(f"{cases_path.name} line {number} is not a case written by 'riskmodel score'.") from None
    frame = pd.DataFrame(contents, columns=["person_id", "position", "band", "content"])
    scores = pd.read_csv(scores_path, dtype={"person_id": str}, usecols=lambda c: c in
                         ("person_id", "rank", "probability", "top_reasons"), keep_default_na=False)
    merged = frame.merge(scores, on="person_id", how="left", validate="one_to_one")
    if merged["rank"].eq("").any() or merged["rank"].isna().any():
        raise ReviewError(f"{int(merged['rank'].isna().sum())} case(s) in {cases_path.name} have no row in "
                          f"{scores_path.name}; the folder mixes two scoring runs. Score again.")
    return merged


def _assign(cases: pd.DataFrame, *, team: str | None, teams_file) -> pd.DataFrame:
    if team is not None:
        return cases.assign(team=_team_name(team))
    teams = _teams_table(Path(teams_file))
    assigned = cases.merge(teams, on="person_id", how="left")
    unassigned = int(assigned["team"].isna().sum())
    if unassigned:
        raise ReviewError(
            f"{unassigned} of the batch's {len(cases)} cases have no row in {Path(teams_file).name}; every case "
            "must be assigned to a team so that nobody falls out of every caseload. Add a person_id,team row "
            "for each and import again."
        )
    return assigned


def _teams_table(path: Path) -> pd.DataFrame:
    try:
        teams = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError):
        raise ReviewError(f"The teams file {path.name!r} cannot be read as a UTF-8 CSV file with columns person_id,team.") from None
    missing = {"person_id", "team"} - set(teams.columns)
    if missing:
        raise ReviewError(f"The teams file {path.name!r} lacks the column(s) {', '.join(sorted(missing))}; "
                          "it needs person_id,team.")
    bad = _bad_team_rows(teams)
    if bad:
        raise ReviewError(f"The teams file {path.name!r} has {bad}. Each person_id must appear once with a team name.")
    teams["team"] = teams["team"].str.strip()
    return teams[["person_id", "team"]]


def _bad_team_rows(teams: pd.DataFrame) -> str:
    problems = []
    if teams["person_id"].str.strip().eq("").any():
        problems.append(f"rows with no person_id (rows {_rows(teams['person_id'].str.strip().eq(''))})")
    if teams["team"].str.strip().eq("").any():
        problems.append(f"rows with no team (rows {_rows(teams['team'].str.strip().eq(''))})")
    if teams["team"].str.len().gt(100).any():
        problems.append(f"team names longer than 100 characters (rows {_rows(teams['team'].str.len().gt(100))})")
    if teams["person_id"].duplicated().any():
        problems.append(f"person_ids listed more than once (rows {_rows(teams['person_id'].duplicated())})")
    return "; ".join(problems)


def _rows(mask: pd.Series) -> str:
    """File row numbers (the header is row 1) of the first few rows where ``mask`` holds."""
    rows = (mask.to_numpy().nonzero()[0] + 2).tolist()
    return ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")


def _team_name(team: str) -> str:
    name = str(team).strip()
    if not name or len(name) > 100:
        raise ReviewError("The '--team' option must be a team name of 1 to 100 characters.")
    return name


@transaction.atomic
def _store(description: dict, cases: pd.DataFrame, fingerprint: str, expiry_days: int) -> ImportResult:
    label = description["label"]
    batch = Batch.objects.create(
        fingerprint=fingerprint, model_name=str(description["model_name"])[:200],
        model_version=str(description["model_version"])[:50], run_id=str(description.get("run_id") or "")[:100],
        label_name=str(label.get("name", ""))[:200], label_version=str(label.get("version", ""))[:50],
        label_description=str(label.get("description", "")), data_date=description["data_date"],
        expires_on=description["data_date"] + timedelta(days=expiry_days),
        top_band=str(description["top_band"])[:50], n_scored=int(description["n_scored"]),
    )
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in cases["team"].unique()}
    Case.objects.bulk_create(
        (Case(batch=batch, team=teams[r.team], person_id=r.person_id, rank=int(r.rank), band=r.band,
              position=r.position, probability=float(r.probability), top_reasons=str(r.top_reasons or ""),
              content=r.content)
         for r in cases.itertuples(index=False)),
        batch_size=500,
    )
    for team_row in teams.values():
        refresh_current_batch(team_row)
    return _result(batch, created=True)


def _result(batch: Batch, *, created: bool) -> ImportResult:
    counts = dict(_team_counts(batch))
    return ImportResult(batch_id=batch.pk, created=created, data_date=batch.data_date,
                        expires_on=batch.expires_on, cases_by_team=counts)


def _team_counts(batch: Batch):
    return (Case.objects.filter(batch=batch).values_list("team__name").annotate(n=Count("id"))
            .order_by("team__name"))
