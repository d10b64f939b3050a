"""The audit's result object: the JSON structure plus writers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd

__all__ = ["AuditResult"]


class AuditResult:
    """Everything one audit found, ready to export.

    Build it with :func:`audit_scores`. Read it as tidy frames, :attr:`by_group`
    (one row per group or intersection and metric) and :attr:`overall`; or as the
    audit.json structure with :meth:`to_dict`. Write it with :meth:`write_json` and
    :meth:`write_html`; both are made from the same figures as the frames.
    """

    def __init__(self, payload: dict, *, overall: pd.DataFrame, by_group: pd.DataFrame):
        self._payload = payload
        self._overall, self._by_group = overall, by_group

    @property
    def by_group(self) -> pd.DataFrame:
        """One row per group (or intersection of groups) and metric.

        Columns: ``kind`` ("group" or "intersection"), ``attribute`` (the group
        column, or the crossed columns joined by " & "), ``group`` (its value or
        values, likewise joined), ``metric``, ``value``, ``lower`` and ``upper`` (the
        95% interval), ``reference`` (whether this is the group others are compared
        with), ``disparity`` (ratio to the reference) with ``disparity_lower`` and
        ``disparity_upper``, ``difference`` with ``difference_lower`` and
        ``difference_upper``, ``verdict`` and ``verdict_reason`` (for the rates
        compared with the reference; None otherwise), ``suppressed`` and
        ``suppression_reason``, and the counts ``n`` (rows), ``n_people`` and
        ``n_display``. A withheld group's values and counts are missing.
        """
        return self._by_group.copy()

    @property
    def overall(self) -> pd.DataFrame:
        """One row per metric for everyone: ``metric``, ``value``, ``lower``, ``upper``, ``n``, ``n_people``."""
        return self._overall.copy()

    def to_dict(self) -> dict:
        """Return a deep copy of the audit.json structure."""
        return copy.deepcopy(self._payload)

    def to_frame(self, *, kind: str = "groups") -> pd.DataFrame:
        """Return point estimates as a DataFrame, one row per group or intersection.

        Parameters
        ----------
        kind : {"groups", "intersections"}, default="groups"

        Returns
        -------
        DataFrame
            Columns: the group label(s), ``n_display``, ``suppressed`` and one
            column per metric (point value; None when withheld).
        """
        if kind not in ("groups", "intersections"):
            from ._errors import AuditInputError

            raise AuditInputError(
                f"The 'kind' option must be 'groups' or 'intersections'; got {kind!r}."
            )
        rows = []
        for record in self._payload[kind]:
            labels = ({"attribute": record["attribute"], "value": record["value"]}
                      if kind == "groups" else dict(record["attributes"]))
            metrics = {k: v["value"] for k, v in record["metrics"].items()}
            rows.append({**labels, "n_display": record["n_display"],
                         "suppressed": record["suppressed"], **metrics})
        return pd.DataFrame(rows)

    def write_json(self, path, *, context=None) -> Path:
        """Write the audit.json structure to ``path``; return the path.

        ``context`` (title, model, label definition, data dates), when given,
        is stored under the key ``"context"`` so the JSON twin carries what
        the report prints.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = self._payload if context is None else {**self._payload, "context": dict(context)}
        path.write_text(json.dumps(payload, indent=2, allow_nan=False, default=str),
                        encoding="utf-8")
        return path

    def write_html(self, path, *, context=None, mitigation=None) -> Path:
        """Write the self-contained governance report to ``path``; return the path.

        Parameters
        ----------
        path : str or Path
        context : dict, default=None
            Printed at the top: ``title``, ``model_name``, ``model_version``,
            ``label_definition``, ``data_dates`` and any other short strings.
        mitigation : dict, default=None
            The ``mitigation.json`` structure of ``riskmodel mitigate``; adds its section.
        """
        from ._report import render_report

        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_report(self._payload, context=context, mitigation=mitigation), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        s = self._payload["settings"]
        return (f"AuditResult(n_rows={s['n_rows']}, groups={len(self._payload['groups'])}, "
                f"intersections={len(self._payload['intersections'])}, mode={s['mode']!r})")
