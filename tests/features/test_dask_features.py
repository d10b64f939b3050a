"""Feature building on a two-worker Dask cluster equals the single-process build."""

import numpy as np
import pandas as pd
import pytest

from features import KNIFE_POSSESSION, build_features, build_features_distributed, person_partition
from features._builders._sample import sample_tables
from features._distributed import _placed, split_by_person

TABLES = sample_tables(400, seed=11)
DATES = ["2023-03-31", "2022-03-31"]


@pytest.mark.parametrize("n_partitions", [1, 3, 7])
def test_the_cluster_build_is_identical_to_the_single_process_build(dask_client, n_partitions):
    one = build_features(TABLES, DATES)
    many = build_features_distributed(TABLES, DATES, client=dask_client, n_partitions=n_partitions)
    pd.testing.assert_frame_equal(many.frame, one.frame)
    pd.testing.assert_frame_equal(many.groups, one.groups)
    assert (many.registry, many.label_definition, many.data_end) == (one.registry, one.label_definition, one.data_end)
    assert many.dates == one.dates
    pd.testing.assert_frame_equal(many.unplaced, one.unplaced)


def test_options_reach_every_partition(dask_client):
    options = {"label": KNIFE_POSSESSION, "horizon_months": 6, "data_end": "2023-09-30"}
    one = build_features(TABLES, DATES[:1], **options)
    many = build_features_distributed(TABLES, DATES[:1], client=dask_client, n_partitions=4, **options)
    pd.testing.assert_frame_equal(many.frame, one.frame)
    assert many.label_definition.horizon_months == 6 and many.data_end == one.data_end
    assert many.dates == one.dates and many.dates["label_end"] <= "2023-09-30"


def test_the_label_cut_off_and_unplaced_counts_come_from_the_whole_data(dask_client):
    """A partition whose own youth justice records end earlier still labels up to the whole cut-off."""
    one = build_features(TABLES, DATES[:1])
    cut = pd.Timestamp(one.dates["label_end"])
    as_of = cut - pd.DateOffset(months=12)  # a window that ends exactly on the cut-off
    one = build_features(TABLES, [as_of])
    many = build_features_distributed(TABLES, [as_of], client=dask_client, n_partitions=7)
    assert one.frame["label"].notna().all()
    pd.testing.assert_frame_equal(many.frame, one.frame)
    assert many.dates == one.dates
    pd.testing.assert_frame_equal(many.unplaced, one.unplaced)


def test_progress_is_reported_per_partition(dask_client):
    calls = []
    build_features_distributed(TABLES, DATES, client=dask_client, n_partitions=3,
                               progress=lambda text, fraction: calls.append(fraction))
    assert calls == pytest.approx([1 / 3, 2 / 3, 1.0])


def test_every_record_of_a_person_lands_in_one_partition():
    parts = list(split_by_person(TABLES, 5))
    for name, table in TABLES.items():
        if "person_id" not in table.columns:
            continue
        assert sum(len(part[name]) for part in parts) == len(table), name
        owners = pd.concat([part[name]["person_id"].drop_duplicates().to_frame().assign(part=i)
                            for i, part in enumerate(parts)])
        assert not owners["person_id"].duplicated().any(), name


def test_the_partition_of_a_pseudonym_is_stable_and_spread():
    ids = TABLES["people"]["person_id"]
    codes = person_partition(ids, 4)
    np.testing.assert_array_equal(codes, person_partition(ids.iloc[::-1], 4)[::-1])
    assert set(codes) == {0, 1, 2, 3} and np.bincount(codes).min() > len(ids) / 8


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_a_bad_partition_count_is_refused_before_any_work(dask_client, bad):
    with pytest.raises(ValueError, match="'n_partitions' option must be a whole number of at least 1"):
        build_features_distributed(TABLES, DATES, client=dask_client, n_partitions=bad)


def test_missing_tables_are_refused_before_any_work(dask_client):
    tables = {k: v for k, v in TABLES.items() if k != "pupils"}
    with pytest.raises(ValueError, match="The tables given lack pupils"):
        build_features_distributed(tables, DATES, client=dask_client)


def test_parts_put_in_place_equal_joining_and_reordering():
    rng = np.random.default_rng(0)
    parts = [pd.DataFrame({"person_id": pd.array([f"p{i}" for i in range(n)], dtype="string"),
                           "as_of": pd.Timestamp("2024-03-31"), "score": rng.normal(size=n),
                           "count": rng.integers(0, 5, n) if n != 3 else rng.integers(0, 5, n).astype(float),
                           "flag": pd.array(rng.random(n) < 0.5, dtype="boolean")})
             for n in (4, 3, 5)]
    expected = pd.concat(parts, ignore_index=True)
    order = rng.permutation(len(expected))
    expected = expected.take(order).reset_index(drop=True)
    placed = _placed([p.copy() for p in parts], order)
    pd.testing.assert_frame_equal(placed, expected)
