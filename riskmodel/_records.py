"""The dated source records behind a reason, read through the features package's lineage.

For each young person who gets a case page, every sentence that rests on records (a
count, a flag or a "days since" that is not zero or missing) is traced back to the rows
that made its value, with ``features.trace_feature``: the same selection the builder
counted, so the records cited are exactly the records counted. The sentence gains the
latest record's date and meaning; the references become the evidence.

Tracing runs only for the people with a case page, through ``features.trace_features``,
which runs each feature's record selection once over all of them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from features import Feature, FeatureRegistry, trace_features

from ._reasons import _is_share, _lookup, citable, dated_sentence, evidence_text



def add_lineage(
    texts: np.ndarray,
    X: pd.DataFrame,
    person_ids: np.ndarray,
    rows: np.ndarray,
    chosen: np.ndarray,
    names: list[str],
    registry: FeatureRegistry,
    tables: dict[str, pd.DataFrame],
    as_of,
) -> tuple[np.ndarray, np.ndarray]:
    """Add dates, meanings and record references to the chosen sentences of ``rows``.

    Only values that rest on records are traced (not missing, not zero, not read from
    the ``people`` table: a month of birth is never quoted). Shares and other
    numeric values keep their sentence and gain only the references.

    Parameters
    ----------
    texts : ndarray of object, shape (n_people, n_features)
        Sentences from :func:`riskmodel._reasons.feature_texts`.
    X : DataFrame
        The feature values, rows aligned with ``texts``.
    person_ids : ndarray of str
    rows : ndarray of int
        The rows (people) to trace.
    chosen : ndarray of int, shape (n_people, n_concepts, k)
        Feature columns shown for each concept (``-1`` for none).
    names : list of str
        Feature names of the columns of ``texts``.
    registry : FeatureRegistry
    tables : dict of DataFrame
        The tidy tables.
    as_of : date-like

    Returns
    -------
    texts, evidence : ndarray of object, shape (n_people, n_features)
        ``texts`` with the traced cells rewritten; ``evidence`` is ``""`` elsewhere.
    """
    texts = texts.copy()
    evidence = np.full(texts.shape, "", dtype=object)
    declared = [_lookup(registry, n) for n in names]
    traceable = np.array([_traceable(f) for f in declared], dtype=bool)
    dated = np.array([_dated(f) for f in declared], dtype=bool)
    cells = _cells(X[names].to_numpy(dtype=float), rows, chosen, traceable)
    if not cells:
        return texts, evidence
    found = _record_summaries(tables, person_ids, as_of, names, cells)
    said: set[tuple[int, int, str]] = set()  # (row, concept, suffix) already stated
    for row, concept, column in cells:
        summary = found(person_ids[row], names[column])
        if summary is None:
            continue
        n_records, latest_date, meaning, refs, source = summary
        evidence[row, column] = evidence_text(refs)
        text = texts[row, column]
        if dated[column] and text:
            suffix = dated_sentence(text, n_records, latest_date, meaning, source=source)[len(text):]
            if (row, concept, suffix) not in said:
                texts[row, column] = text + suffix
                said.add((row, concept, suffix))
    return texts, evidence


def _cells(values: np.ndarray, rows: np.ndarray, chosen: np.ndarray, traceable: np.ndarray) -> list[tuple[int, int, int]]:
    """(row, concept, feature column) shown on a case page whose value rests on records.

    In the order they are shown (concept by concept, most important first), so that a
    date and reason already stated for a record is not repeated for the next sentence.
    """
    cells = []
    concept_of = np.repeat(np.arange(chosen.shape[1]), chosen.shape[2])
    for row in rows:
        columns = chosen[row].ravel()
        shown = columns >= 0
        columns, concepts = columns[shown], concept_of[shown]
        keep = traceable[columns] & ~np.isnan(values[row, columns]) & (values[row, columns] != 0)
        cells.extend((int(row), int(k), int(c)) for k, c in zip(concepts[keep], columns[keep]))
    return cells


def _record_summaries(tables, person_ids, as_of, names, cells):
    """``found(person_id, feature) -> (n, latest date, latest meaning, refs, table) or None``."""
    people = person_ids[[cell[0] for cell in cells]]
    bulk = trace_features(tables, people, as_of, sorted({names[cell[-1]] for cell in cells}))
    if not len(bulk):
        return lambda person_id, feature: None
    groups = bulk.groupby(["person_id", "feature"], sort=False)
    summary = pd.DataFrame({
        "n": groups.size(), "date": groups["date"].first(), "meaning": groups["meaning"].first(),
        "refs": groups["record_ref"].agg(list), "source": groups["table"].first(),
    })
    table = dict(zip(summary.index, summary.itertuples(index=False, name=None)))
    return lambda person_id, feature: table.get((person_id, feature))


def _dated(feature: Feature | None) -> bool:
    """Whether a sentence reads well with its latest record's date (counts, flags, days)."""
    return feature is not None and feature.kind in ("count", "flag", "days") and not _is_share(feature)


def _traceable(feature: Feature | None) -> bool:
    return (feature is not None and citable(feature) and feature.source != "people"
            and feature.concept != "age")
