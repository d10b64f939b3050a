"""``mitigation.json`` and ``mitigation.html``: the options a governance panel can weigh.

The same section appears in the governance report when the mitigation results exist
(``AuditResult.write_html(..., mitigation=payload)``).
"""

from __future__ import annotations

import json
from pathlib import Path

from ._format import jsonable
from ._report import environment
from ._text import JUDGEMENT_STATEMENT

__all__ = ["write_mitigation", "render_mitigation", "read_mitigation"]


def render_mitigation(payload: dict) -> str:
    """The stand-alone mitigation page for one payload."""
    env = environment()
    return env.get_template("mitigation.html.j2").render(
        title=f"Mitigation options across {payload['attribute']}", m=payload, judgement=JUDGEMENT_STATEMENT,
        css=env.loader.get_source(env, "report.css")[0])


def write_mitigation(payload: dict, out_dir) -> dict:
    """Write ``mitigation.json`` and ``mitigation.html`` into ``out_dir``; return their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    clean = jsonable(payload)
    paths = {"json": folder / "mitigation.json", "html": folder / "mitigation.html"}
    paths["json"].write_text(json.dumps(clean, indent=2, allow_nan=False), encoding="utf-8")
    paths["html"].write_text(render_mitigation(clean), encoding="utf-8")
    return paths


def read_mitigation(path) -> dict | None:
    """A ``mitigation.json`` written by :func:`write_mitigation`, or None when there is none."""
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


