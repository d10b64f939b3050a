"""Case pages for front-line staff: one young person's explained score, and the index of cases.

Pages are self-contained HTML (inline style, an inline SVG chart with a table twin, no
scripts, no external assets; a content security policy forbids anything else), readable
with a screen reader and printable. The same content renders as plain text for the
terminal. The only identifier on a page is the pseudonym.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from features import private_folder, write_private_text

from ._bands import band_evidence_texts
from ._model import POSITIONS
from ._reasons import format_date

DECIDES_NOTHING = "This score supports a professional's judgement and decides nothing."
DEFAULT_OUTCOME = "were recorded as the offender in a knife offence within a year"
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, ROW_HEIGHT, TOP = 720, 190, 20, 30, 10
RAISES_COLOUR, LOWERS_COLOUR = "#9e1c14", "#1f4e8c"


@dataclass(frozen=True)
class Case:
    """What one case page shows: the person's score row and explanation rows.

    Parameters
    ----------
    score : dict
        One row of the scores table (``person_id, probability, score, band, rank,
        base_logodds, model_logodds, missing_sources``...).
    rows : DataFrame
        The person's rows of the explanations table.
    base_probability : float
        Calibrated probability at the base log-odds.
    """

    score: dict
    rows: pd.DataFrame
    base_probability: float


def case_context(case: Case, model, as_of, *, index_href: str | None = None) -> dict:
    """Everything the case page template and the text rendering need, as plain values."""
    score, rows = case.score, case.rows
    probability = float(score["probability"])
    concepts = [_row_view(r) for r in _records(rows)]
    label = _label(model)
    return {
        "person_id": score["person_id"],
        "as_of": format_date(as_of),
        "position": int(score["score"]),
        "positions": POSITIONS,
        "band": str(score["band"]),
        "probability_text": percent(probability),
        "probability_points": f"{probability * 100:.2f}",
        "base_probability_text": percent(case.base_probability),
        "base_probability_points": f"{case.base_probability * 100:.2f}",
        "base_logodds": f"{float(score['base_logodds']):+.3f}",
        "model_logodds": f"{float(score['model_logodds']):+.3f}",
        "score_words": score_in_words(int(score["score"]), str(score["band"]), _top_band(model)),
        "frequency_text": natural_frequency(probability, outcome_phrase(label)),
        "band_evidence": band_evidence_texts(model.metadata, outcome_phrase(label)),
        "raises": [c for c in concepts if c["direction"] == "raises"],
        "lowers": [c for c in concepts if c["direction"] == "lowers"],
        "table_rows": concepts,
        "missing": [m for m in str(score.get("missing_sources") or "").split("; ") if m],
        "chart": chart(rows, case.base_probability),
        "label": label,
        "model_name": model.metadata.get("name", "unnamed model"),
        "model_version": model.metadata.get("version", "unregistered"),
        "run_id": model.metadata.get("run_id"),
        "model_data": _model_data(model.metadata),
        "index_href": index_href,
    }


def write_case_page(path: Path, context: dict) -> Path:
    """Render ``context`` with the case page template to ``path``."""
    path = Path(path)
    private_folder(path.parent)
    return write_private_text(path, _template("case_page.html.j2").render(**context))


def write_case_contents(path: Path, contexts: list[dict]) -> Path:
    """Write each case's content (:func:`case_context`) as one JSON object a line, owner-only.

    The review service imports this file and renders the same content the case pages show.
    """
    lines = (json.dumps({k: v for k, v in c.items() if k != "index_href"}, default=str) for c in contexts)
    return write_private_text(Path(path), "".join(f"{line}\n" for line in lines))


def write_batch_description(path: Path, model, as_of, *, n_scored: int, n_cases: int) -> Path:
    """Write ``batch.json``: what a scoring batch is, for the review service to import, owner-only."""
    label = _label(model)
    description = {
        "format": "riskmodel-score-batch", "format_version": 1,
        "model_name": model.metadata.get("name", "unnamed model"),
        "model_version": str(model.metadata.get("version", "unregistered")),
        "run_id": model.metadata.get("run_id") or "",
        "label": {"name": label["name"], "version": str(label["version"]), "description": label["description"]},
        "data_date": pd.Timestamp(as_of).date().isoformat(),
        "top_band": _top_band(model), "band_thresholds": model.band_thresholds,
        "n_scored": int(n_scored), "n_cases": int(n_cases),
    }
    return write_private_text(Path(path), json.dumps(description, indent=2, default=str) + "\n")


def write_index(path: Path, scores: pd.DataFrame, model, as_of, *, n_scored: int, n_extra: int = 0) -> Path:
    """Write the index of case pages, listing ``scores`` rows by rank with links."""
    cases = [
        {"rank": int(r["rank"]), "person_id": r["person_id"], "href": f"cases/{r['person_id']}.html",
         "score": int(r["score"]), "band": r["band"], "probability": percent(float(r["probability"])),
         "reasons": r["top_reasons"]}
        for r in scores.sort_values("rank").to_dict("records")
    ]
    html = _template("index.html.j2").render(
        as_of=format_date(as_of), cases=cases, n_scored=n_scored, n_top=len(cases) - n_extra,
        n_extra=n_extra, top_band=_top_band(model), label=_label(model),
        model_name=model.metadata.get("name", "unnamed model"),
        model_version=model.metadata.get("version", "unregistered"),
    )
    return write_private_text(path, html)


def case_text(context: dict) -> str:
    """The case page as plain text for a terminal."""
    lines = [
        f"Young person {context['person_id']} (pseudonym), records as of {context['as_of']}",
        f"Score: position {context['position']} of {POSITIONS}, band '{context['band']}', "
        f"estimated chance {context['probability_text']}.",
        context["score_words"],
        context["frequency_text"],
        *[f"  {row['text']}" for row in context["band_evidence"]],
        "",
        "What raises the score:",
        *_text_items(context["raises"], "nothing above the starting point"),
        "What lowers the score:",
        *_text_items(context["lowers"], "nothing below the starting point"),
        "Sources with no record for this young person:",
        *([f"  - {m}" for m in context["missing"]] or ["  - none: every source holds a record"]),
        "",
        f"Model {context['model_name']}, version {context['model_version']}; data as of {context['as_of']}.",
        f"What is predicted: {context['label']['description']}",
        DECIDES_NOTHING,
    ]
    return "\n".join(lines)


def percent(probability: float) -> str:
    """A probability as a percentage with sensible precision: ``6.1%``, ``0.42%``.

    Examples
    --------
    >>> percent(0.0614), percent(0.0042), percent(0.00004)
    ('6.1%', '0.42%', 'under 0.01%')
    """
    value = probability * 100
    if value < 0.01:
        return "under 0.01%"
    return f"{value:.1f}%" if value >= 1 else f"{value:.2f}%"


def natural_frequency(probability: float, outcome: str = DEFAULT_OUTCOME) -> str:
    """The probability as a count out of 100 (or 1,000 or 10,000 when it is small).

    Examples
    --------
    >>> natural_frequency(0.07)
    'Of 100 young people with scores like this, about 7 were recorded as the offender in a knife offence within a year, and about 93 were not.'
    >>> natural_frequency(0.004)
    'Of 1,000 young people with scores like this, about 4 were recorded as the offender in a knife offence within a year, and about 996 were not.'
    """
    for denominator in (100, 1_000, 10_000):
        count = round(probability * denominator)
        if count >= 1:
            break
    else:
        return f"Fewer than 1 in 10,000 young people with scores like this {outcome}."
    return (f"Of {denominator:,} young people with scores like this, about {count:,} {outcome}, "
            f"and about {denominator - count:,} were not.")


def score_in_words(position: int, band: str, top_band: str) -> str:
    """The 1-20 position and the band in a sentence.

    Examples
    --------
    >>> score_in_words(18, "high", "high")
    "Position 18 of 20: higher than at least 85% of the scores in the model's reference group of young people (scored from earlier records). It is in the 'high' band, the highest band."
    """
    group = "the scores in the model's reference group of young people (scored from earlier records)"
    step = 100 / POSITIONS
    if position <= 1:
        where = f"among the lowest {step:g}% of {group}"
    else:
        where = f"higher than at least {step * (position - 1):g}% of {group}"
    band_note = ", the highest band" if band == top_band else ""
    return f"Position {position} of {POSITIONS}: {where}. It is in the '{band}' band{band_note}."


def points(contribution: float) -> str:
    """A probability-scale contribution in signed percentage points."""
    value = contribution * 100
    if abs(value) < 0.005:
        return "less than 0.01 percentage points"
    digits = 1 if abs(value) >= 0.1 else 2
    return f"{value:+.{digits}f} percentage points"


def chart(rows: pd.DataFrame, base_probability: float) -> dict:
    """Geometry of a diverging bar chart of each concept's contribution (inline SVG)."""
    values = rows["contribution"].to_numpy(dtype=float) * 100
    scale_max = max(float(np.abs(values).max(initial=0.0)), 1e-9)
    half = (CHART_WIDTH - LABEL_WIDTH - 120) / 2
    axis_x = LABEL_WIDTH + 60 + half
    bars = [_bar(i, concept, value, axis_x, half / scale_max)
            for i, (concept, value) in enumerate(zip(rows["concept"], values))]
    bottom = TOP + ROW_HEIGHT * max(len(bars), 1)
    return {
        "width": CHART_WIDTH, "height": bottom + 28, "top": TOP, "bottom": bottom,
        "axis_x": round(axis_x, 1), "label_x": LABEL_WIDTH, "bar_height": BAR_HEIGHT, "bars": bars,
        "title": "Each area's effect on the estimate, in percentage points",
        "description": "; ".join(f"{b['label']}: {b['value']}" for b in bars)
        + f". Starting point {percent(base_probability)}.",
    }


