"""Fuzzing every loader with damaged extracts (see ``_fuzz_loaders.py`` for the contract).

A fixed seed and a bounded number of cases per loader, so CI is reproducible and quick;
``python benchmarks/fuzz_loaders.py --examples 20000`` runs the long version.
"""

from __future__ import annotations

import os

import pytest
from _fuzz_loaders import MARKER, TARGETS, check_load, damaged, planted
from hypothesis import HealthCheck, given, settings

EXAMPLES = int(os.environ.get("RISKMODEL_FUZZ_EXAMPLES", "8"))


@pytest.mark.parametrize("relpath", TARGETS)
def test_each_planted_file_loads_cleanly(relpath):
    assert check_load(relpath, planted(relpath)) == "loaded"


@pytest.mark.parametrize("relpath", TARGETS)
def test_a_damaged_extract_is_a_data_error_or_loads_with_every_row_counted(relpath):
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(content=damaged(relpath))
    def run(content):
        check_load(relpath, content)

    run()


def test_the_marker_is_a_value_the_fixtures_did_not_already_hold():
    assert all(MARKER.encode() in planted(relpath) for relpath in TARGETS)
