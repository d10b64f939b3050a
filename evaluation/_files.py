"""Run the audit from a scores file and write its three outputs."""

from __future__ import annotations

from pathlib import Path

from ._audit import audit_scores
from ._errors import AuditInputError
from ._inputs import as_binary
from ._result import AuditResult
from ._tables import read_scores_table
from ._transparency import write_transparency_record

__all__ = ["audit_files"]


def audit_files(
    scores_path,
    *,
    label,
    score=None,
    threshold=None,
    top_k=None,
    prediction=None,
    groups,
    reference=None,
    n_boot=1000,
    min_cell=10,
    tolerance=0.8,
    decision=None,
    out_dir,
    context=None,
    capacities=(25, 50, 100, 200),
    random_state=0,
) -> AuditResult:
    """Audit a scores file and write ``audit.json``, ``report.html`` and ``transparency_record.md``.

    Only the named columns are read into the audit, and only aggregate
    figures are written: no identifier column reaches the outputs.

    Parameters
    ----------
    scores_path : str or Path
        CSV or Parquet table with one row per young person.
    label : str
        Column holding the recorded outcome (0/1).
    score : str, default=None
        Column holding the score; give ``threshold`` or ``top_k`` with it.
    threshold : float, default=None
        Flag scores at or above this value.
    top_k : int, default=None
        Flag the ``top_k`` highest scores.
    prediction : str, default=None
        Column holding ready yes/no flags, instead of ``score``.
    groups : str or list of str
        Group columns (sex, ethnicity, age band, ...).
    reference : dict or list of str, default=None
        ``{column: value}`` or ``["column=value", ...]``.
    n_boot, min_cell, tolerance, capacities, random_state
        As for :func:`audit_scores`.
    decision : str, default=None
        Column holding practitioners' decisions (0/1).
    out_dir : str or Path
        Folder for the outputs; created if needed.
    context : dict, default=None
        Title, model name and version, label definition, data dates.

    Returns
    -------
    AuditResult

    Raises
    ------
    AuditInputError
        For a missing column, bad values or inconsistent options.
    """
    table = read_scores_table(scores_path)
    group_columns = [groups] if isinstance(groups, str) else list(groups)
    _check_columns(table, label=label, score=score, prediction=prediction,
                   groups=group_columns, decision=decision)
    _check_score_options(score=score, prediction=prediction, threshold=threshold, top_k=top_k)
    for column in (label, prediction, decision):  # name the file's column in any complaint
        if column is not None:
            as_binary(table[column], name=column)
    result = audit_scores(
        table[label],
        y_score=None if score is None else table[score],
        threshold=threshold, top_k=top_k,
        y_pred=None if prediction is None else table[prediction],
        sensitive_features=table[group_columns],
        reference=parse_reference(reference),
        decision=None if decision is None else table[decision],
        n_boot=n_boot, min_cell=min_cell, tolerance=tolerance,
        capacities=capacities, random_state=random_state,
    )
    out = Path(out_dir)
    context = {"scores_file": Path(scores_path).name, **_label_named_in(table), **(context or {})}
    result.write_json(out / "audit.json", context=context)
    result.write_html(out / "report.html", context=context)
    write_transparency_record(result, out / "transparency_record.md", context=context)
    return result


def _label_named_in(table) -> dict:
    """``{"label_definition": "NAME version V"}`` when the table carries one label name and
    version (as ``scores.csv`` does), so the audit names the outcome it judges; else ``{}``."""
    if not {"label_name", "label_version"} <= set(table.columns):
        return {}
    names = table["label_name"].dropna().astype(str).unique()
    versions = table["label_version"].dropna().astype(str).unique()
    if len(names) != 1 or len(versions) != 1:
        return {}
    return {"label_definition": f"'{names[0]}' version {versions[0]} (from the scores file)"}


def parse_reference(reference) -> dict | None:
    """Accept ``{column: value}`` or ``["column=value", ...]``; return a dict."""
    if reference is None or isinstance(reference, dict):
        return reference
    if isinstance(reference, str):
        reference = [reference]
    parsed = {}
    for item in reference:
        column, sep, value = str(item).partition("=")
        if not sep or not column.strip():
            raise AuditInputError(
                "Each 'reference' entry must have the form COLUMN=VALUE (for example "
                "sex=F); one entry has no '=' or no column name."
            )
        parsed[column.strip()] = value.strip()
    return parsed


def _check_columns(table, *, label, score, prediction, groups, decision) -> None:
    if not groups:
        raise AuditInputError(
            "The 'groups' option must name at least one group column (for example sex or "
            "ethnicity); none was given."
        )
    named = [("label", label), ("score", score), ("prediction", prediction), ("decision", decision)]
    named += [("groups", g) for g in groups]
    available = [str(c) for c in table.columns]
    for option, column in named:
        if column is not None and column not in table.columns:
            raise AuditInputError(
                f"The column '{column}' named by the '{option}' option is not in the scores "
                f"table. The table's columns are: {available}. Check the spelling (repeated "
                "names are renamed 'name.1', 'name.2')."
            )
    if len(set(groups)) != len(groups):
        raise AuditInputError("The 'groups' option names the same column more than once.")


def _check_score_options(*, score, prediction, threshold, top_k) -> None:
    if score is None and prediction is None:
        raise AuditInputError(
            "Name the column to audit: 'score' (with 'threshold' or 'top_k') or 'prediction' "
            "(ready yes/no flags)."
        )
    if score is None and (threshold is not None or top_k is not None):
        raise AuditInputError(
            "The 'threshold' and 'top_k' options need a 'score' column; with 'prediction' "
            "the flags are already given."
        )
