"""Case pages: content, accessibility, self-containment, and rendering in a real browser."""

import re

import pandas as pd
import pytest

from riskmodel._case_page import (
    Case,
    case_context,
    case_text,
    natural_frequency,
    outcome_phrase,
    percent,
    points,
    score_in_words,
    write_case_page,
)

AS_OF = "2024-03-31"


@pytest.mark.parametrize(
    ("probability", "expected"),
    [
        (0.07, "Of 100 young people with scores like this, about 7 were"),
        (0.5, "Of 100 young people with scores like this, about 50 were"),
        (0.004, "Of 1,000 young people with scores like this, about 4 were"),
        (0.0004, "Of 10,000 young people with scores like this, about 4 were"),
        (0.00001, "Fewer than 1 in 10,000 young people with scores like this were"),
    ],
)
def test_natural_frequencies_use_a_denominator_that_gives_a_whole_count(probability, expected):
    assert natural_frequency(probability).startswith(expected)


@pytest.mark.parametrize(("months", "phrase"), [(12, "within a year"), (6, "within 6 months"), (None, "within a year")])
def test_the_outcome_phrase_follows_the_label_horizon(months, phrase):
    assert outcome_phrase({"horizon_months": months}).endswith(phrase)


@pytest.mark.parametrize(("p", "text"), [(0.0614, "6.1%"), (0.0042, "0.42%"), (0.00004, "under 0.01%"), (1.0, "100.0%")])
def test_percent(p, text):
    assert percent(p) == text


@pytest.mark.parametrize(("c", "text"), [(0.0123, "+1.2 percentage points"), (-0.0004, "-0.04 percentage points"),
                                         (0.00001, "less than 0.01 percentage points")])
def test_points(c, text):
    assert points(c) == text


@pytest.mark.parametrize(
    ("position", "band", "expected"),
    [(1, "low", "among the lowest 5%"), (20, "high", "at least 95%"), (11, "raised", "at least 50%")],
)
def test_score_in_words(position, band, expected):
    words = score_in_words(position, band, "high")
    assert expected in words
    assert ("the highest band" in words) is (band == "high")


def _page(scored, rank=1):
    result, out = scored
    pid = result.scores.loc[result.scores["rank"] == rank, "person_id"].iloc[0]
    return pid, (out / "cases" / f"{pid}.html").read_text(encoding="utf-8"), result


def test_a_case_page_says_what_front_line_staff_need(scored, real_model):
    pid, html, result = _page(scored)
    row = result.scores.iloc[0]
    for needed in (
        "decides nothing", "What raises the score", "What lowers the score",
        "Sources with no record for this young person", f"{row['score']} of 20", row["band"],
        natural_frequency(row["probability"]), real_model.label_definition.description[:60],
        "version 2", "31 March 2024", pid,
    ):
        assert needed in html, needed


def test_a_case_page_is_self_contained_and_accessible(scored):
    _, html, _ = _page(scored)
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert '<html lang="en-GB">' in html
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"', html)
    assert '<title id="chart-title">' in html and "<desc id=\"chart-desc\">" in html
    assert "<caption>" in html and 'scope="col"' in html
    assert html.count("<h1") == 1 and html.count("<h2") >= 5
    assert "@media print" in html


def test_a_case_page_names_no_one_but_its_own_pseudonym(scored):
    pid, html, _ = _page(scored)
    assert set(re.findall(r"\b[0-9a-f]{16}\b", html)) == {pid}


def test_the_chart_table_and_lists_carry_the_same_figures(scored):
    pid, html, result = _page(scored)
    rows = result.explanations.loc[result.explanations["person_id"] == pid]
    for value in rows["contribution"]:
        assert (f"{value * 100:+.2f}" if abs(value) >= 0.00005 else "&lt;0.01") in html


def test_the_index_links_every_case_page(scored):
    result, out = scored
    index = result.index_path.read_text(encoding="utf-8")
    for page in result.case_pages:
        assert f'href="cases/{page.name}"' in index
    assert "decides nothing" in index


def test_text_from_the_records_is_escaped(real_model):
    rows = pd.DataFrame({
        "person_id": ["00000000000000aa"], "concept": ["youth justice"], "shap_logodds": [0.5],
        "contribution": [0.01], "direction": ["raises"], "statement": ["<script>alert(1)</script>"],
        "evidence": ["<b>ref</b>"],
    })
    score = {"person_id": "00000000000000aa", "probability": 0.02, "score": 12, "band": "raised",
             "base_logodds": -4.0, "model_logodds": -3.5, "missing_sources": ""}
    context = case_context(Case(score=score, rows=rows, base_probability=0.01), real_model, AS_OF)
    html = write_case_page_to_string(context)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>ref</b>" not in html
    assert "Every source holds at least one record" in html
    assert "youth justice (+1.0 percentage points): <script>" in case_text(context)


def write_case_page_to_string(context, tmp=None):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        return write_case_page(Path(folder) / "page.html", context).read_text(encoding="utf-8")


@pytest.mark.browser
def test_case_page_and_index_render_in_a_browser_without_errors(scored, render_page):
    result, _ = scored
    for path in (result.case_pages[0], result.index_path):
        page = render_page(path)
        assert page.console_errors == []
        assert page.failed_requests == []
        assert page.external_requests == []
        assert page.broken_images == 0
    assert render_page(result.case_pages[0]).charts >= 1


def test_the_page_states_the_periods_the_model_learned_from(real_model):
    from riskmodel._case_page import _model_data

    split = {"train_dates": ["2019-03-31", "2021-12-31"], "validation_dates": ["2023-03-31"],
             "test_dates": ["2024-03-31", "2024-06-30"]}
    text = _model_data({"split": split})
    assert text == ("trained on records as of 31 March 2019 to 31 December 2021; calibrated on records as of "
                    "31 March 2023 to 31 March 2023; tested on records as of 31 March 2024 to 30 June 2024")
    assert _model_data({"data_end": "2024-12-31"}) == "records up to 31 December 2024"
    assert _model_data({}) == ""


def test_the_natural_frequency_says_what_was_recorded_and_how_many_were_not():
    text = natural_frequency(0.07)
    assert text == ("Of 100 young people with scores like this, about 7 were recorded as the offender in a knife "
                    "offence within a year, and about 93 were not.")


def test_each_band_shows_its_evidence_from_the_test_period():
    from riskmodel._bands import band_evidence_texts

    metadata = {"split": {"test_dates": ["2024-03-31", "2024-06-30"]},
                "band_evidence": [{"band": "high", "from_probability": 0.05, "n": 400, "recorded": 31},
                                  {"band": "low", "from_probability": 0.0, "n": 9000, "recorded": 4}]}
    texts = [row["text"] for row in band_evidence_texts(metadata, "were recorded")]
    assert texts[0] == ("'high' (estimated chance 5% or more): of 400 young people in this band in the test period "
                        "(records as of 31 March 2024 to 30 June 2024), 31 (7.8%) were recorded.")
    assert "fewer than 10 were recorded" in texts[1]  # a small count is not shown exactly
    assert band_evidence_texts({}, "were recorded") == []


def test_analyst_detail_is_in_a_collapsed_section(scored):
    result, _ = scored
    html = result.case_pages[0].read_text(encoding="utf-8")
    details = html[html.index("<details"):html.index("</details>")]
    assert "Log-odds" in details and "tree SHAP" in details
    assert "Log-odds" not in html.replace(details, "")
