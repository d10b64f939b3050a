"""Card rendering: Markdown and HTML from the same blocks, escaped, self-contained."""

from __future__ import annotations

from training._card import render_html, render_markdown

BLOCKS = [
    ("title", "Model card: test"),
    ("note", "Scores never decide anything."),
    ("h2", "Features"),
    ("p", "A <script>alert(1)</script> & more"),
    ("ul", ["one", "two | three"]),
    ("table", ["a", "b"], [["1", "x|y"], ["2", "<b>"]]),
    ("image", b"\x89PNG fake", "The plot", "plot.png"),
]


def test_markdown_has_every_block():
    text = render_markdown(BLOCKS)
    assert text.startswith("# Model card: test")
    assert "> **Scores never decide anything.**" in text and "## Features" in text
    assert "| 1 | x/y |" in text and "- two | three" in text and "![The plot](plot.png)" in text


def test_html_escapes_text_and_embeds_the_image():
    page = render_html(BLOCKS, title="Card <1>")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<td>&lt;b&gt;</td>" in page and "<title>Card &lt;1&gt;</title>" in page
    assert 'src="data:image/png;base64,iVBOR' in page
    assert 'lang="en-GB"' in page and "http" not in page.split("<body>")[1]


def test_html_comes_from_the_template_with_one_element_per_block():
    page = render_html(BLOCKS + [("image", b"png", 'A "quoted" caption', "q.png")], title="t")
    assert page.count("<h1>") == 1 and page.count("<h2>") == 1 and page.count('<p class="note">') == 1
    assert page.count("<li>") == 2 and page.count("<tr>") == 3 and page.count("<figure>") == 2
    assert 'alt="A &#34;quoted&#34; caption"' in page and "border-collapse" in page.split("</style>")[0]
