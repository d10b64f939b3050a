"""Run the audit from a scores file and write its three outputs."""

from __future__ import annotations

from pathlib import Path

from ._audit import audit_scores
from ._errors import AuditInputError
from ._inputs import as_binary
from ._result import AuditResult
from ._spec import AuditSpec, resolve_spec
from ._tables import read_scores_table
from ._transparency import write_transparency_record

__all__ = ["audit_files", "DEFAULT_PERSON_COLUMN"]

DEFAULT_PERSON_COLUMN = "person_id"


def audit_files(
    scores_path,
    *,
    label,
    score=None,
    prediction=None,
    groups,
    decision=None,
    person=None,
    out_dir,
    context=None,
    spec: AuditSpec | None = None,
    **options,
) -> AuditResult:
    """Audit a scores file and write ``audit.json``, ``report.html`` and ``transparency_record.md``.

    Only the named columns are read into the audit, and only aggregate
    figures are written: no identifier column reaches the outputs.

    Parameters
    ----------
    scores_path : str or Path
        CSV or Parquet table with one row per young person and as-of date.
    label : str
        Column holding the recorded outcome (0/1).
    score : str, default=None
        Column holding the score; give the ``threshold`` or ``top_k`` option with it.
    prediction : str, default=None
        Column holding ready yes/no flags, instead of ``score``.
    groups : str or list of str
        Group columns (sex, ethnicity, age band, ...).
    decision : str, default=None
        Column holding practitioners' decisions (0/1).
    person : str, default=None
        Column saying who each row belongs to. None: ``person_id`` when the table
        has it (as ``scores.csv`` does); otherwise every row counts as a different
        young person, and the report says so. A column named here must exist.
    out_dir : str or Path
        Folder for the outputs; created if needed.
    context : dict, default=None
        Title, model name and version, label definition, data dates.
    spec : AuditSpec, default=None
        The audit's options (threshold, top_k, reference, n_boot, min_cell,
        tolerance, capacities, random_state, metrics).
    **options
        Any option of :class:`AuditSpec`, overriding ``spec``'s.

    Returns
    -------
    AuditResult

    Raises
    ------
    AuditInputError
        For a missing column, bad values or inconsistent options.
    """
    spec = resolve_spec(spec, options)
    table = read_scores_table(scores_path)
    group_columns = [groups] if isinstance(groups, str) else list(groups)
    person = _person_column(table, person)
    _check_columns(table, label=label, score=score, prediction=prediction,
                   groups=group_columns, decision=decision, person=person)
    _check_score_options(score=score, prediction=prediction, spec=spec)
    for column in (label, prediction, decision):  # name the file's column in any complaint
        if column is not None:
            as_binary(table[column], name=column)
    result = audit_scores(
        table[label],
        y_score=None if score is None else table[score],
        y_pred=None if prediction is None else table[prediction],
        sensitive_features=table[group_columns],
        decision=None if decision is None else table[decision],
        person=None if person is None else table[person],
        spec=spec,
    )
    out = Path(out_dir)
    context = {"scores_file": Path(scores_path).name, **_label_named_in(table), **(context or {})}
    result.write_json(out / "audit.json", context=context)
    result.write_html(out / "report.html", context=context)
    write_transparency_record(result, out / "transparency_record.md", context=context)
    return result


def _person_column(table, person) -> str | None:
    """The person column to use: the one named, else ``person_id`` when present, else None."""
    if person is not None:
        return person
    return DEFAULT_PERSON_COLUMN if DEFAULT_PERSON_COLUMN in table.columns else None


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


def _check_columns(table, *, label, score, prediction, groups, decision, person) -> None:
    if not groups:
        raise AuditInputError(
            "The 'groups' option must name at least one group column (for example sex or "
            "ethnicity); none was given."
        )
    named = [("label", label), ("score", score), ("prediction", prediction), ("decision", decision),
             ("person", person)]
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


def _check_score_options(*, score, prediction, spec: AuditSpec) -> None:
    if score is None and prediction is None:
        raise AuditInputError(
            "Name the column to audit: 'score' (with 'threshold' or 'top_k') or 'prediction' "
            "(ready yes/no flags)."
        )
    if score is None and (spec.threshold is not None or spec.top_k is not None):
        raise AuditInputError(
            "The 'threshold' and 'top_k' options need a 'score' column; with 'prediction' "
            "the flags are already given."
        )
