"""Freed memory handed back to the operating system, with live data untouched."""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features._memory import release_free_memory

ROOT = Path(__file__).resolve().parents[2]

# Blocks below glibc's mmap threshold, every tenth kept alive: the freed ones sit between
# live ones, where ``free`` alone cannot shrink the heap.
_FRAGMENTED_HEAP = textwrap.dedent("""
    import os
    from features._memory import release_free_memory

    def resident():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    blocks = [bytearray(os.urandom(16)) * 6000 for _ in range(3000)]
    kept = blocks[::10]
    del blocks
    before = resident()
    release_free_memory()
    print(before - resident(), sum(map(len, kept)))
""")


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="glibc's malloc_trim and /proc are Linux with glibc")
def test_freed_memory_between_live_blocks_is_returned():
    run = subprocess.run([sys.executable, "-c", _FRAGMENTED_HEAP], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    returned, live = map(int, run.stdout.split())
    assert live == 300 * 96_000
    assert returned > 150_000_000  # most of the 259 MB freed between the live blocks


def test_live_tables_are_untouched():
    frame = pd.DataFrame({"n": np.arange(100_000), "text": pd.array([f"p{i}" for i in range(100_000)],
                                                                    dtype="string[pyarrow]")})
    copy = frame.copy(deep=True)
    release_free_memory()
    release_free_memory()
    pd.testing.assert_frame_equal(frame, copy)
