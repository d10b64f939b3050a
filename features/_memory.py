"""Handing memory that a large step freed back to the operating system.

The two allocators the tables pass through keep freed memory for reuse instead of
returning it: glibc's ``malloc`` (NumPy and pandas arrays) and Arrow's memory pool
(mimalloc by default: Arrow-backed text columns, CSV parsing, Parquet). After reading
the extracts or building features for a region, this process can hold twice its live
tables (at a million young people, 9.8 GB resident for about 4 GB of live tables and
matrix), and memory another step or a Dask worker on the same machine could have used
sits idle. :func:`release_free_memory` asks both to give back what is free: Arrow with
``MemoryPool.release_unused`` and glibc with ``malloc_trim(0)``, the call Dask's
documentation gives for the same problem on its workers ("Memory not released back to
the OS"). Nothing live is touched; where the C library is not glibc only Arrow's pool
is asked.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
from functools import cache


def release_free_memory() -> None:
    """Return the memory both allocators hold free to the operating system.

    A few milliseconds to a fraction of a second (the larger the freed heap, the
    longer); call it after a step that freed a large part of this process's memory.
    """
    import pyarrow

    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or ``None`` on another C library."""
    if platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
