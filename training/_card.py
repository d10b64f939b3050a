"""The model card, written once as blocks and rendered to Markdown and self-contained HTML.

Both formats come from the same list of blocks, so they cannot disagree. The HTML embeds
its style and the calibration plot (base64 PNG) and loads nothing from elsewhere.
"""

from __future__ import annotations

import base64
import html

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
    """Self-contained HTML of the card (inline style, embedded image)."""
    body = []
    for kind, *content in blocks:
        if kind == "title":
            body.append(f"<h1>{_e(content[0])}</h1>")
        elif kind == "h2":
            body.append(f"<h2>{_e(content[0])}</h2>")
        elif kind == "p":
            body.append(f"<p>{_e(content[0])}</p>")
        elif kind == "note":
            body.append(f'<p class="note">{_e(content[0])}</p>')
        elif kind == "ul":
            body.append("<ul>" + "".join(f"<li>{_e(i)}</li>" for i in content[0]) + "</ul>")
        elif kind == "table":
            body.append(_html_table(*content))
        elif kind == "image":
            data = base64.b64encode(content[0]).decode("ascii")
            body.append(f'<figure><img alt="{_e(content[1])}" src="data:image/png;base64,{data}">'
                        f"<figcaption>{_e(content[1])}</figcaption></figure>")
    return _PAGE.format(title=_e(title), style=_STYLE, body="\n".join(body))


def _markdown_table(header: list, rows: list) -> str:
    lines = ["| " + " | ".join(map(str, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c).replace("|", "/") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: list, rows: list) -> str:
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _e(text) -> str:
    return html.escape(str(text), quote=True)


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; line-height: 1.5; }
h1 { font-size: 1.8rem; } h2 { font-size: 1.3rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.92rem; }
th, td { border: 1px solid #bbb; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.note { background: #fff4ce; border-left: 4px solid #b58900; padding: 0.6rem 0.9rem; font-weight: 600; }
figure { margin: 1rem 0; } img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
