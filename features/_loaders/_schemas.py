"""Pandera schemas of the tidy tables: the loaders' output contract, checked.

Built from :data:`~._tidy.TIDY_TABLES` (columns and dtypes) plus the value rules of
``docs/tidy-tables.md``: pseudonymous ``person_id``, code lists, upper-case codes.
:func:`check_tidy_tables` validates every table lazily and raises one error listing
every failure (columns and checks only, never values).
"""

from __future__ import annotations

import pandera.pandas as pa

from .. import _codes as codes
from ._tidy import TIDY_TABLES

PSEUDONYM = r"^[0-9a-f]{16}$"
RECORD_REF = r"^[a-z_0-9/]+\.(csv|xml):(row \d+|child \d+(/referral \d+(/(assessment|s47|cpp) \d+)?)?)$"

VALUE_CHECKS = {
    "person_id": [pa.Check.str_matches(PSEUDONYM)],
    "referral_ref": [pa.Check.str_matches(PSEUDONYM)],
    "offence_ref": [pa.Check.str_matches(PSEUDONYM)],
    "record_ref": [pa.Check.str_matches(RECORD_REF)],
    "sex": [pa.Check.isin(["M", "F", "U"])],
    "ethnicity": [pa.Check.isin([*codes.ETHNICITY, "UNKN"])],
    "ethnicity_group": [pa.Check.isin(sorted(set(codes.ETHNICITY_GROUP.values())))],
    "postcode_district": [pa.Check.str_matches(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")],
    "sen_provision": [pa.Check.isin(list(codes.SEN_PROVISION))],
    "category": [pa.Check.isin(list(codes.EXCLUSION_CATEGORY))],
    "term": [pa.Check.isin(list(codes.TERMS))],
    "activity_code": [pa.Check.isin(list(codes.NCCIS_ACTIVITY))],
    "activity_group": [pa.Check.isin(["PRE16", "EET", "NEET", "NOT_KNOWN", "OTHER"])],
    "missing_type": [pa.Check.isin(list(codes.MISSING_TYPE))],
    "legal_status": [pa.Check.isin(list(codes.LEGAL_STATUS))],
    "tier": [pa.Check.isin(list(codes.OUTCOME_TIERS))],
    "tier_rank": [pa.Check.in_range(1, len(codes.OUTCOME_TIERS))],
    "outcome_type": [pa.Check.isin(list(codes.OUTCOME_TYPE))],
    "factor": [pa.Check.isin([*codes.ASSESSMENT_FACTOR, *codes.LEGACY_ASSESSMENT_FACTOR])],
    "gravity": [pa.Check.in_range(1, 8)],
}
REQUIRED = {"person_id", "record_ref", "sex", "ethnicity", "ethnicity_group", "sources"}


def _schema(name):
    columns = {
        column: pa.Column(
            dtype, checks=VALUE_CHECKS.get(column, []),
            nullable=column not in REQUIRED and dtype not in ("bool", "int64"),
        )
        for column, dtype in TIDY_TABLES[name].items()
    }
    return pa.DataFrameSchema(columns, name=name, strict=True, ordered=True, coerce=False)


TIDY_SCHEMAS = {name: _schema(name) for name in TIDY_TABLES}


def check_tidy_tables(tables):
    """Validate every tidy table against its schema.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame

    Raises
    ------
    AssertionError
        Listing each table, column and failed check (no values), if any fail.
    """
    failures = []
    for name, schema in TIDY_SCHEMAS.items():
        try:
            schema.validate(tables[name], lazy=True)
        except pa.errors.SchemaErrors as error:
            cases = error.failure_cases[["column", "check"]].drop_duplicates()
            failures += [f"{name}.{row.column}: {row.check}" for row in cases.itertuples()]
    if failures:
        raise AssertionError("Tidy tables break their contract:\n" + "\n".join(failures))
