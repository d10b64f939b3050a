"""Synthetic identifiers: master person references, social care ids, UPNs and the rest.

Every id is drawn from a shuffled range so that its digits say nothing about the
person's position in the population. UPNs follow the DfE structure: a check letter,
the authority's three-digit number, the four-digit establishment number of the school
that allocated it, two digits of the year of allocation and a three-digit serial.
"""

from __future__ import annotations

import numpy as np

LA_NUMBER = "999"  # no English authority has this number
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))


def shuffled_ids(prefix, n, width, rng):
    """``n`` distinct ids ``prefix`` + ``width`` digits, in random order."""
    numbers = rng.choice(10**width - 10 ** (width - 1), size=n, replace=False) + 10 ** (width - 1)
    return np.strings.add(prefix, numbers.astype(f"U{width}")).astype(object)


def upns(establishment, year, rng):
    """Valid UPNs for pupils first registered at ``establishment`` in ``year``.

    Parameters
    ----------
    establishment : numpy.ndarray of int
        Four-digit DfE establishment numbers.
    year : numpy.ndarray of int
        Calendar year the UPN was allocated.
    rng : numpy.random.Generator
        Source of randomness (for the serial order within a school and year).

    Returns
    -------
    numpy.ndarray of str
        Thirteen-character UPNs, distinct while fewer than 1,000 share a school and year.
    """
    n = len(establishment)
    if n == 0:  # numpy's zfill cannot size an empty result
        return np.array([], dtype=object)
    key = establishment.astype(np.int64) * 100 + year % 100
    order = np.lexsort((rng.random(n), key))
    serial = np.empty(n, dtype=np.int64)
    sorted_key = key[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_key)) + 1]
    rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    serial[order] = rank
    if serial.max(initial=0) >= 1000:
        raise ValueError("More than 999 pupils share a school and year of allocation; "
                         "the generator needs more schools for this population size.")
    digits = np.char.add(np.char.add(np.char.add(LA_NUMBER, np.char.zfill(establishment.astype(str), 4)),
                                     np.char.zfill((year % 100).astype(str), 2)),
                         np.char.zfill(serial.astype(str), 3))
    return np.strings.add(_check_letter(digits), digits).astype(object)


def _check_letter(digits):
    values = np.frombuffer(np.asarray(digits, dtype="S12").tobytes(), dtype=np.uint8).reshape(-1, 12) - 48
    total = (values * np.arange(2, 14)).sum(axis=1)
    return _CHECK_LETTERS[total % 23]
