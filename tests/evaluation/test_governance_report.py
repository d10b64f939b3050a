"""The HTML report and the comparison page: self-contained, complete, accessible."""

from __future__ import annotations

import re

import pytest

from evaluation import audit_scores, compare_audits_html

SECTIONS = [
    "Summary verdict", "How to read this report", "Base rates beside error rates",
    "Error rates by group", "Figures and verdicts by group", "Intersections",
    "Calibration by group", "Capacity planning", "Model alone and with practitioners",
    "Withheld figures", "Settings",
]
CONTEXT = {"title": "Knife-crime model audit", "model_name": "riskmodel", "model_version": "3",
           "label_definition": "knife offence within 12 months", "data_dates": "2022-04 to 2024-03"}


@pytest.fixture(scope="module")
def report(audit, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    audit.write_html(path, context=CONTEXT)
    return path


def test_report_has_every_section_and_the_context(report):
    html = report.read_text()
    for heading in SECTIONS:
        assert heading in html, heading
    for value in CONTEXT.values():
        assert value in html
    assert "decide anything" in html
    assert "reflect policing as well as behaviour" in html.replace("Recorded offences reflect policing (where and whom the police stop, search and charge) as well as behaviour", "reflect policing as well as behaviour")


def test_report_is_self_contained(report):
    html = report.read_text()
    assert 'src="http' not in html
    assert "<script" not in html
    assert '<link rel="stylesheet"' not in html
    assert re.search(r"@media print", html)


def test_report_is_accessible(report):
    html = report.read_text()
    assert '<html lang="en-GB">' in html
    assert html.count("<table>") == html.count("<caption>")
    svgs = re.findall(r"<svg[^>]*>", html)
    assert svgs and all('role="img"' in s and "aria-label=" in s for s in svgs)


def test_report_explains_which_metrics_matter(report):
    html = report.read_text()
    assert "voluntary support" in html and "punitive" in html
    assert "insufficient evidence" in html


def test_report_without_a_score_or_decision(scores, tmp_path):
    result = audit_scores(scores["outcome"], y_pred=scores["flag"],
                          sensitive_features=scores["sex"], n_boot=20)
    html = result.write_html(tmp_path / "r.html").read_text()
    assert "Capacity planning needs a score" in html
    assert "Model alone and with practitioners" not in html
    assert "Only one group column" in html


def test_comparison_page_shows_audits_side_by_side(audit, scores, tmp_path):
    other = audit_scores((scores["score"] > 0.5).astype(int), y_score=scores["score"],
                         threshold=0.3, sensitive_features=scores[["sex", "ethnicity"]], n_boot=20)
    path = compare_audits_html({"recorded outcome": audit, "true outcome": other},
                               tmp_path / "compare.html", note="Same flags, two outcomes.")
    html = path.read_text()
    assert "recorded outcome" in html and "true outcome" in html
    assert "Same flags, two outcomes." in html
    assert 'src="http' not in html and "<script" not in html


def test_comparison_needs_two_audits(audit, tmp_path):
    from evaluation import AuditInputError

    with pytest.raises(AuditInputError, match="at least two named audits"):
        compare_audits_html({"only": audit}, tmp_path / "c.html")


@pytest.mark.browser
def test_report_renders_in_chromium_without_errors(report, render_page):
    page = render_page(report)
    assert page.console_errors == []
    assert page.external_requests == [] and page.failed_requests == []
    assert page.title == CONTEXT["title"]
    assert page.charts >= 4


@pytest.mark.browser
def test_comparison_page_renders_in_chromium_without_errors(audit, scores, tmp_path, render_page):
    other = audit_scores(scores["outcome"], y_score=scores["score"], top_k=200,
                         sensitive_features=scores[["sex", "ethnicity"]], n_boot=20)
    path = compare_audits_html({"threshold": audit, "top 200": other}, tmp_path / "cmp.html")
    page = render_page(path)
    assert page.console_errors == [] and page.external_requests == []
    assert page.charts >= 2
