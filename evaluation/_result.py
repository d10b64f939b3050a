"""The audit's result object: the JSON structure plus writers."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pandas as pd

__all__ = ["AuditResult"]


class AuditResult:
    """Everything one audit found, ready to export.

    Build it with :func:`audit_scores`; read it with :meth:`to_dict` or
    :meth:`to_frame`, write it with :meth:`write_json` and :meth:`write_html`.
    """

    def __init__(self, payload: dict):
        self._payload = payload

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
