"""Linking one person's records across sources, then pseudonymising the link.

The authority's master person index (``linkage/person_index.csv``) maps each
``PERSON_REF`` to the person's social care id, UPN, youth justice id and NCCIS id.
A source id found in the index links to its ``PERSON_REF``; otherwise the record's
UPN is tried (in the index, then on its own, so that two sources sharing a UPN still
meet); otherwise the id stands alone in its own namespace. The linked key is then
replaced by its keyed pseudonym, the ``person_id`` every tidy table carries.
"""

from __future__ import annotations

import pandas as pd

NAMESPACES = {"la": "LA_CHILD_ID", "upn": "UPN", "yj": "YJ_ID", "nccis": "NCCIS_ID"}


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
    >>> from features._pseudonym import Pseudonymiser
    >>> index = pd.DataFrame({"PERSON_REF": ["P1"], "LA_CHILD_ID": ["C1"],
    ...                       "UPN": ["A123456789012"], "YJ_ID": [None], "NCCIS_ID": [None]})
    >>> linker = PersonLinker(index, Pseudonymiser(b"k" * 16))
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
        pairs = pd.DataFrame({"id": _text(ids).to_numpy(), "upn": _text(upns).to_numpy()}).dropna()
        known = self._upns[namespace]
        pairs = pairs[~pairs["id"].isin(known.index)].drop_duplicates("id")
        self._upns[namespace] = pd.concat([known, pairs.set_index("id")["upn"]])

    def link_keys(self, ids, namespace, *, upns=None):
        """Return the (raw) linked master key for each id; for tests and debugging."""
        ids = _text(ids)
        row_upns = _text(upns).to_numpy() if upns is not None else pd.NA
        per_id = pd.DataFrame({"id": ids.to_numpy(), "upn": row_upns})
        per_id = per_id.dropna(subset=["id"]).sort_values("upn", na_position="last")
        per_id = per_id.drop_duplicates("id").set_index("id")["upn"]
        per_id = per_id.fillna(self._upns[namespace].reindex(per_id.index))
        if namespace == "upn":
            per_id = per_id.fillna(pd.Series(per_id.index, index=per_id.index))
        unique_ids = pd.Series(per_id.index, index=per_id.index)
        ref = self._refs[namespace].reindex(per_id.index)
        ref = ref.fillna(self._refs["upn"].reindex(per_id.to_numpy()).set_axis(per_id.index))
        keys = ("ref:" + ref).fillna("upn:" + per_id).fillna(namespace + ":" + unique_ids)
        return ids.map(keys)

    def person_ids(self, ids, namespace, *, upns=None):
        """Return the pseudonymous ``person_id`` for each source id.

        Parameters
        ----------
        ids : pandas.Series
            Source identifiers (missing stays missing).
        namespace : {"la", "upn", "yj", "nccis"}
            Which identifier ``ids`` holds.
        upns : pandas.Series, optional
            The UPN recorded on the same rows, for the fallback.

        Returns
        -------
        pandas.Series of str
        """
        keys = self.link_keys(ids, namespace, upns=upns)
        return self.pseudonymiser.pseudonymise(keys, "person")


def _lookup(index, column, target):
    if column not in index.columns:
        return pd.Series(dtype="str")
    pairs = index[[column, target]].dropna()
    return pd.Series(_text(pairs[target]).to_numpy(), index=_text(pairs[column]).to_numpy(), dtype="str")


def _text(values):
    values = pd.Series(values)
    return values.astype("str").str.strip().mask(values.isna())
