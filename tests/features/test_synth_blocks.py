"""A synthetic authority written block by block of people: one population, whatever the blocks."""

import hashlib
import json
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

import features
from features._synth import synthesize
from features._synth._ids import IdBook, upns

ID_COLUMNS = ("PERSON_REF", "LA_CHILD_ID", "UPN", "YJ_ID", "NCCIS_ID")


@pytest.fixture(scope="module")
def blocks(tmp_path_factory):
    """1,500 young people in three blocks of 500."""
    out = tmp_path_factory.mktemp("synth_blocks")
    return out, synthesize(out, n_young_people=1_500, seed=7, people_per_block=500)


def _digests(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _read(folder, path):
    return pd.read_csv(folder / path, dtype=str, keep_default_na=False)


def test_the_summary_counts_the_blocks_and_every_row_written(blocks):
    folder, summary = blocks
    assert (summary["blocks"], summary["people_per_block"], summary["figures_people"]) == (3, 500, 500)
    assert json.loads((folder / "_truth" / "summary.json").read_text()) == summary
    for name, rows in summary["rows"].items():
        if name.endswith(".csv"):
            assert len(_read(folder, name)) == rows, name
    assert len(_read(folder, "_truth/people.csv")) == 1_500


def test_every_csv_has_its_header_once(blocks):
    folder, _ = blocks
    for path in folder.rglob("*.csv"):
        lines = path.read_text().splitlines()
        assert lines.count(lines[0]) == 1, path


def test_ids_are_distinct_across_blocks(blocks):
    folder, _ = blocks
    index = _read(folder, "linkage/person_index.csv")
    for column in ID_COLUMNS:
        given = index.loc[index[column] != "", column]
        assert given.is_unique, column
    truth = _read(folder, "_truth/people.csv")
    assert truth["PERSON_REF"].is_unique and len(truth) == 1_500
    assert _read(folder, "youth_justice/offences.csv")["OffenceID"].is_unique


def test_each_cin_census_is_one_message_with_every_block_s_children(blocks):
    folder, summary = blocks
    for path in sorted(folder.glob("cin/*.xml")):
        root = ET.parse(path).getroot()
        assert root.tag == "Message" and len(root.findall("Header")) == 1
        children = root.findall("Children/Child")
        assert len(children) == summary["rows"][f"cin/{path.name}"]
        ids = [c.findtext("ChildIdentifiers/LAchildID") for c in children]
        assert len(set(ids)) == len(ids)


def test_the_blocks_load_as_one_authority_with_nothing_quarantined_for_clashes(blocks):
    folder, _ = blocks
    extracts = features.load_extracts(folder, key=bytes(range(32)))
    people = extracts.tables["people"]
    assert people["person_id"].is_unique
    assert len(people) == len(_read(folder, "linkage/person_index.csv"))


def test_the_first_block_is_the_one_block_authority_of_its_size(blocks, tmp_path):
    folder, _ = blocks
    synthesize(tmp_path, n_young_people=500, seed=7)
    alone = _read(tmp_path, "_truth/people.csv")
    assert _read(folder, "_truth/people.csv").head(500).equals(alone)
    index = _read(tmp_path, "linkage/person_index.csv")
    assert _read(folder, "linkage/person_index.csv").head(len(index)).equals(index)


def test_same_seed_and_blocks_give_byte_identical_files(blocks, tmp_path):
    folder, _ = blocks
    synthesize(tmp_path, n_young_people=1_500, seed=7, people_per_block=500)
    assert _digests(tmp_path) == _digests(folder)


def test_a_block_size_at_least_the_authority_changes_nothing(tmp_path):
    synthesize(tmp_path / "a", n_young_people=600, seed=3)
    synthesize(tmp_path / "b", n_young_people=600, seed=3, people_per_block=600)
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    a.pop("_truth/summary.json"), b.pop("_truth/summary.json")  # the block size is recorded
    assert a == b


@pytest.mark.parametrize("per_block", [99, 2.5, True, "1000"])
def test_bad_block_sizes_are_refused(tmp_path, per_block):
    with pytest.raises(ValueError, match="people_per_block"):
        synthesize(tmp_path, n_young_people=300, people_per_block=per_block)


def test_too_many_young_people_are_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValueError, match="n_young_people.*4,000,000"):
        synthesize(tmp_path / "out", n_young_people=4_000_001)
    assert not (tmp_path / "out").exists()


def test_the_id_book_redraws_ids_an_earlier_block_gave_out():
    book, rng = IdBook(), np.random.default_rng(0)
    first = book.draw("X", 40, 2, rng)  # 90 two-digit ids: later blocks must clash and redraw
    second = book.draw("X", 40, 2, rng)
    assert len(set(first) | set(second)) == 80
    placeholders = book.draw("X", 40, 2, rng, used=np.arange(40) < 5)  # only 5 are given out
    assert len(set(first) | set(second) | set(placeholders[:5])) == 85
    with pytest.raises(ValueError, match="more than 90 distinct X ids"):
        book.draw("X", 10, 2, rng)


def test_the_first_draw_of_an_id_book_is_the_plain_shuffled_draw():
    from features._synth._ids import shuffled_ids

    assert (IdBook().draw("MPI", 50, 7, np.random.default_rng(4))
            == shuffled_ids("MPI", 50, 7, np.random.default_rng(4))).all()


def test_upn_serials_continue_across_blocks():
    allocated, rng = {}, np.random.default_rng(1)
    school, year = np.full(600, 2001), np.full(600, 2015)
    first = upns(school[:300], year[:300], rng, allocated=allocated)
    second = upns(school[300:], year[300:], rng, allocated=allocated)
    assert len(set(first) | set(second)) == 600 and allocated == {200115: 600}
    with pytest.raises(ValueError, match="More than 999 pupils"):
        upns(school[:500], year[:500], rng, allocated=allocated)
