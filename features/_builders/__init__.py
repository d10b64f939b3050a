"""Point-in-time feature builders, one module per concept.

Each module declares ``SOURCES`` (the tidy tables it reads), ``prepare(tables, people)``
(arrays built once per call), ``build(prepared, clock, people)`` (one as-of date: a dict
of feature name to a float array over people) and ``TRACES`` (how to list the records
behind each feature it builds).
"""

from __future__ import annotations

from . import (
    _age,
    _attendance,
    _exclusions,
    _looked_after,
    _missing,
    _neet,
    _protected,
    _provision,
    _social_care,
    _youth_justice,
)
from ._base import Clock, People, Records, Trace

BUILDERS = (
    _age,
    _exclusions,
    _attendance,
    _provision,
    _neet,
    _social_care,
    _looked_after,
    _missing,
    _youth_justice,
    _protected,
)

__all__ = ["BUILDERS", "Clock", "People", "Records", "Trace"]
