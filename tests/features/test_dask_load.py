"""Reading the extracts on a two-worker Dask cluster equals reading them in this process."""

import pickle

import pandas as pd
import pytest
from _extract_fixtures import UNREADABLE, write_broken_extracts, write_extracts

import features
from features._pseudonym import Pseudonymiser

KEY = b"loader-test-key-0123456789abcdef"


def _same(here, there):
    assert list(there.tables) == list(here.tables)
    for name, table in here.tables.items():
        pd.testing.assert_frame_equal(there.tables[name], table, check_exact=True, obj=name)
    assert there.report.to_dict() == here.report.to_dict()


def test_extracts_with_bad_rows_read_on_the_cluster_equal_those_read_here(dask_client, tmp_path):
    data = write_broken_extracts(tmp_path / "data")
    here = features.load_extracts(data, key=KEY)
    there = features.load_extracts(data, key=KEY, client=dask_client)
    assert here.report.n_quarantined > 0
    _same(here, there)
    for extracts, folder in ((here, tmp_path / "here"), (there, tmp_path / "there")):
        extracts.report.write_quarantine(folder)
    written = sorted(path.name for path in (tmp_path / "here").iterdir())
    assert written and written == sorted(path.name for path in (tmp_path / "there").iterdir())
    for name in written:
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


def test_a_synthetic_authority_read_on_the_cluster_equals_the_one_read_here(dask_client, tmp_path):
    """Every source, several years of SSDA903 and CIN returns, UPNs learned from both."""
    data = tmp_path / "authority"
    features.synthesize(data, n_young_people=400, seed=5)
    here = features.load_extracts(data, key=KEY)
    there = features.load_extracts(data, key=KEY, client=dask_client)
    assert all(len(here.tables[name]) for name in ("cla_episodes", "cin_referrals", "pupils", "nccis_activity",
                                                   "yj_offences", "people"))
    _same(here, there)


def test_of_two_unreadable_sources_the_cluster_reports_the_first_in_reading_order(dask_client, tmp_path):
    data = write_extracts(tmp_path, files=UNREADABLE)
    with pytest.raises(features.DataError, match="ssda903"):
        features.load_extracts(data, key=KEY, client=dask_client)


def test_the_cluster_read_reports_the_same_steps(dask_client, tmp_path):
    steps = []
    features.load_extracts(write_extracts(tmp_path), key=KEY, progress=steps.append, client=dask_client)
    assert steps == ["person index", "reading the extracts", "linking people"]


def test_a_pseudonymiser_sent_to_a_worker_makes_the_same_pseudonyms():
    ids = pd.Series(["A1", None, "B2", "A1"])
    here = Pseudonymiser(KEY)
    there = pickle.loads(pickle.dumps(here))
    pd.testing.assert_series_equal(there.pseudonymise(ids, "upn"), here.pseudonymise(ids, "upn"))
    assert repr(there) == "Pseudonymiser(key=<hidden>)"
