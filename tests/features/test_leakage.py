"""No leakage: records after the as-of date change no feature; the label reads only its window."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from features import build_features, build_labels, source_spans
from features._builders._sample import sample_tables

BASE = sample_tables(150, seed=1)
TEMPLATES = sample_tables(2000, seed=2)  # rows to copy: every table and most codes appear
DATED_TABLES = [name for name in BASE if name != "people"]
END_COLUMNS = {
    "cla_episodes": "dec", "cin_referrals": "closure_date", "cin_cp_plans": "cpp_end",
    "ap_placements": "leaving_date", "cla_missing": "end",
}
DATA_END = "2026-12-31"
# The youth justice extract's own end: a label test holds it fixed, since a record appended
# after it would extend the extract (and so the label cut-off), not test the window.
YJ_END = source_spans(BASE).loc["youth_justice", "end"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

as_of_dates = st.dates(min_value=pd.Timestamp("2020-01-01").date(), max_value=pd.Timestamp("2025-03-31").date())
offsets = st.lists(st.integers(min_value=1, max_value=900), min_size=8, max_size=8)


def features_of(tables, as_of):
    return build_features(tables, [as_of], data_end=DATA_END).frame.drop(columns="label")


def everything_of(tables, as_of):
    """Features and groups side by side: neither may see the future."""
    built = build_features(tables, [as_of], data_end=DATA_END)
    return pd.concat([built.frame.drop(columns="label"), built.groups.drop(columns=["person_id", "as_of"])], axis=1)


def date_columns(table):
    return [c for c in table.columns if pd.api.types.is_datetime64_any_dtype(table[c])]


def append(tables, name, row):
    out = dict(tables)
    out[name] = pd.concat([tables[name], row], ignore_index=True)
    return out


def after(as_of, days):
    return pd.Timestamp(as_of) + pd.Timedelta(days=days)


@SETTINGS
@given(as_of=as_of_dates, table=st.sampled_from(DATED_TABLES), pick=st.integers(0, 10**6),
       person=st.integers(0, 149), days=offsets)
def test_a_record_dated_after_the_as_of_date_changes_no_feature(as_of, table, pick, person, days):
    template = TEMPLATES[table]
    row = template.iloc[[pick % len(template)]].copy()
    row["person_id"] = BASE["people"]["person_id"].iloc[person]
    for column, shift in zip(date_columns(row), days):
        if row[column].notna().all():
            row[column] = after(as_of, shift)
    grown = append(BASE, table, row)
    pd.testing.assert_frame_equal(everything_of(BASE, as_of), everything_of(grown, as_of))


@SETTINGS
@given(as_of=as_of_dates, table=st.sampled_from(sorted(END_COLUMNS)), days=st.integers(1, 900),
       to_open=st.booleans())
def test_an_end_date_after_the_as_of_date_is_unknown(as_of, table, days, to_open):
    column = END_COLUMNS[table]
    changed = dict(BASE)
    frame = BASE[table].copy()
    later = frame[column].isna() | (frame[column] > pd.Timestamp(as_of))
    frame.loc[later, column] = pd.NaT if to_open else after(as_of, days)
    changed[table] = frame
    pd.testing.assert_frame_equal(features_of(BASE, as_of), features_of(changed, as_of))


@SETTINGS
@given(as_of=as_of_dates, pick=st.integers(0, 10**6), person=st.integers(0, 149),
       before=st.integers(0, 2000), late=st.integers(1, 400))
def test_an_offence_recorded_after_the_as_of_date_changes_no_feature(as_of, pick, person, before, late):
    row = TEMPLATES["yj_offences"].iloc[[pick % len(TEMPLATES["yj_offences"])]].copy()
    row["person_id"] = BASE["people"]["person_id"].iloc[person]
    row["offence_date"] = pd.Timestamp(as_of) - pd.Timedelta(days=before)
    row["recorded_date"] = after(as_of, late)
    grown = append(BASE, "yj_offences", row)
    pd.testing.assert_frame_equal(features_of(BASE, as_of), features_of(grown, as_of))


@SETTINGS
@given(as_of=as_of_dates, pick=st.integers(0, 10**6), person=st.integers(0, 149),
       horizon=st.integers(1, 24), inside=st.booleans(), days=st.integers(0, 1500))
def test_the_label_reads_only_its_window(as_of, pick, person, horizon, inside, days):
    as_of = pd.Timestamp(as_of)
    end = as_of + pd.DateOffset(months=horizon)
    # an offence on or before the as-of date, or after the end of the window
    offence = as_of - pd.Timedelta(days=days) if inside else end + pd.Timedelta(days=days + 1)
    row = TEMPLATES["yj_offences"].iloc[[pick % len(TEMPLATES["yj_offences"])]].copy()
    row["person_id"] = BASE["people"]["person_id"].iloc[person]
    row[["ho_class", "yjb_category"]] = ["10D", "WEAP"]
    row["offence_date"] = offence
    row["recorded_date"] = offence
    grown = append(BASE, "yj_offences", row)
    expected = build_labels(BASE, [as_of], horizon_months=horizon, data_end=YJ_END)
    pd.testing.assert_frame_equal(expected, build_labels(grown, [as_of], horizon_months=horizon, data_end=YJ_END))


def test_an_offence_inside_the_window_does_change_the_label():
    # the property above must be able to fail: the same kind of record inside the window counts
    as_of = pd.Timestamp("2022-03-31")
    labels = build_labels(BASE, [as_of], data_end=DATA_END)
    person = labels.loc[labels["label"] == 0, "person_id"].iloc[0]
    row = TEMPLATES["yj_offences"].iloc[[0]].copy()
    row[["person_id", "ho_class", "yjb_category"]] = [person, "10D", "WEAP"]
    row["offence_date"] = row["recorded_date"] = as_of + pd.Timedelta(days=30)
    grown = build_labels(append(BASE, "yj_offences", row), [as_of], data_end=DATA_END)
    assert grown.set_index("person_id").loc[person, "label"] == 1


@pytest.mark.parametrize("table", DATED_TABLES)
def test_a_record_dated_on_the_as_of_date_can_change_a_feature(table):
    # the feature property must be able to fail: shifting records before the date is seen
    as_of = pd.Timestamp("2023-03-31")
    shifted = dict(BASE)
    frame = TEMPLATES[table].copy()
    person = BASE["people"]["person_id"].to_numpy()
    frame["person_id"] = person[np.arange(len(frame)) % len(person)]
    for column in date_columns(frame):
        if column not in END_COLUMNS.values():
            frame[column] = as_of - pd.Timedelta(days=20)
    shifted[table] = pd.concat([BASE[table], frame], ignore_index=True)
    assert not everything_of(BASE, as_of).equals(everything_of(shifted, as_of))
