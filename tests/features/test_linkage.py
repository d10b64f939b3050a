"""Linking source ids to people through the person index, UPN, or the id alone."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from _extract_fixtures import FILES, UPN1, UPN2, write_extracts

import features
from features._linkage import PersonLinker
from features._pseudonym import Pseudonymiser

INDEX = pd.DataFrame({
    "PERSON_REF": ["P1", "P2"], "LA_CHILD_ID": ["C1", None], "UPN": [UPN1, UPN2],
    "YJ_ID": [None, "Y2"], "NCCIS_ID": ["N1", None],
})
KEY = hashlib.sha256(b"linkage test key").digest()


@pytest.fixture
def linker():
    return PersonLinker(INDEX, Pseudonymiser(KEY))


def link_keys(linker, ids, namespace, *, upns=None) -> pd.Series:
    """The raw linked master key of each id, before pseudonymisation (the library never exposes it)."""
    codes, keys = linker._unique_keys(ids, namespace, upns)
    return pd.Series(keys.array.take(codes, allow_fill=True), index=ids.index)


@pytest.mark.parametrize(("namespace", "source_id", "expected"), [
    ("la", "C1", "ref:P1"), ("upn", UPN1, "ref:P1"), ("nccis", "N1", "ref:P1"),
    ("yj", "Y2", "ref:P2"), ("upn", UPN2, "ref:P2"),
    ("la", "C9", "la:C9"), ("yj", "Y9", "yj:Y9"), ("upn", "Z000000000009", "upn:Z000000000009"),
])
def test_ids_resolve_through_the_index_or_stand_alone(linker, namespace, source_id, expected):
    assert link_keys(linker, pd.Series([source_id]), namespace).item() == expected


def test_an_id_missing_from_the_index_falls_back_to_its_upn(linker):
    keys = link_keys(linker, pd.Series(["N7", "N8"]), "nccis", upns=pd.Series([UPN2, "Z000000000009"]))
    assert keys.tolist() == ["ref:P2", "upn:Z000000000009"]


def test_learned_upns_link_social_care_ids(linker):
    linker.learn_upns(pd.Series(["C5", "C5"]), pd.Series([UPN2, UPN1]), "la")
    assert link_keys(linker, pd.Series(["C5"]), "la").item() == "ref:P2"


@pytest.mark.parametrize(("upns", "expected"), [([None, UPN2], "ref:P2"), ([UPN1, UPN2], "ref:P1")])
def test_one_id_gets_one_person_the_first_upn_recorded_wins(linker, upns, expected):
    keys = link_keys(linker, pd.Series(["N7", "N7"]), "nccis", upns=pd.Series(upns))
    assert keys.tolist() == [expected, expected]


def test_person_ids_are_pseudonyms_of_the_link(linker):
    ids = linker.person_ids(pd.Series(["C1", "Y2", "C9"]), "la")
    direct = Pseudonymiser(KEY).pseudonymise(pd.Series(["ref:P1"]), "person")[0]
    assert ids[0] == direct
    assert ids.str.fullmatch(r"[0-9a-f]{16}").all()


def test_duplicate_index_ids_are_quarantined(tmp_path):
    index = FILES["linkage/person_index.csv"] + f"P0002,C001,,,\nP0001,,{UPN2},,\n"
    data = write_extracts(tmp_path, files={"linkage/person_index.csv": index})
    report = features.load_extracts(data, key=KEY).report
    entry = next(t for t in report.tables if t["table"] == "person_index")
    assert entry["rows_quarantined"] == 2
    assert {(p["row"], p["column"]) for p in entry["problems"]} == {(2, "LA_CHILD_ID"), (3, "PERSON_REF")}


def test_without_an_index_people_link_through_upn(tmp_path):
    data = write_extracts(tmp_path, drop=["linkage/person_index.csv"])
    extracts = features.load_extracts(data, key=KEY)
    assert "linkage/person_index.csv is absent" in extracts.report.notes[0]
    people = extracts.tables["people"]
    # Youth justice and NCCIS have no index entry now: NCCIS links by its UPN, the YJ id stands alone.
    assert len(people) == 3
    assert (people["sources"] == "youth_justice").sum() == 1
