"""The model card, written once as blocks and rendered to Markdown and self-contained HTML.

Both formats come from the same list of blocks, so they cannot disagree. The HTML comes
from the Jinja template ``templates/model_card.html.j2`` (autoescaped, like the audit report
and the case pages); it embeds its style and the calibration plot (base64 PNG) and loads
nothing from elsewhere.
"""

from __future__ import annotations

import base64
from functools import lru_cache

import jinja2

from ._card_content import card_blocks

__all__ = ["render_markdown", "render_html", "card_blocks"]


def render_markdown(blocks: list) -> str:
    """Markdown text of the card."""
    out = []
    for kind, *content in blocks:
        if kind == "title":
            out.append(f"# {content[0]}")
        elif kind == "h2":
            out.append(f"## {content[0]}")
        elif kind == "p":
            out.append(content[0])
        elif kind == "note":
            out.append(f"> **{content[0]}**")
        elif kind == "ul":
            out.append("\n".join(f"- {item}" for item in content[0]))
        elif kind == "table":
            out.append(_markdown_table(*content))
        elif kind == "image":
            out.append(f"![{content[1]}]({content[2]})")
    return "\n\n".join(out) + "\n"


def render_html(blocks: list, *, title: str) -> str:
    """Self-contained HTML of the card (inline style, embedded image), every text escaped."""
    return _environment().get_template("model_card.html.j2").render(title=title, blocks=blocks)


def _markdown_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("training", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    environment.filters["base64"] = lambda data: base64.b64encode(data).decode("ascii")
    return environment
