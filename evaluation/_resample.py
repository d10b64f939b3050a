"""The library's one bootstrap: resample young people, within strata, as integer row weights.

A young person seen on several as-of dates contributes several rows that are not
independent, so a replicate draws *people* with replacement and gives every row of a
drawn person that person's draw count as its weight. With strata, people are drawn
within their stratum, so every stratum keeps its number of people in every replicate
(a person whose rows fall in several strata, having crossed an age band between as-of
dates, belongs to the stratum of their first row). Without a person column every row is
its own person, and the scheme is the ordinary stratified row bootstrap.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["PersonBootstrap"]


class PersonBootstrap:
    """Replicate weights for a person-clustered, stratified bootstrap.

    Parameters
    ----------
    n_rows : int
        Number of rows.
    person : array-like of shape (n_rows,), default=None
        Who each row belongs to (any hashable identity, such as a pseudonym). None: every
        row is a different person.
    strata : array-like of shape (n_rows,), default=None
        Stratum of each row; people are resampled within their stratum. None: one stratum.

    Examples
    --------
    >>> boot = PersonBootstrap(4, person=["a", "a", "b", "c"])
    >>> boot.n_people
    3
    >>> w = boot.weights(5, np.random.default_rng(0))
    >>> w.shape, bool((w[:, 0] == w[:, 1]).all())
    ((5, 4), True)
    >>> boot.person_counts(5, np.random.default_rng(0)).sum(axis=1).tolist()
    [3, 3, 3, 3, 3]
    """

    def __init__(self, n_rows: int, *, person=None, strata=None) -> None:
        self.n_rows = int(n_rows)
        if person is None:
            self._codes, self.n_people = None, self.n_rows
        else:
            self._codes, uniques = pd.factorize(pd.Series(np.asarray(person, dtype=object)), sort=False)
            self.n_people = len(uniques)
        person_strata = self._person_strata(strata)
        self._order = np.argsort(person_strata, kind="stable")
        self._identity = bool((self._order == np.arange(self.n_people)).all())
        sizes = np.bincount(person_strata)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        self._size = np.repeat(sizes, sizes)
        self._start = np.repeat(starts, sizes)

    def _person_strata(self, strata) -> np.ndarray:
        if strata is None:
            return np.zeros(self.n_people, dtype=np.int64)
        row_strata = pd.factorize(pd.Series(np.asarray(strata)), sort=True)[0].astype(np.int64)
        if self._codes is None:
            return row_strata
        first = np.full(self.n_people, self.n_rows, dtype=np.int64)
        np.minimum.at(first, self._codes, np.arange(self.n_rows))
        return row_strata[first]

    def person_counts(self, n_rep: int, rng: np.random.Generator) -> np.ndarray:
        """How many times each person is drawn in each replicate, shape (n_rep, n_people)."""
        drawn = (rng.random((n_rep, self.n_people)) * self._size).astype(np.int64) + self._start
        if not self._identity:
            drawn = self._order[drawn]
        drawn += (np.arange(n_rep, dtype=np.int64) * self.n_people)[:, None]
        counts = np.bincount(drawn.ravel(), minlength=n_rep * self.n_people)
        return counts.reshape(n_rep, self.n_people)

    def weights(self, n_rep: int, rng: np.random.Generator) -> np.ndarray:
        """Integer row weights, shape (n_rep, n_rows): each row carries its person's draw count."""
        counts = self.person_counts(n_rep, rng)
        return counts if self._codes is None else counts[:, self._codes]
