"""The ``--scheduler`` options shared by ``features``, ``train``, ``score`` and ``explain``.

Without ``--scheduler`` a command runs in this one process, as it always has. With
``--scheduler local`` it starts a ``distributed.LocalCluster`` of worker processes on
127.0.0.1 (``--workers``, ``--memory-per-worker``) and closes it afterwards; with an address
such as ``tcp://scheduler:8786`` it connects to a cluster that is already running (on a
server, Kubernetes, YARN or an HPC scheduler) and leaves it running.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from typing import Annotated

import typer

SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run on Dask: 'local' starts a cluster on this machine, or give a scheduler address "
        "such as tcp://scheduler:8786. Default: this process only.",
    ),
]
WorkersOption = Annotated[
    int, typer.Option("--workers", min=1, help="Worker processes of a '--scheduler local' cluster.")
]
MemoryOption = Annotated[
    str, typer.Option("--memory-per-worker", help="Memory limit of each local worker, such as 4GB.")
]

ADDRESS = re.compile(r"^(tcp|tls|ucx|inproc|ws|wss)://[^\s/]+$")
CONNECT_TIMEOUT = 20
"""Seconds to wait for the scheduler at an address."""
MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int = 2, memory: str = "4GB") -> Iterator[object]:
    """A ``dask.distributed.Client`` for ``--scheduler``, or ``None`` without one.

    Parameters
    ----------
    scheduler : str or None
        ``None`` (this process), ``"local"`` or a scheduler address.
    workers : int, default=2
        Worker processes of a local cluster (one thread each).
    memory : str, default="4GB"
        Memory limit of each local worker.

    Raises
    ------
    ValueError
        If the scheduler, worker count or memory limit is not one that is allowed, the
        scheduler at the address cannot be reached, a worker dies (most often of memory) or
        the connection to the scheduler is lost during the work.
    """
    if scheduler is None:
        yield None
        return
    _check(scheduler, workers, memory)
    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    try:
        with _client(scheduler, workers, memory) as client:
            yield client
    except KilledWorker:
        raise ValueError(
            "A Dask worker died while working, most often because it ran out of memory. Give each "
            "worker more memory ('--memory-per-worker'), or use more workers so each holds fewer people."
        ) from None
    except CommClosedError:
        raise ValueError(
            f"The connection to the Dask scheduler at '{scheduler}' was lost during the work. Check that "
            "the cluster is still running, then run the command again."
        ) from None


@contextlib.contextmanager
def _client(scheduler: str, workers: int, memory: str) -> Iterator[object]:
    from distributed import Client, LocalCluster

    if scheduler == "local":  # the scheduler's HTTP server on any free port of 127.0.0.1
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          memory_limit=memory, dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, \
                Client(cluster) as client:
            client.run(_quiet_stdout)
            yield client
        return
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError):
        raise ValueError(
            f"No Dask scheduler answered at '{scheduler}' within {CONNECT_TIMEOUT} seconds. Start one "
            "('dask scheduler' and 'dask worker ADDRESS') or check the address, or use '--scheduler local'."
        ) from None
    with client:
        yield client


def _quiet_stdout() -> None:
    """Send a local worker's standard output to /dev/null.

    LightGBM's network code prints port and rank notices there from C++, which would
    otherwise interleave with the command's own output; errors still reach the command.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.close(devnull)


def _check(scheduler: str, workers: int, memory: str) -> None:
    if scheduler != "local" and not ADDRESS.match(scheduler):
        raise ValueError(
            f"The '--scheduler' option must be 'local' or a scheduler address such as "
            f"tcp://scheduler:8786; got '{scheduler}'."
        )
    if isinstance(workers, bool) or int(workers) != workers or workers < 1:
        raise ValueError(f"The '--workers' option must be a whole number of at least 1; got {workers!r}.")
    if not MEMORY.match(str(memory).strip()):
        raise ValueError(
            f"The '--memory-per-worker' option must be an amount such as 4GB or 512MiB; got '{memory}'."
        )
