"""Score everyone aged 10 to 18 on an as-of date, explain each score, and write case pages.

:func:`score_people` builds the features with the model's own registry, checks them
against the training contract, scores and explains everyone in one vectorised pass, and
writes ``scores.csv``, ``explanations.csv``, a case page for everyone in the highest band
(and anyone asked for) and an index of those pages by rank. :func:`explain_person` does
the same for one young person, fast enough to use while a practitioner waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import features
from features._matrix import plan_features  # the partitioned build's shared plan (not yet in features.__all__)

from . import _case_page, _distributed, _reasons
from ._csv import csv_text
from ._explain import Decomposition, concept_statements, decompose, explanation_table

BATCH_FILE = "batch.json"
CASES_FILE = "cases.jsonl"
SCORE_COLUMNS = [
    "person_id", "as_of", "probability", "score", "band", "rank",
    "base_logodds", "model_logodds", "top_reasons", "missing_sources",
    "label_name", "label_version",
]
"""Columns of ``scores.csv``. ``label_name`` and ``label_version`` name the outcome the
probability is for (the model's label definition), so a score file never travels without it."""


class PersonNotFoundError(LookupError):
    """The young person asked for is not in the data, or not in the cohort on the date (not
    yet known to any source, no month of birth, or not aged 10 to 18)."""


@dataclass(frozen=True)
class ScoreResult:
    """What :func:`score_people` wrote.

    Attributes
    ----------
    scores : DataFrame
        One row per young person, by rank (the columns of ``scores.csv``).
    explanations : DataFrame
        One row per young person and concept (the columns of ``explanations.csv``).
    case_pages : list of Path
        The case pages written, by rank.
    index_path : Path
        The index of case pages.
    """

    scores: pd.DataFrame
    explanations: pd.DataFrame
    case_pages: list[Path] = field(default_factory=list)
    index_path: Path | None = None


@dataclass(frozen=True)
class PersonExplanation:
    """One young person's explained score.

    Attributes
    ----------
    text : str
        Plain-English rendering for a terminal.
    rows : DataFrame
        The person's explanation rows (columns of ``explanations.csv``).
    case_page : Path
        The case page written.
    score : dict
        The person's row of the scores table (``rank`` is not known for one person).
    """

    text: str
    rows: pd.DataFrame
    case_page: Path
    score: dict


def score_people(
    model,
    tables: dict[str, pd.DataFrame],
    as_of,
    *,
    out_dir,
    case_people: Iterable[str] = (),
    progress: Callable[..., None] | None = None,
    file_format: str = "csv",
    client=None,
) -> ScoreResult:
    """Score and explain every young person aged 10 to 18 on ``as_of``, and write the results.

    Parameters
    ----------
    model : RiskModel
        A loaded model (``training.load_registered_model``).
    tables : dict of DataFrame
        The tidy tables from ``features.load_extracts``.
    as_of : date-like
        The as-of date; only records on or before it are used.
    out_dir : path-like
        Receives ``scores.csv``, ``explanations.csv``, ``cases/<person_id>.html``,
        ``index.html``, and for the review service ``batch.json`` (model, label definition,
        data date) and ``cases.jsonl`` (each case page's content as data, one JSON object a
        line); the last two are readable by their owner only.
    case_people : iterable of str, default=()
        Pseudonyms that get a case page whatever their band.
    progress : callable, optional
        Called as ``progress(description, fraction)`` at each step.
    file_format : {"csv", "parquet"}, default="csv"
        Format of the scores and explanations files.
    client : dask.distributed.Client, default=None
        Build features and SHAP explanations on this Dask cluster, per partition of people
        (the same values as without it). With ``file_format="parquet"`` the scores and
        explanations are then folders of parts (``scores/part-00000.parquet``, ...).

    Returns
    -------
    ScoreResult

    Raises
    ------
    FeatureMismatchError
        If the features built differ from those the model was trained on.
    PersonNotFoundError
        If a pseudonym in ``case_people`` is not in the scoring cohort.

    Notes
    -----
    ``explanations.csv`` (or ``.parquet``) gives each concept's exact tree SHAP value in log-odds
    (``shap_logodds``; per person these plus ``base_logodds`` equal ``model_logodds``)
    and its ``contribution`` on the probability scale: the difference between the
    calibrated probability and the calibrated probability at ``base_logodds``, shared
    between concepts in proportion to their ``shap_logodds``, so that a person's
    contributions add up exactly to that difference. Statements carry the dates and
    record references of the source records for the people with a case page; for the
    others they carry the values.
    """
    step = progress or _silent
    as_of = _as_of(as_of)
    write = _writer(file_format, client)
    out_dir = Path(out_dir)
    step("Building features", 0.1)
    X = _features(model, tables, as_of, client)
    if X.empty:
        raise ValueError(
            f"Nobody in the data is aged 10 to 18 and known to a source on {as_of.date().isoformat()}, so there is no one "
            "to score. Choose an as-of date within the years the extracts cover."
        )
    step("Scoring and explaining", 0.4)
    parts = _decompose(model, X, client)
    scores = _scores_table(model, parts, tables, as_of)
    cases = _case_rows(model, scores, parts.person_id, case_people)
    step("Reading the records behind the case pages", 0.6)
    statements, evidence = concept_statements(model.registry, X, parts, tables=tables, as_of=as_of, rows=cases)
    explanations = explanation_table(parts, statements, evidence)
    step("Writing scores and explanations", 0.75)
    features.private_folder(out_dir)
    write(scores, out_dir / "scores")
    write(explanations, out_dir / "explanations")
    step("Writing case pages", 0.9)
    chosen = scores.loc[scores["person_id"].isin(parts.person_id[cases])]
    contexts = _case_contexts(model, chosen, explanations, parts, as_of, index_href="../index.html")
    pages = [_case_page.write_case_page(out_dir / "cases" / f"{c['person_id']}.html", c) for c in contexts]
    _case_page.write_case_contents(out_dir / CASES_FILE, contexts)
    _case_page.write_batch_description(out_dir / BATCH_FILE, model, as_of, n_scored=len(scores),
                                       n_cases=len(contexts))
    n_extra = int((chosen["band"] != _case_page._top_band(model)).sum())
    index = _case_page.write_index(out_dir / "index.html", chosen, model, as_of, n_scored=len(scores), n_extra=n_extra)
    step("Done", 1.0)
    return ScoreResult(scores=scores, explanations=explanations, case_pages=pages, index_path=index)


def explain_person(model, tables: dict[str, pd.DataFrame], as_of, person_id: str, *, out_dir,
                   client=None, spans: pd.DataFrame | None = None) -> PersonExplanation:
    """Explain one young person's score, print-ready, and write their case page.

    Parameters
    ----------
    model : RiskModel
    tables : dict of DataFrame
        The tidy tables from ``features.load_extracts``, or (with ``spans``) the young
        person's own rows of them, as ``features.read_person_rows`` reads them from a store.
    as_of : date-like
    person_id : str
        The young person's pseudonym.
    out_dir : path-like
        The case page goes to ``out_dir/cases/<person_id>.html``.
    client : dask.distributed.Client, default=None
        Run the SHAP explanation as a task on this Dask cluster. The person's features are
        built in this process from their own rows (a fraction of a second), with the whole
        data's feature plan, so they equal their row of the whole matrix.
    spans : DataFrame, optional
        ``features.source_spans`` of the whole data, when ``tables`` holds less than all of it.

    Returns
    -------
    PersonExplanation

    Raises
    ------
    PersonNotFoundError
        If no young person has this pseudonym, or they are not in the cohort on ``as_of``;
        the message gives the true reason and never repeats the pseudonym.
    """
    as_of = _as_of(as_of)
    person_id = str(person_id)
    _require_known(tables, person_id)
    own = features.partition_tables(tables, [person_id])
    _require_in_cohort(own, person_id, as_of)
    X = person_features(model, tables, own, as_of, spans=spans)
    parts = _decompose(model, X, client)
    scores = _scores_table(model, parts, own, as_of, ranked=False)
    statements, evidence = concept_statements(
        model.registry, X, parts, tables=own, as_of=as_of, rows=np.arange(len(X)),
    )
    rows = explanation_table(parts, statements, evidence)
    out_dir = Path(out_dir)
    index_href = "../index.html" if (out_dir / "index.html").is_file() else None
    context = _context(model, scores.iloc[0].to_dict(), rows, parts, 0, as_of, index_href)
    page = _case_page.write_case_page(out_dir / "cases" / f"{person_id}.html", context)
    return PersonExplanation(text=_case_page.case_text(context), rows=rows, case_page=page,
                             score=scores.iloc[0].to_dict())


# --- steps ------------------------------------------------------------------------------


def _features(model, tables: dict[str, pd.DataFrame], as_of: pd.Timestamp, client=None) -> pd.DataFrame:
    """The model's features for the cohort, indexed by pseudonym, checked against training."""
    if client is None:
        feature_set = features.build_features(tables, as_of, registry=model.registry)
    else:
        feature_set = features.build_features_distributed(tables, as_of, registry=model.registry, client=client)
    frame = feature_set.frame
    model.check_features(frame)
    X = frame[model.feature_names]
    X.index = pd.Index(frame["person_id"].astype(str).to_numpy(dtype=object), name="person_id")
    return X


def person_features(model, tables: dict[str, pd.DataFrame], own: dict[str, pd.DataFrame],
                    as_of: pd.Timestamp, *, spans: pd.DataFrame | None = None) -> pd.DataFrame:
    """The model's features for the people in ``own`` (their rows of ``tables``), as the full build gives them.

    The builders read only a person's own rows, and what every person shares (the data's
    end, the label cut-off) is fixed from the whole of ``tables`` by the feature plan, as the
    partitioned build does: so the row equals that person's row of the whole authority's
    matrix, at the cost of building one person's. ``spans`` stands for the whole data's
    ``features.source_spans`` when ``tables`` holds only some of it.
    """
    plan = plan_features(tables, [as_of], registry=model.registry, spans=spans)
    frame = plan.assemble([plan.build_rows(own)]).frame
    model.check_features(frame)
    X = frame[model.feature_names]
    X.index = pd.Index(frame["person_id"].astype(str).to_numpy(dtype=object), name="person_id")
    return X


def _decompose(model, X: pd.DataFrame, client) -> Decomposition:
    """Scores and exact SHAP values in this process, or per block of people on the cluster."""
    return decompose(model, X) if client is None else _distributed.decompose_distributed(model, X, client=client)


def _scores_table(model, parts: Decomposition, tables, as_of: pd.Timestamp, *, ranked: bool = True) -> pd.DataFrame:
    scores = pd.DataFrame({
        "person_id": parts.person_id,
        "as_of": as_of.date().isoformat(),
        "probability": parts.probability,
        "score": np.asarray(model.position(parts.probability), dtype=np.int64),
        "band": np.asarray(model.band(parts.probability), dtype=object),
        "rank": pd.array([pd.NA] * len(parts.person_id), dtype="Int64"),
        "base_logodds": parts.base_logodds,
        "model_logodds": parts.model_logodds,
        "top_reasons": _reasons.top_reasons(parts.shap_logodds, parts.concepts),
        "missing_sources": _reasons.missing_sources(features.known_sources(tables, as_of), parts.person_id,
                                                    people=tables["people"], as_of=as_of),
        "label_name": model.label_definition.name,
        "label_version": str(model.label_definition.version),
    })
    if not ranked:
        return scores
    order = np.lexsort((scores["person_id"].to_numpy(dtype=str), -parts.model_logodds, -parts.probability))
    scores = scores.iloc[order].reset_index(drop=True)
    scores["rank"] = pd.array(np.arange(1, len(scores) + 1), dtype="Int64")
    return scores[SCORE_COLUMNS]


def _case_rows(model, scores: pd.DataFrame, person_ids: np.ndarray, case_people: Iterable[str]) -> np.ndarray:
    """Positions (in ``person_ids``) of everyone in the highest band and of ``case_people``."""
    asked = pd.Index([str(p) for p in case_people])
    unknown = asked.difference(pd.Index(person_ids))
    if len(unknown):
        raise PersonNotFoundError(
            f"{len(unknown)} of the pseudonyms asked for are not among the young people scored on "
            "the as-of date (aged 10 to 18 and known to a source by then; they are not repeated here, "
            "in case one is a raw identifier typed by mistake). Check them against the person_id "
            "column of scores.csv."
        )
    top = scores.loc[scores["band"] == _case_page._top_band(model), "person_id"]
    wanted = pd.Index(person_ids).isin(top.to_numpy()) | pd.Index(person_ids).isin(asked)
    return np.flatnonzero(wanted)


def _case_contexts(model, chosen: pd.DataFrame, explanations: pd.DataFrame, parts: Decomposition,
                   as_of, *, index_href: str | None) -> list[dict]:
    """The case content of each chosen person, by rank: what their page and the review service show."""
    position = {pid: i for i, pid in enumerate(parts.person_id)}
    rows = _rows_by_person(explanations.loc[explanations["person_id"].isin(chosen["person_id"])])
    empty = explanations.iloc[0:0]
    return [
        _context(model, score, rows.get(score["person_id"], empty), parts, position[score["person_id"]],
                 as_of, index_href)
        for score in chosen.to_dict("records")
    ]


def _rows_by_person(explanations: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each person's explanation rows, in table order: one stable sort, then a slice per person."""
    codes, people = pd.factorize(explanations["person_id"])
    order = np.argsort(codes, kind="stable")
    ordered = explanations.iloc[order]
    ends = np.cumsum(np.bincount(codes, minlength=len(people)))
    starts = ends - np.bincount(codes, minlength=len(people))
    return {person: ordered.iloc[start:end] for person, start, end in zip(people.tolist(), starts, ends)}


def _context(model, score: dict, rows: pd.DataFrame, parts: Decomposition, i: int, as_of, index_href) -> dict:
    case = _case_page.Case(score=score, rows=rows, base_probability=float(parts.base_probability[i]))
    return _case_page.case_context(case, model, as_of, index_href=index_href)


def _require_known(tables: dict[str, pd.DataFrame], person_id: str) -> None:
    people = tables["people"]["person_id"]
    if not (people == person_id).any():
        raise PersonNotFoundError(
            "No young person with the pseudonym given is in the data (it is not repeated here, in "
            "case it is a raw identifier typed by mistake). Check the pseudonym (the person_id "
            "column of scores.csv) and that the data folder and pseudonymisation key are the ones "
            "the scores were made with."
        )


def _require_in_cohort(own: dict[str, pd.DataFrame], person_id: str, as_of: pd.Timestamp) -> None:
    status = str(features.cohort_status_of(own, as_of).get(person_id, "in_cohort"))
    if status != "in_cohort":
        reason = features.NOT_IN_COHORT[status].format(date=_reasons.format_date(as_of))
        raise PersonNotFoundError(
            f"The young person asked for has no score on {as_of.date().isoformat()}: {reason}. "
            "Choose another date or person."
        )


def _as_of(value) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = pd.NaT
    if pd.isna(stamp):
        raise ValueError(f"The as-of date must be a date such as 2025-03-31; got {value!r}.")
    return stamp.normalize()


def _writer(file_format: str, client=None) -> Callable[[pd.DataFrame, Path], None]:
    """A writer of owner-only person-level tables in ``file_format`` (Parquet parts on a cluster)."""
    if file_format == "parquet" and client is not None:
        return lambda frame, stem: _distributed.write_parquet_parts(frame, stem, keys="person_id")
    if file_format == "csv":
        return lambda frame, stem: features.write_private_text(stem.with_suffix(".csv"), csv_text(frame), newline="")
    if file_format == "parquet":
        return lambda frame, stem: _write_table(frame.to_parquet, stem.with_suffix(".parquet"), "wb")
    raise ValueError(f"The 'file_format' option must be 'csv' or 'parquet'; got {file_format!r}.")


def _write_table(method: Callable, path: Path, mode: str) -> None:
    with features.private_file(path, mode, newline="") as handle:
        method(handle, index=False)


def _silent(*args, **kwargs) -> None:
    return None
