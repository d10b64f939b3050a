"""The cohort is who the authority knew of by the as-of date, aged 10 to 18; who is left out, and why."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features import UNPLACED_REASONS, build_features, cohort, cohort_status_of, known_sources, source_spans
from features._builders._known import AVAILABLE_FROM, SOURCE_TABLES
from features._builders._sample import empty_tables, make_table, sample_tables

AS_OF = "2024-03-31"
BASE = sample_tables(150, seed=1)
TEMPLATES = sample_tables(2000, seed=2)
DATED_TABLES = [name for name in BASE if name != "people"]
BASE_YJ_END = source_spans(BASE).loc["youth_justice", "end"]
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def people(*rows):
    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": pid, "birth_month": born} for pid, born in rows])
    return tables


def with_rows(tables, name, rows):
    tables = dict(tables)
    tables[name] = make_table(name, rows)
    return tables


def test_every_table_of_every_source_has_an_availability_date():
    assert sorted(t for ts in SOURCE_TABLES.values() for t in ts) == sorted(AVAILABLE_FROM)
    assert set(AVAILABLE_FROM) == {name for name in empty_tables() if name != "people"}


def test_a_person_index_row_alone_is_not_being_known():
    tables = people(("p1", "2010-01-01"))
    assert cohort(tables, AS_OF).empty
    assert cohort_status_of(tables, AS_OF)["p1"] == "not_yet_known"


@pytest.mark.parametrize(
    ("table", "row", "known_on_as_of"),
    [
        ("pupils", {"census_date": "2024-01-18"}, True),
        ("pupils", {"census_date": "2024-05-16"}, False),
        ("attendance", {"term_start": "2024-01-03", "term_end": "2024-03-28"}, True),
        ("attendance", {"term_start": "2024-01-03", "term_end": "2024-04-03"}, False),  # term not over
        ("cla_oc2", {"year_end": "2024-03-31"}, True),
        ("cla_oc2", {"year_end": "2025-03-31"}, False),  # the OC2 year has not ended
        ("yj_offences", {"offence_date": "2024-02-01", "recorded_date": "2024-04-02"}, False),  # recorded later
        ("yj_offences", {"offence_date": "2024-02-01", "recorded_date": "2024-03-01"}, True),
        ("cin_assessment_factors", {"assessment_start": "2024-01-01", "assessment_authorised": None}, False),
        ("cin_referrals", {"referral_date": "2024-03-31"}, True),
    ],
)
def test_being_known_follows_the_point_in_time_rules(table, row, known_on_as_of):
    tables = with_rows(people(("p1", "2010-01-01")), table, [{"person_id": "p1", **row}])
    assert (len(cohort(tables, AS_OF)) == 1) is known_on_as_of
    assert known_sources(tables, AS_OF).loc["p1"].any() is np.bool_(known_on_as_of)


def test_an_offence_without_a_recorded_date_is_known_from_its_first_outcome():
    tables = people(("p1", "2010-01-01"))
    tables = with_rows(tables, "yj_offences", [{"person_id": "p1", "offence_ref": "o1", "offence_date": "2024-01-05"}])
    tables = with_rows(tables, "yj_outcomes", [{"person_id": "p1", "offence_ref": "o1", "outcome_date": "2024-05-01"}])
    assert cohort(tables, AS_OF).empty
    assert len(cohort(tables, "2024-05-01")) == 1


def test_status_gives_the_true_reason_for_each_person():
    tables = people(("known", "2010-01-01"), ("later", "2010-01-01"), ("undated", None), ("young", "2018-01-01"))
    tables = with_rows(tables, "pupils", [
        {"person_id": "known", "census_date": "2023-01-19"}, {"person_id": "later", "census_date": "2025-01-16"},
        {"person_id": "undated", "census_date": "2023-01-19"}, {"person_id": "young", "census_date": "2023-01-19"},
    ])
    status = cohort_status_of(tables, AS_OF)
    assert status.to_dict() == {"known": "in_cohort", "later": "not_yet_known", "undated": "no_birth_month",
                                "young": "outside_age_range"}


def test_people_who_cannot_be_placed_are_counted_by_reason_and_date():
    tables = people(("known", "2010-01-01"), ("later", "2010-01-01"), ("undated", None))
    tables = with_rows(tables, "pupils", [
        {"person_id": "known", "census_date": "2023-01-19"}, {"person_id": "later", "census_date": "2025-01-16"},
        {"person_id": "undated", "census_date": "2023-01-19"},
    ])
    built = build_features(tables, ["2024-03-31", "2025-03-31"])
    counts = built.unplaced.set_index(["as_of", "reason"])["n"].to_dict()
    assert counts == {(pd.Timestamp("2024-03-31"), "no_birth_month"): 1, (pd.Timestamp("2024-03-31"), "not_yet_known"): 1,
                      (pd.Timestamp("2025-03-31"), "no_birth_month"): 1, (pd.Timestamp("2025-03-31"), "not_yet_known"): 0}
    assert built.unplaced_summary() == [
        "2 young person-date(s) could not be scored because no month of birth is recorded in any source, "
        "so their age on the date is unknown and they cannot be placed in the cohort; the data owner can add it.",
        "1 young person-date(s) could not be scored because no source held a record of them available by "
        "the date (their first record came later), so the authority could not have scored them then.",
    ]


def test_unplaced_counts_are_the_statuses_that_are_not_about_age():
    tables = people(("known", "2010-01-01"), ("later", "2010-01-01"), ("undated", None), ("young", "2018-01-01"),
                    ("young_later", "2018-01-01"), ("undated_later", None))
    tables = with_rows(tables, "pupils", [
        {"person_id": who, "census_date": "2023-01-19" if not who.endswith("later") else "2025-01-16"}
        for who in ("known", "later", "undated", "young", "young_later", "undated_later")
    ])
    status = cohort_status_of(tables, AS_OF).value_counts().to_dict()
    counts = build_features(tables, [AS_OF]).unplaced.set_index("reason")["n"].to_dict()
    assert counts == {reason: status.get(reason, 0) for reason in UNPLACED_REASONS}
    # "young_later" is too young whether known or not: their age keeps them out, not the records.
    assert counts == {"no_birth_month": 1, "not_yet_known": 2}
    assert cohort_status_of(tables, AS_OF).to_dict() == {
        "known": "in_cohort", "later": "not_yet_known", "undated": "no_birth_month",
        "young": "outside_age_range", "young_later": "outside_age_range", "undated_later": "not_yet_known",
    }


def test_unplaced_counts_and_dates_survive_writing_and_reading(tmp_path):
    from features import FeatureSet

    built = build_features(BASE, ["2022-03-31", "2023-03-31"])
    path, _ = built.write(tmp_path / "f.parquet")
    back = FeatureSet.read(path)
    pd.testing.assert_frame_equal(back.unplaced, built.unplaced)
    assert back.dates == built.dates and back.unplaced_summary() == built.unplaced_summary()


def test_known_sources_read_the_as_of_view_not_all_time():
    tables = people(("p1", "2010-01-01"))
    tables = with_rows(tables, "pupils", [{"person_id": "p1", "census_date": "2023-01-19"}])
    tables = with_rows(tables, "yj_offences", [
        {"person_id": "p1", "offence_ref": "o1", "offence_date": "2024-06-01", "recorded_date": "2024-06-02"}])
    assert not known_sources(tables, AS_OF).loc["p1", "youth_justice"]
    assert known_sources(tables, "2024-06-30").loc["p1", "youth_justice"]
    assert known_sources(tables, AS_OF).loc["p1", "school_census"]


def newcomer_rows(as_of, tables, picks, days):
    """Rows copied from the templates for a new person, every date moved after ``as_of``."""
    rows = {}
    for table, pick in zip(tables, picks):
        row = TEMPLATES[table].iloc[[pick % len(TEMPLATES[table])]].copy()
        row["person_id"] = "newcomer"
        for column in [c for c in row.columns if pd.api.types.is_datetime64_any_dtype(row[c])]:
            if row[column].notna().all():
                row[column] = pd.Timestamp(as_of) + pd.Timedelta(days=days)
        rows[table] = row
    return rows


def with_newcomer(as_of, rows, age_months):
    born = (pd.Timestamp(as_of) - pd.DateOffset(months=age_months)).replace(day=1)
    person = BASE["people"].iloc[[0]].copy()
    person["person_id"], person["birth_month"], person["sources"] = "newcomer", born, ";".join(sorted(rows))
    grown = {**BASE, "people": pd.concat([BASE["people"], person], ignore_index=True)}
    for table, row in rows.items():
        grown[table] = pd.concat([BASE[table], row], ignore_index=True)
    return grown


@SETTINGS
@given(as_of=st.dates(min_value=pd.Timestamp("2020-01-01").date(), max_value=pd.Timestamp("2023-06-30").date()),
       tables=st.lists(st.sampled_from(DATED_TABLES), min_size=1, max_size=3, unique=True),
       picks=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
       days=st.integers(1, 400), age_months=st.integers(120, 227))
def test_a_new_person_known_only_after_the_as_of_date_changes_nothing_on_it(as_of, tables, picks, days, age_months):
    rows = newcomer_rows(as_of, tables, picks, days)
    grown = with_newcomer(as_of, rows, age_months)
    before = build_features(BASE, [as_of], data_end=BASE_YJ_END)
    after = build_features(grown, [as_of], data_end=BASE_YJ_END)
    pd.testing.assert_frame_equal(before.frame, after.frame)  # cohort, features and labels
    pd.testing.assert_frame_equal(before.groups, after.groups)
    pd.testing.assert_frame_equal(cohort(BASE, as_of), cohort(grown, as_of))
    added = after.unplaced.set_index("reason")["n"] - before.unplaced.set_index("reason")["n"]
    assert added.to_dict() == {"no_birth_month": 0, "not_yet_known": 1}


def test_validation_counts_young_people_without_a_month_of_birth():
    from features import ValidationReport

    report = ValidationReport()
    ids = ["id-one", "id-two", "id-three"]
    report.count_people(pd.DataFrame({"person_id": ids, "birth_month": ["2010-01-01", None, pd.NaT]}))
    written = report.to_dict()
    assert written["people"] == {"people": 3, "no_birth_month": 2}
    assert written["notes"][0].startswith("2 young people have no month of birth in any source")
    assert not any(pid in written["notes"][0] for pid in ids)


def test_the_summary_says_so_when_nobody_was_left_out():
    tables = with_rows(people(("p1", "2010-01-01")), "pupils", [{"person_id": "p1", "census_date": "2023-01-19"}])
    summary = build_features(tables, [AS_OF]).unplaced_summary()
    assert [line.split(" because ")[0] for line in summary] == ["0 young person-date(s) could not be scored"] * 2
