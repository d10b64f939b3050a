"""Issue 10's example, end to end on a synthetic authority's extracts.

Adding one offence of class 8M (racially or religiously aggravated harassment) with no
knife flag must not make anyone a knife-involvement case; adding one of class 3B
(threats to kill) flagged as involving a knife must count, and must not be quarantined.
"""

from __future__ import annotations

import csv
import shutil
import warnings

import pandas as pd
import pytest

import features

KEY = b"regression-key-0123456789abcdef!"
OFFENCES = "youth_justice/offences.csv"


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    folder = tmp_path_factory.mktemp("authority")
    features.synthesize(folder, n_young_people=600, seed=11)
    return folder


@pytest.fixture(scope="module")
def before(authority):
    extracts = _load(authority)
    offences = extracts.tables["yj_offences"]
    end = max(pd.to_datetime(t[c]).max() for t in extracts.tables.values() for c in t.columns
              if str(t[c].dtype).startswith("datetime"))
    as_of = (end - pd.DateOffset(months=18)).normalize()
    labels = _labels(extracts, as_of)
    zero = set(labels.index[labels == 0])
    row = offences.loc[offences["person_id"].isin(zero), ["person_id", "record_ref"]].iloc[0]
    return {"extracts": extracts, "as_of": as_of, "labels": labels, "person_id": row["person_id"],
            "row": int(row["record_ref"].rsplit(" ", 1)[1])}


def _load(folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return features.load_extracts(folder, key=KEY)


def _labels(extracts, as_of, label=features.KNIFE_INVOLVEMENT):
    frame = features.build_labels(extracts.tables, [as_of], label=label)
    return frame.set_index("person_id")["label"]


def _with_one_more_offence(authority, tmp_path, before, ho_class, category, knife_flag):
    folder = tmp_path / "with-offence"
    shutil.copytree(authority, folder)
    with open(folder / OFFENCES, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    person = rows[before["row"] - 1]
    when = before["as_of"] + pd.Timedelta(days=60)
    added = {**person, "OffenceID": "REGRESSION-1", "OffenceDate": when.strftime("%d/%m/%Y"),
             "RecordedDate": (when + pd.Timedelta(days=7)).strftime("%d/%m/%Y"), "HOClass": ho_class,
             "HOCode": "", "OffenceDescription": "added for the regression test", "YJBCategory": category,
             "KnifeFlag": knife_flag, "Gravity": "5"}
    with open(folder / OFFENCES, "a", newline="", encoding="utf-8") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0])).writerow(added)
    return _load(folder)


def test_an_8m_harassment_offence_without_a_knife_flag_makes_nobody_a_knife_case(authority, tmp_path, before):
    after = _with_one_more_offence(authority, tmp_path, before, "8M", "VAP", "N")
    assert after.report.n_quarantined == before["extracts"].report.n_quarantined
    labels = _labels(after, before["as_of"])
    pd.testing.assert_series_equal(labels, before["labels"])
    # the superseded version 1 made exactly this mistake
    v1 = _labels(after, before["as_of"], features.KNIFE_INVOLVEMENT_V1)
    assert v1[before["person_id"]] == 1


def test_a_knife_flagged_threat_to_kill_counts_and_is_kept(authority, tmp_path, before):
    after = _with_one_more_offence(authority, tmp_path, before, "3B", "VAP", "Y")
    offences = [t for t in after.report.tables if t["table"] == "youth_justice_offences"][0]
    assert offences["rows_quarantined"] == 0
    labels = _labels(after, before["as_of"])
    assert labels[before["person_id"]] == 1
    changed = labels.index[labels != before["labels"]]
    assert list(changed) == [before["person_id"]]


def test_an_unlisted_class_still_counts_by_its_knife_flag(authority, tmp_path, before):
    after = _with_one_more_offence(authority, tmp_path, before, "105A", "VAP", "Y")
    offences = [t for t in after.report.tables if t["table"] == "youth_justice_offences"][0]
    assert offences["rows_quarantined"] == 0
    assert any(w["column"] == "HOClass" for w in offences["warnings"])
    assert _labels(after, before["as_of"])[before["person_id"]] == 1
