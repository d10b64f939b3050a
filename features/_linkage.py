"""Linking one person's records across sources, then pseudonymising the link.

The authority's master person index (``linkage/person_index.csv``) maps each
``PERSON_REF`` to the person's social care id, UPN, youth justice id and NCCIS id.
A source id found in the index links to its ``PERSON_REF``; otherwise the record's
UPN is tried (in the index, then on its own, so that two sources sharing a UPN still
meet); otherwise the id stands alone in its own namespace. The linked key is then
replaced by its keyed pseudonym, the ``person_id`` every tidy table carries.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._pseudonym import clean_ids
from ._text import reindex_text

NAMESPACES = {"la": "LA_CHILD_ID", "upn": "UPN", "yj": "YJ_ID", "nccis": "NCCIS_ID"}

# Linked people are keyed by their master reference, under this prefix, before hashing.
REF_PREFIX = "ref:"


class PersonLinker:
    """Resolve source identifiers to pseudonymous person ids.

    Parameters
    ----------
    index : pandas.DataFrame
        Accepted rows of the person index, with ``PERSON_REF`` and any of
        ``LA_CHILD_ID``, ``UPN``, ``YJ_ID``, ``NCCIS_ID`` (each unique where present).
    pseudonymiser : Pseudonymiser
        Makes the final pseudonyms.

    Examples
    --------
    >>> import secrets
    >>> from features._pseudonym import Pseudonymiser
    >>> index = pd.DataFrame({"PERSON_REF": ["P1"], "LA_CHILD_ID": ["C1"],
    ...                       "UPN": ["A123456789012"], "YJ_ID": [None], "NCCIS_ID": [None]})
    >>> linker = PersonLinker(index, Pseudonymiser(secrets.token_bytes(32)))
    >>> a = linker.person_ids(pd.Series(["C1"]), "la")
    >>> b = linker.person_ids(pd.Series(["A123456789012"]), "upn")
    >>> bool(a[0] == b[0])
    True
    """

    def __init__(self, index, pseudonymiser):
        self.pseudonymiser = pseudonymiser
        self._refs = {
            namespace: _lookup(index, column, "PERSON_REF")
            for namespace, column in NAMESPACES.items()
        }
        self._upns = {namespace: pd.Series(dtype="str") for namespace in NAMESPACES}

    def learn_upns(self, ids, upns, namespace):
        """Remember the UPN a source records for each id (the first one wins).

        Used for social care ids, whose UPN lives in the SSDA903 header or the CIN
        child identifiers, so that episodes and referrals link through it too.
        """
        pairs = pd.DataFrame({"id": clean_ids(ids).to_numpy(), "upn": clean_ids(upns).to_numpy()}).dropna()
        known = self._upns[namespace]
        pairs = pairs[~pairs["id"].isin(known.index)].drop_duplicates("id")
        self._upns[namespace] = pd.concat([known, pairs.set_index("id")["upn"]])

    def person_ids(self, ids, namespace, *, upns=None):
        """Return the pseudonymous ``person_id`` for each source id.

        Each distinct id is linked and hashed once.

        Parameters
        ----------
        ids : pandas.Series
            Source identifiers (missing stays missing).
        namespace : {"la", "upn", "yj", "nccis"}
            Which identifier ``ids`` holds.
        upns : pandas.Series, optional
            The UPN recorded on the same rows, for the fallback; where one id's rows
            disagree, the first UPN recorded wins.

        Returns
        -------
        pandas.Series of str
        """
        codes, keys = self._unique_keys(ids, namespace, upns)
        hashed = self.pseudonymiser.pseudonymise(keys.reset_index(drop=True), "person")
        return pd.Series(hashed.array.take(codes, allow_fill=True), index=pd.Series(ids).index)

    def _unique_keys(self, ids, namespace, upns):
        codes, uniques = pd.factorize(clean_ids(ids))
        unique_ids = pd.Index(np.asarray(uniques, dtype=object), dtype="str")
        per_id = pd.Series(pd.NA, index=unique_ids, dtype="str")
        if upns is not None:
            upn = clean_ids(upns).to_numpy()
            present = (codes >= 0) & pd.notna(upn)
            first = pd.Series(upn[present]).groupby(codes[present]).first()
            per_id = pd.Series(first.reindex(range(len(unique_ids))).to_numpy(), index=unique_ids, dtype="str")
        per_id = per_id.fillna(reindex_text(self._upns[namespace], unique_ids, unique_ids))
        if namespace == "upn":
            per_id = per_id.fillna(pd.Series(unique_ids, index=unique_ids))
        ref = reindex_text(self._refs[namespace], unique_ids, unique_ids)
        ref = ref.fillna(reindex_text(self._refs["upn"], per_id, unique_ids))
        own = pd.Series(namespace + ":" + unique_ids, index=unique_ids, dtype="str")
        keys = (REF_PREFIX + ref).fillna("upn:" + per_id).fillna(own)
        return codes, keys


def person_ids_of_refs(refs, pseudonymiser):
    """The ``person_id`` that linkage gives each master person reference (PERSON_REF).

    Parameters
    ----------
    refs : pandas.Series
        Master person references.
    pseudonymiser : Pseudonymiser

    Returns
    -------
    pandas.Series of str
    """
    return pseudonymiser.pseudonymise(REF_PREFIX + clean_ids(refs), "person")


def _lookup(index, column, target):
    if column not in index.columns:
        return pd.Series(dtype="str")
    pairs = index[[column, target]].dropna()
    return pd.Series(clean_ids(pairs[target]).to_numpy(), index=clean_ids(pairs[column]).to_numpy(), dtype="str")
