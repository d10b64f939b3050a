"""The CIN census XML, one file per collection year, written by string building.

Element names and order follow the DfE CIN census: ``Message/Header`` then
``Children/Child`` with ``ChildIdentifiers``, ``ChildCharacteristics`` and one
``CINdetails`` per referral; as in the DfE schema, each assessment is one repeated
``Assessments`` element and each plan one repeated ``ChildProtectionPlans`` element.
Strings are built column-wise with numpy, never one DOM node at a time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._care_tables import MF_SEX_FROM_YEAR
from ._dates import day, iso
from ._ids import LA_NUMBER



def cin_xml(year, referrals, children):
    """The text of ``cin/<year>.xml``.

    Parameters
    ----------
    year : int
        Calendar year in which the collection year ends (31 March).
    referrals : pandas.DataFrame
        Referrals open at some time in the year (day numbers, -1 for none).
    children : pandas.DataFrame
        One row per child in ``referrals``: ``person``, ``la_child_id``, ``upn``
        (blank under 5), ``dob``, ``sex`` (``M``/``F``), ``ethnicity``, ``disability``.

    Returns
    -------
    str
    """
    return "".join(cin_xml_parts(year, referrals, children))


def cin_xml_parts(year, referrals, children):
    """The message's opening (header), its ``Child`` elements and its closing tags.

    A file written block by block of children is the opening, every block's children
    in turn, then the closing; with one block it is :func:`cin_xml`.

    Returns
    -------
    tuple of str
        ``(head, children, tail)``.
    """
    year_end = day(f"{year}-03-31")
    details = _details(referrals, year_end)
    per_child = pd.Series(details).groupby(referrals["person"].to_numpy()).agg("".join)
    body = _child_open(children, year) + per_child.reindex(children["person"].to_numpy()).to_numpy() + "</Child>"
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<Message>'
        f"<Header><CollectionDetails><Collection>CIN</Collection><Year>{year}</Year>"
        f"<ReferenceDate>{year}-03-31</ReferenceDate></CollectionDetails>"
        f"<Source><SourceLevel>L</SourceLevel><LEA>{LA_NUMBER}</LEA><SoftwareCode>riskmodel-synth</SoftwareCode>"
        f"<Release>1</Release><SerialNo>1</SerialNo><DateTime>{year}-04-15T09:00:00</DateTime></Source></Header>"
        "<Children>"
    )
    return head, "".join(body.tolist()), "</Children></Message>\n"


def _el(tag, values, present=None):
    values = np.asarray(values, dtype=object).astype(str)
    text = np.strings.add(np.strings.add(f"<{tag}>", values), f"</{tag}>")
    if present is not None:
        text = np.where(present, text, "")
    return text.astype(object)


def _date_el(tag, days, year_end):
    days = np.asarray(days, dtype=np.int64)
    shown = (days >= 0) & (days <= year_end)
    return _el(tag, iso(np.where(shown, days, 0)), shown)


def _child_open(children, year):
    n = len(children)
    upn = children["upn"].to_numpy().astype(str)
    has_upn = upn != ""
    if year >= MF_SEX_FROM_YEAR:  # GenderCurrent (1/2) to 2023-24, Sex (M/F) from 2024-25
        sex = _el("Sex", children["sex"].to_numpy())
    else:
        sex = _el("GenderCurrent", np.where(children["sex"].to_numpy() == "M", "1", "2"))
    ident = ("<Child><ChildIdentifiers>" + _el("LAchildID", children["la_child_id"].to_numpy())
             + _el("UPN", upn, has_upn) + _el("UPNunknown", np.full(n, "UN1"), ~has_upn)
             + _el("PersonBirthDate", iso(children["dob"].to_numpy())) + sex + "</ChildIdentifiers>")
    disability = _el("Disability", children["disability"].to_numpy())
    return (ident + "<ChildCharacteristics>" + _el("Ethnicity", children["ethnicity"].to_numpy())
            + "<Disabilities>" + disability + "</Disabilities></ChildCharacteristics>")


def _details(r, year_end):
    closed = (r["closure_day"].to_numpy() <= year_end)
    n = len(r)
    out = ("<CINdetails>" + _date_el("CINreferralDate", r["referral_day"], year_end)
           + _el("ReferralSource", r["source"].to_numpy()) + _el("PrimaryNeedCode", r["need"].to_numpy())
           + _date_el("CINclosureDate", r["closure_day"], year_end)
           + _el("ReasonForClosure", r["closure_reason"].to_numpy(), closed)
           + _date_el("DateOfInitialCPC", r["icpc_day"], year_end)
           + _el("ReferralNFA", np.where(r["nfa"].to_numpy(), "true", "false")))
    out = out + _plan_dates(r, year_end) + _assessment(r, year_end) + _section47(r, year_end) + _cpp(r, year_end)
    return (out + "</CINdetails>") if n else np.array([], dtype=object)


def _plan_dates(r, year_end):
    started = (r["plan_start"].to_numpy() >= 0) & (r["plan_start"].to_numpy() <= year_end)
    inner = _date_el("CINPlanStartDate", r["plan_start"], year_end) + _date_el("CINPlanEndDate", r["plan_end"], year_end)
    return np.where(started, "<CINPlanDates>" + inner + "</CINPlanDates>", "")


def _assessment(r, year_end):
    started = (r["assess_start"].to_numpy() >= 0) & (r["assess_start"].to_numpy() <= year_end)
    authorised = (r["assess_auth"].to_numpy() >= 0) & (r["assess_auth"].to_numpy() <= year_end)
    factors = r["factors"].astype(str)
    listed = ("<FactorsIdentifiedAtAssessment><AssessmentFactors>"
              + factors.str.replace(";", "</AssessmentFactors><AssessmentFactors>", regex=False)
              + "</AssessmentFactors></FactorsIdentifiedAtAssessment>").to_numpy(dtype=object)
    factor_xml = np.where(authorised & (factors != "").to_numpy(), listed, "").astype(object)
    inner = (_date_el("AssessmentActualStartDate", r["assess_start"], year_end)
             + _date_el("AssessmentAuthorisationDate", r["assess_auth"], year_end) + factor_xml)
    return np.where(started, "<Assessments>" + inner + "</Assessments>", "")


def _section47(r, year_end):
    s47 = r["s47_day"].to_numpy()
    started = (s47 >= 0) & (s47 <= year_end)
    icpc = r["icpc_day"].to_numpy()
    not_required = (icpc < 0) | (icpc > year_end)
    inner = (_date_el("S47ActualStartDate", s47, year_end)
             + _el("InitialCPCtarget", iso(np.maximum(s47, 0) + 21))
             + _date_el("DateOfInitialCPC", icpc, year_end)
             + _el("ICPCnotRequired", np.where(not_required & (icpc < 0), "true", "false")))
    return np.where(started, "<Section47>" + inner + "</Section47>", "")


def _cpp(r, year_end):
    start = r["cpp_start"].to_numpy()
    started = (start >= 0) & (start <= year_end)
    category = r["cpp_category"].to_numpy()
    inner = (_date_el("CPPstartDate", start, year_end) + _date_el("CPPendDate", r["cpp_end"], year_end)
             + _el("InitialCategoryOfAbuse", category) + _el("LatestCategoryOfAbuse", category)
             + _el("NumberOfPreviousCPP", np.zeros(len(r), dtype=np.int64)))
    return np.where(started, "<ChildProtectionPlans>" + inner
                    + "</ChildProtectionPlans>", "")