def _bar(i: int, concept: str, value: float, axis_x: float, per_point: float) -> dict:
    length = max(abs(value) * per_point, 1.0)
    raises = value > 0
    x = axis_x if raises else axis_x - length
    return {
        "label": _upper_first(concept), "value": _signed_points(value), "colour": RAISES_COLOUR if raises else LOWERS_COLOUR,
        "x": round(x, 1), "y": TOP + i * ROW_HEIGHT + 4, "width": round(length, 1),
        "text_y": TOP + i * ROW_HEIGHT + 4 + BAR_HEIGHT - 5,
        "value_x": round(x + length + 6 if raises else x - 6, 1), "anchor": "start" if raises else "end",
    }


def _signed_points(value: float) -> str:
    """Percentage points with a sign and two decimals; ``"<0.01"`` for smaller effects."""
    return f"{value:+.2f}" if abs(value) >= 0.005 else "<0.01"


def _records(rows: pd.DataFrame) -> list[dict]:
    """``rows.to_dict("records")``, column by column (far quicker on a few rows)."""
    columns = list(rows.columns)
    return [dict(zip(columns, values)) for values in zip(*(rows[c].tolist() for c in columns))]


def _row_view(row: dict) -> dict:
    return {
        "concept": row["concept"], "direction": row["direction"], "statement": row["statement"],
        "evidence": row["evidence"], "contribution_text": points(row["contribution"]),
        "points": _signed_points(row["contribution"] * 100), "shap": f"{row['shap_logodds']:+.3f}",
    }


