"""The person-clustered, stratified bootstrap shared by the audit and training."""

from __future__ import annotations

import numpy as np
import pytest

from evaluation import PersonBootstrap


def test_every_row_of_a_person_carries_the_persons_draw_count():
    person = np.array(["a", "b", "a", "c", "b", "a"])
    weights = PersonBootstrap(6, person=person).weights(200, np.random.default_rng(0))
    assert (weights[:, 0] == weights[:, 2]).all() and (weights[:, 0] == weights[:, 5]).all()
    assert (weights[:, 1] == weights[:, 4]).all()
    # three people drawn three times: the weight of one row per person adds up to 3
    assert (weights[:, [0, 1, 3]].sum(axis=1) == 3).all()


def test_each_stratum_keeps_its_number_of_people():
    rng = np.random.default_rng(1)
    person = rng.integers(0, 80, 400)
    strata = (person % 3).astype(str)  # a person's rows share a stratum
    boot = PersonBootstrap(400, person=person, strata=strata)
    counts = boot.person_counts(50, np.random.default_rng(2))
    stratum_of = np.array([p % 3 for p in dict.fromkeys(person)])  # people in order of first row
    assert boot.n_people == len(stratum_of)
    for s in range(3):
        assert (counts[:, stratum_of == s].sum(axis=1) == (stratum_of == s).sum()).all()


def test_without_people_it_is_the_stratified_row_bootstrap():
    strata = np.repeat([0, 1, 2], [5, 10, 20])
    weights = PersonBootstrap(35, strata=strata).weights(30, np.random.default_rng(3))
    assert (weights[:, :5].sum(axis=1) == 5).all()
    assert (weights[:, 5:15].sum(axis=1) == 10).all()
    assert (weights[:, 15:].sum(axis=1) == 20).all()


def test_a_person_seen_many_times_widens_the_interval():
    rng = np.random.default_rng(4)
    person = np.repeat(np.arange(100), 8)  # 100 people on 8 as-of dates each
    y = np.repeat(rng.random(100) < 0.3, 8).astype(float)
    clustered = PersonBootstrap(800, person=person).weights(400, np.random.default_rng(5))
    naive = PersonBootstrap(800).weights(400, np.random.default_rng(5))
    spread = [np.std(w @ y / w.sum(axis=1)) for w in (clustered, naive)]
    assert spread[0] > 2 * spread[1]


def test_replicates_are_reproducible_from_the_seed():
    boot = PersonBootstrap(10, person=np.arange(10) % 4)
    first = boot.weights(5, np.random.default_rng(7))
    assert (first == boot.weights(5, np.random.default_rng(7))).all()
    assert first.shape == (5, 10) and first.dtype.kind == "i"
    with pytest.raises(AssertionError):
        assert (first == boot.weights(5, np.random.default_rng(8))).all()
