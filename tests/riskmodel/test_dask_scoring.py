"""Scores and exact SHAP explanations on a two-worker Dask cluster equal the single-process ones."""

import os
import stat

import numpy as np
import pandas as pd
import pytest

from riskmodel import explain_person, score_people
from riskmodel._distributed import decompose_distributed, write_parquet_parts
from riskmodel._explain import decompose

AS_OF = "2024-03-31"


@pytest.fixture(scope="module")
def on_cluster(real_model, tables, tmp_path_factory, dask_client):
    out = tmp_path_factory.mktemp("scored-on-dask")
    return score_people(real_model, tables, AS_OF, out_dir=out, file_format="parquet", client=dask_client), out


def test_decomposition_in_blocks_equals_one_pass(model, X, dask_client):
    whole = decompose(model, X)
    blocks = decompose_distributed(model, X, client=dask_client, rows_per_block=70)
    for name in ("person_id", "feature_shap", "shap_logodds", "contribution", "base_logodds",
                 "model_logodds", "probability", "base_probability"):
        np.testing.assert_array_equal(getattr(blocks, name), getattr(whole, name), err_msg=name)
    assert (blocks.concepts, blocks.feature_names) == (whole.concepts, whole.feature_names)


def test_scores_and_explanations_equal_the_single_process_run(on_cluster, scored):
    (cluster, _), (single, _) = on_cluster, scored
    pd.testing.assert_frame_equal(cluster.scores, single.scores)
    pd.testing.assert_frame_equal(cluster.explanations, single.explanations)
    assert [p.name for p in cluster.case_pages] == [p.name for p in single.case_pages]


def test_parquet_on_a_cluster_is_written_as_owner_only_parts(on_cluster):
    result, out = on_cluster
    for name, frame in (("scores", result.scores), ("explanations", result.explanations)):
        parts = sorted((out / name).glob("part-*.parquet"))
        assert parts and not (out / f"{name}.parquet").exists()
        pd.testing.assert_frame_equal(pd.read_parquet(out / name), frame, check_dtype=False)
        assert stat.S_IMODE(os.stat(out / name).st_mode) == 0o700
        assert {stat.S_IMODE(os.stat(p).st_mode) for p in parts} == {0o600}


def test_parts_never_split_one_persons_rows(tmp_path):
    frame = pd.DataFrame({"person_id": np.repeat(["a", "b", "c", "d"], [3, 1, 4, 2]), "value": np.arange(10)})
    parts = write_parquet_parts(frame, tmp_path / "parts", keys="person_id", rows_per_part=3)
    owners = [set(pd.read_parquet(p)["person_id"]) for p in parts]
    assert len(parts) > 1 and sum(len(o) for o in owners) == 4
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "parts"), frame)


def test_one_persons_explanation_on_a_cluster_equals_the_single_process_one(real_model, tables, scored,
                                                                           dask_client, tmp_path):
    person = scored[0].scores["person_id"].iloc[0]
    single = explain_person(real_model, tables, AS_OF, person, out_dir=tmp_path / "one")
    cluster = explain_person(real_model, tables, AS_OF, person, out_dir=tmp_path / "many", client=dask_client)
    pd.testing.assert_frame_equal(cluster.rows, single.rows)
    assert cluster.text == single.text and cluster.score == single.score
