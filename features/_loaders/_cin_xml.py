"""Reading the CIN census XML into flat tables of strings.

The file is streamed with :func:`xml.etree.ElementTree.iterparse`, one ``Child`` at a
time, so tens of thousands of children cost little memory. Both layouts of repeated
modules are read: ``Assessments/Assessment`` and a repeated ``Assessments`` element
per assessment (likewise ``ChildProtectionPlans``). Namespaces are ignored.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd

from ._errors import DataError

CHILD_FIELDS = ("LAchildID", "UPN", "UPNunknown", "PersonBirthDate", "ExpectedPersonBirthDate",
                "GenderCurrent", "Sex", "PersonDeathDate")
REFERRAL_FIELDS = ("CINreferralDate", "ReferralSource", "PrimaryNeedCode", "CINclosureDate",
                   "ReasonForClosure", "ReferralNFA")
ASSESSMENT_FIELDS = ("AssessmentActualStartDate", "AssessmentInternalReviewDate",
                     "AssessmentAuthorisationDate")
S47_FIELDS = ("S47ActualStartDate", "InitialCPCtarget", "DateOfInitialCPC", "ICPCnotRequired")
CPP_FIELDS = ("CPPstartDate", "CPPendDate", "InitialCategoryOfAbuse", "LatestCategoryOfAbuse",
              "NumberOfPreviousCPP")
PARTS = ("children", "referrals", "assessments", "section47", "cp_plans")


def read_cin_xml(path, relpath):
    """Parse one CIN census file into raw string tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``children``, ``referrals``, ``assessments``, ``section47``, ``cp_plans``; each
        row has ``locator`` (e.g. ``"child 3/referral 1"``) and the ordinal keys of
        its parents (``child``, ``referral``).

    Raises
    ------
    DataError
        If the file is not well-formed XML (e.g. truncated) or not a CIN census.
    """
    if not path.is_file():
        raise DataError(
            f"{relpath} is not a file (it is a folder or a special file). Each year's CIN "
            "census must be one DfE CIN census XML file."
        )
    rows = {part: [] for part in PARTS}
    seen_children = False
    try:
        _, root = next(ET.iterparse(path, events=("start",)))  # the root, before reading on
        if _local(root.tag) != "Message":
            raise DataError(
                f"{relpath} is not a CIN census file: its root element is not 'Message'. "
                "Export the DfE CIN census XML."
            )
        count = 0
        for _, element in ET.iterparse(path, events=("end",)):
            tag = _local(element.tag)
            if tag == "Child":
                count += 1
                _read_child(element, count, rows)
                element.clear()
            elif tag == "Children":
                seen_children = True
    except ET.ParseError as error:
        line, column = error.position
        raise DataError(
            f"{relpath} is not well-formed XML (problem at line {line}, column {column}): "
            "the file may be truncated or damaged. Re-export the CIN census and run again."
        ) from None
    except StopIteration:
        raise DataError(f"{relpath} is empty. Re-export the CIN census and run again.") from None
    if not seen_children:
        raise DataError(
            f"{relpath} has no 'Children' element under 'Message'. Export the complete "
            "DfE CIN census XML and run again."
        )
    return {part: pd.DataFrame(rows[part], dtype="str") if rows[part] else _empty(part)
            for part in PARTS}


def _empty(part):
    fields = {"children": ("child", *CHILD_FIELDS, "Ethnicity", "Disabilities"),
              "referrals": ("child", "referral", *REFERRAL_FIELDS),
              "assessments": ("child", "referral", *ASSESSMENT_FIELDS, "Factors"),
              "section47": ("child", "referral", *S47_FIELDS),
              "cp_plans": ("child", "referral", *CPP_FIELDS)}[part]
    return pd.DataFrame({name: pd.Series(dtype="str") for name in ("locator", *fields)})


def _read_child(child, i, rows):
    where = f"child {i}"
    parts = _index(child)
    identifiers = _index(_first(parts, "ChildIdentifiers"))
    characteristics = _index(_first(parts, "ChildCharacteristics"))
    record = {"locator": where, "child": str(i), **_fields(identifiers, CHILD_FIELDS)}
    record["Ethnicity"] = _text(characteristics, "Ethnicity")
    disabilities = _index(_first(characteristics, "Disabilities")).get("Disability", ())
    codes = [_clean(d.text) for d in disabilities]
    record["Disabilities"] = ";".join(c for c in codes if c) or None
    rows["children"].append(record)
    for j, details in enumerate(parts.get("CINdetails", ()), start=1):
        _read_referral(_index(details), i, j, f"{where}/referral {j}", rows)


def _read_referral(details, i, j, where, rows):
    keys = {"child": str(i), "referral": str(j)}
    rows["referrals"].append({"locator": where, **keys, **_fields(details, REFERRAL_FIELDS)})
    for k, assessment in enumerate(_repeated(details, "Assessments", "Assessment"), start=1):
        factors = [_clean(f.text) for f in assessment.iter() if _local(f.tag) == "AssessmentFactors"]
        rows["assessments"].append({
            "locator": f"{where}/assessment {k}", **keys,
            **_fields(_index(assessment), ASSESSMENT_FIELDS),
            "Factors": ";".join(f for f in factors if f) or None,
        })
    for k, s47 in enumerate(details.get("Section47", ()), start=1):
        rows["section47"].append({"locator": f"{where}/s47 {k}", **keys, **_fields(_index(s47), S47_FIELDS)})
    for k, plan in enumerate(_repeated(details, "ChildProtectionPlans", "ChildProtectionPlan"), start=1):
        rows["cp_plans"].append({"locator": f"{where}/cpp {k}", **keys, **_fields(_index(plan), CPP_FIELDS)})


def _index(element):
    """The element's children by local tag name (one pass)."""
    found = {}
    if element is not None:
        for child in element:
            found.setdefault(_local(child.tag), []).append(child)
    return found


def _repeated(parts, outer, inner):
    found = []
    for element in parts.get(outer, ()):
        members = _index(element).get(inner)
        found.extend(members if members else [element])
    return found


def _local(tag):
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def _first(parts, name):
    found = parts.get(name)
    return found[0] if found else None


def _clean(text):
    text = (text or "").strip()
    return text or None


def _text(parts, name):
    element = _first(parts, name)
    return None if element is None else _clean(element.text)


def _fields(parts, names):
    return {name: _text(parts, name) for name in names}
