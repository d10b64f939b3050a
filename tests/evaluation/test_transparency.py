"""The draft Algorithmic Transparency Recording Standard record."""

from __future__ import annotations

from evaluation import write_transparency_record

HEADINGS = [
    "## Tier 1: Summary information",
    "### Name", "### Description", "### Website URL", "### Contact email",
    "## Tier 2: Owner and responsibility", "### Senior responsible owner",
    "## Tier 2: Description and rationale", "### Benefit", "### Alternatives considered",
    "## Tier 2: Decision-making process", "### Human decisions and review", "### Appeals and review",
    "## Tier 2: Tool specification", "### Model performance (from this audit)", "### Datasets",
    "## Tier 2: Risks, mitigations and impact assessments", "### Fairness audit",
    "### Known limitations",
]


def test_record_has_tier_1_and_tier_2_headings(audit, tmp_path):
    text = write_transparency_record(audit, tmp_path / "record.md").read_text()
    for heading in HEADINGS:
        assert heading in text, heading


def test_record_fills_what_the_run_knows_and_marks_gaps(audit, tmp_path):
    context = {"model_name": "Knife risk v2", "label_definition": "knife offence in 12 months",
               "contact_email": "data@example.org"}
    text = write_transparency_record(audit, tmp_path / "r.md", context=context).read_text()
    assert "Knife risk v2" in text and "knife offence in 12 months" in text
    assert "data@example.org" in text
    assert "[To be completed by the senior responsible owner" in text
    assert "1,500" in text
    assert "Outside tolerance:" in text
    assert "[To be completed by the data science lead: the label definition" not in text


def test_record_without_context_marks_the_label_as_a_gap(audit, tmp_path):
    text = write_transparency_record(audit, tmp_path / "r.md").read_text()
    assert "[To be completed by the data science lead: the label definition in force]" in text
