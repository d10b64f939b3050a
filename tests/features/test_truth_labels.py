"""True labels from the synthetic truth line up with the recorded ones."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import features

KEY = hashlib.sha256(b"truth labels test key").digest()
DATES = pd.date_range("2020-03-31", "2024-12-31", freq="QE")


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    folder = tmp_path_factory.mktemp("authority")
    features.synthesize(folder, n_young_people=1500, seed=5,
                        recording_bias=features.DEFAULT_RECORDING_BIAS)
    return folder, features.load_extracts(folder, key=KEY).tables


def test_every_recorded_involvement_is_a_true_one(authority):
    folder, tables = authority
    recorded = features.build_labels(tables, DATES)
    true = features.true_labels(folder, tables, DATES, key=KEY)
    both = recorded.merge(true, on=["person_id", "as_of"], suffixes=("_recorded", "_true"))
    assert len(both) == len(recorded) == len(true)
    assert both["label_recorded"].sum() > 0
    assert not ((both["label_recorded"] == 1) & (both["label_true"] == 0)).any()
    assert both["label_true"].sum() > both["label_recorded"].sum()


def test_a_folder_without_truth_is_refused(authority, tmp_path):
    _, tables = authority
    with pytest.raises(FileNotFoundError, match="only for a folder written by"):
        features.true_labels(tmp_path, tables, DATES, key=KEY)
