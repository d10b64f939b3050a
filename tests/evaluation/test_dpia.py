"""The draft DPIA and the transparency record's route for families (synthetic audit only)."""

from __future__ import annotations

from evaluation import write_dpia_draft, write_transparency_record


def test_dpia_names_the_conditions_and_marks_what_only_the_authority_can_write(audit, tmp_path):
    text = write_dpia_draft(audit, tmp_path / "dpia_draft.md", context={"model_name": "m", "model_version": "3"}).read_text()
    for needed in ("Article 6(1)(e)", "Article 9(2)(g)", "Article 10", "Schedule 1 Part 2", "paragraph 18",
                   "paragraph 6", "Schedule 1 Part 3", "appropriate policy document", "HMAC-SHA256",
                   "Who sees what in the review service", "Retention and expiry of scores"):
        assert needed in text, needed
    assert "[To be completed by the data protection officer" in text
    assert "Youth justice service | offences, outcomes, dates | criminal offence data" in text


def test_dpia_lists_the_monitoring_alerts_when_given(audit, tmp_path):
    monitoring = {"as_of": "2024-03-31", "status": "alert",
                  "checks": [{"status": "alert", "finding": "youth_justice: no records dated 2024-03."},
                             {"status": "ok", "finding": "cin: fine."}]}
    text = write_dpia_draft(audit, tmp_path / "d.md", monitoring=monitoring).read_text()
    assert "youth_justice: no records dated 2024-03." in text
    assert "cin: fine." not in text


def test_transparency_record_gives_families_a_route_to_correction_and_rescoring(audit, tmp_path):
    text = write_transparency_record(audit, tmp_path / "t.md").read_text()
    assert "Article 15" in text and "re-scored" in text
    assert "dpia_draft.md" in text
