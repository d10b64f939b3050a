"""Synthetic identifiers: master person references, social care ids, UPNs and the rest.

Every id is drawn from a shuffled range so that its digits say nothing about the
person's position in the population. UPNs follow the DfE structure: a check letter,
the authority's three-digit number, the four-digit establishment number of the school
that allocated it, two digits of the year of allocation and a three-digit serial.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LA_NUMBER = "999"  # no English authority has this number
_CHECK_LETTERS = np.array(list("ABCDEFGHJKLMNPQRTUVWXYZ"))


def shuffled_ids(prefix, n, width, rng):
    """``n`` distinct ids ``prefix`` + ``width`` digits, in random order."""
    return _as_ids(prefix, width, _draw(n, width, rng))


def _draw(n, width, rng):
    return rng.choice(10**width - 10 ** (width - 1), size=n, replace=False) + 10 ** (width - 1)


def _as_ids(prefix, width, numbers):
    return np.strings.add(prefix, numbers.astype(f"U{width}")).astype(object)


class IdBook:
    """The ids already given out, so that ids drawn block by block stay distinct.

    A synthetic authority written block by block of people draws each block's ids as
    :func:`shuffled_ids` does; an id that an earlier block already gave to someone is
    drawn again for the new holder. The first block never meets a clash, so it draws
    exactly what one call for the whole population would.
    """

    def __init__(self):
        self._taken = {}

    def draw(self, prefix, n, width, rng, used=None):
        """``n`` ids in random order; those at ``used`` (default all) are new to the book.

        Parameters
        ----------
        prefix : str
        n : int
        width : int
            Digits after the prefix.
        rng : numpy.random.Generator
        used : numpy.ndarray of bool, default=None
            The positions whose id is given to someone; the others are placeholders
            the caller blanks.

        Returns
        -------
        numpy.ndarray of str

        Raises
        ------
        ValueError
            If the ids of this width run out.
        """
        numbers = _draw(n, width, rng)
        given = np.flatnonzero(np.ones(n, dtype=bool) if used is None else used)
        taken = self._taken.get(prefix, np.array([], dtype=np.int64))
        space = 10**width - 10 ** (width - 1)
        if len(taken) + len(given) > space:
            raise ValueError(f"The synthetic authority needs more than {space:,} distinct {prefix} ids; "
                             "generate fewer young people.")
        while True:
            mine = numbers[given]
            clash = np.isin(mine, taken) | _repeated(mine)
            if not clash.any():
                break
            numbers[given[clash]] = rng.integers(0, space, size=int(clash.sum())) + 10 ** (width - 1)
        self._taken[prefix] = np.union1d(taken, numbers[given])
        return _as_ids(prefix, width, numbers)


def _repeated(values):
    """True at every occurrence of a value after its first."""
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    later = np.r_[False, sorted_values[1:] == sorted_values[:-1]]
    out = np.zeros(len(values), dtype=bool)
    out[order] = later
    return out


def upns(establishment, year, rng, *, allocated=None):
    """Valid UPNs for pupils first registered at ``establishment`` in ``year``.

    Parameters
    ----------
    establishment : numpy.ndarray of int
        Four-digit DfE establishment numbers.
    year : numpy.ndarray of int
        Calendar year the UPN was allocated.
    rng : numpy.random.Generator
        Source of randomness (for the serial order within a school and year).
    allocated : dict, default=None
        Serials each school and year (``establishment * 100 + year % 100``) has already
        given out; new serials follow them, and the dict is updated. Blocks of people
        drawn in turn share one dict so that their UPNs stay distinct.

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
    if allocated is not None:
        serial += pd.Series(allocated, dtype=np.int64).reindex(key).fillna(0).to_numpy(np.int64)
        given = pd.Series(allocated, dtype=np.int64).add(pd.Series(key).value_counts(), fill_value=0)
        allocated.update(given.astype(np.int64).to_dict())
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