def _text_items(items: list[dict], empty: str) -> list[str]:
    if not items:
        return [f"  - {empty}"]
    out = []
    for item in items:
        out.append(f"  - {item['concept']} ({item['contribution_text']}): {item['statement']}")
        if item["evidence"]:
            out.append(f"      records: {item['evidence']}")
    return out


def outcome_phrase(label: dict) -> str:
    """What the label counts, as recorded, to end a sentence: ``"were recorded as the offender ... within a year"``."""
    months = int(label.get("horizon_months") or 12)
    within = "within a year" if months == 12 else f"within {months} months"
    return f"were recorded as the offender in a knife offence {within}"


def _label(model) -> dict:
    label = model.label_definition.to_dict()
    label.setdefault("name", "unnamed")
    label.setdefault("version", "unversioned")
    label.setdefault("description", "No label description was stored with this model.")
    months = label.get("horizon_months")
    if months and "month" not in label["description"]:
        label["description"] = f"{label['description'].rstrip('.')}, in the {months} months after the as-of date."
    return label


def _top_band(model) -> str:
    return max(model.band_thresholds.items(), key=lambda item: item[1])[0]


def _model_data(metadata: dict) -> str:
    """The periods the model learned from, in words, from its split dates."""
    split = metadata.get("split") or {}
    parts = []
    for period, words in (("train", "trained on records as of"), ("validation", "calibrated on records as of"),
                          ("test", "tested on records as of")):
        dates = split.get(f"{period}_dates") or []
        if dates:
            parts.append(f"{words} {format_date(dates[0])} to {format_date(dates[-1])}")
    if not parts and metadata.get("data_end"):
        parts.append(f"records up to {format_date(metadata['data_end'])}")
    return "; ".join(parts)


CASE_TEMPLATES = Path(__file__).parent / "templates"
CASE_CONTENT_TEMPLATE = "_case_content.html.j2"


def case_filters() -> dict:
    """The Jinja2 filters the case content template uses, for another environment rendering it."""
    return {"ucfirst": _upper_first}


def case_stylesheet() -> str:
    """The case pages' style sheet, for a service that serves it as a file."""
    return (CASE_TEMPLATES / "_style.css.j2").read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def _template(name: str) -> jinja2.Template:
    return _environment().get_template(name)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(CASE_TEMPLATES),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters.update(case_filters())
    return environment


def _upper_first(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]
