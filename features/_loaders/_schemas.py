"""Pandera schemas of the tidy tables: the one contract between the loaders and the builders.

:func:`tidy_schemas` gives one schema per table, built from :data:`~._tidy.TIDY_TABLES`
(columns and dtypes) plus the value rules of ``docs/tidy-tables.md`` (:data:`VALUE_RULES`:
pseudonymous ``person_id``, code lists, upper-case codes). Each column's
``metadata["read"]`` says whether the feature builders, labels or groups read it, and
:func:`required_columns` is derived from it. The schemas are built, and pandera imported
(about 0.8 s), the first time a table is checked, not when the library is imported. The
one schema is checked in two places, at two depths:

- :func:`check_tidy_tables`, where the tables leave :func:`features.load_extracts`: every
  column, dtype, missing value and value check (the regexes on every pseudonym and record
  reference, the code lists). About 0.4 s for 50,000 young people (1.9 million rows), two
  tables at a time (:data:`CHECK_THREADS`).
- :func:`check_tables`, where tables enter the builders (``build_features``,
  ``build_labels``, the distributed build, one person's build for an explanation): every
  table present, the columns read present with the right kind of dtype, no row without a
  ``person_id`` and one ``people`` row per person. A few milliseconds.

Both report every failure at once, naming tables, columns and checks, never values.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import cache, partial

import pandas as pd

from .. import _codes as codes
from ._tidy import TIDY_TABLES

PSEUDONYM = r"^[0-9a-f]{16}$"
RECORD_REF = r"^[a-z_0-9/]+\.(csv|xml):(row \d+|child \d+(/referral \d+(/(assessment|s47|cpp) \d+)?)?)$"

# Each column's value check, as (pandera.Check method, its arguments).
VALUE_RULES = {
    "person_id": ("str_matches", PSEUDONYM),
    "referral_ref": ("str_matches", PSEUDONYM),
    "offence_ref": ("str_matches", PSEUDONYM),
    "record_ref": ("str_matches", RECORD_REF),
    "sex": ("isin", ["M", "F", "U"]),
    "ethnicity": ("isin", [*codes.ETHNICITY, "UNKN"]),
    "ethnicity_group": ("isin", sorted(set(codes.ETHNICITY_GROUP.values()))),
    "postcode_district": ("str_matches", r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"),
    "sen_provision": ("isin", list(codes.SEN_PROVISION)),
    "category": ("isin", list(codes.EXCLUSION_CATEGORY)),
    "term": ("isin", list(codes.TERMS)),
    "activity_code": ("isin", list(codes.NCCIS_ACTIVITY)),
    "activity_group": ("isin", ["PRE16", "EET", "NEET", "NOT_KNOWN", "OTHER"]),
    "missing_type": ("isin", list(codes.MISSING_TYPE)),
    "legal_status": ("isin", list(codes.LEGAL_STATUS)),
    "tier": ("isin", list(codes.OUTCOME_TIERS)),
    "tier_rank": ("in_range", 1, len(codes.OUTCOME_TIERS)),
    "outcome_type": ("isin", list(codes.OUTCOME_TYPE)),
    "factor": ("isin", [*codes.ASSESSMENT_FACTOR, *codes.LEGACY_ASSESSMENT_FACTOR]),
    "gravity": ("in_range", 1, 8),
}
NOT_NULL = {"person_id", "record_ref", "sex", "ethnicity", "ethnicity_group", "sources"}

# The columns the feature builders, labels and groups read, per table (the schema's ``read``).
READ = {
    "people": {"person_id", "birth_month", "sex", "ethnicity", "ethnicity_group", "postcode_district",
               "disability"},
    "pupils": {"person_id", "census_date", "sen_provision", "fsm_eligible", "postcode_district", "record_ref"},
    "exclusions": {"person_id", "start_date", "category", "reasons", "sessions", "record_ref"},
    "attendance": {"person_id", "academic_year", "term", "term_end", "sessions_possible", "sessions_authorised",
                   "sessions_unauthorised", "record_ref"},
    "ap_placements": {"person_id", "census_date", "entry_date", "leaving_date", "setting_type", "primary_reason",
                      "record_ref"},
    "nccis_activity": {"person_id", "month_end", "activity_code", "activity_group", "record_ref"},
    "cin_referrals": {"person_id", "referral_date", "closure_date", "referral_source", "primary_need",
                      "record_ref"},
    "cin_assessment_factors": {"person_id", "assessment_authorised", "factor", "record_ref"},
    "cin_section47": {"person_id", "s47_start", "record_ref"},
    "cin_cp_plans": {"person_id", "cpp_start", "cpp_end", "latest_category", "record_ref"},
    "cla_episodes": {"person_id", "decom", "dec", "rne", "legal_status", "place", "record_ref"},
    "cla_missing": {"person_id", "missing_type", "start", "record_ref"},
    "cla_oc2": {"person_id", "year_end", "substance_misuse", "record_ref"},
    "yj_offences": {"person_id", "offence_ref", "offence_date", "recorded_date", "ho_class", "yjb_category",
                    "knife_flag", "record_ref"},
    "yj_outcomes": {"person_id", "offence_ref", "outcome_date", "outcome_type", "tier", "tier_rank",
                    "record_ref"},
}

# The kind of dtype the builders need, by the schema's dtype (nullable variants accepted).
KINDS = {
    "str": ("text", pd.api.types.is_string_dtype),
    "datetime64[ns]": ("dates", pd.api.types.is_datetime64_any_dtype),
    "bool": ("true/false", pd.api.types.is_bool_dtype),
    "boolean": ("true/false", pd.api.types.is_bool_dtype),
    "int64": ("whole numbers", pd.api.types.is_integer_dtype),
    "Int64": ("whole numbers", pd.api.types.is_integer_dtype),
    "float64": ("numbers", lambda dtype: pd.api.types.is_numeric_dtype(dtype)
                and not pd.api.types.is_bool_dtype(dtype)),
}


def _schema(pa, name: str):
    def checks(column):
        if column not in VALUE_RULES:
            return []
        method, *arguments = VALUE_RULES[column]
        return [getattr(pa.Check, method)(*arguments)]

    columns = {
        column: pa.Column(
            dtype, checks=checks(column),
            nullable=column not in NOT_NULL and dtype not in ("bool", "int64"),
            metadata={"read": column in READ[name]},
        )
        for column, dtype in TIDY_TABLES[name].items()
    }
    return pa.DataFrameSchema(columns, name=name, strict=True, ordered=True, coerce=False)


@cache
def tidy_schemas() -> dict:
    """The full schema of each tidy table (``pandera.DataFrameSchema`` by table name)."""
    import pandera.pandas as pa

    return {name: _schema(pa, name) for name in TIDY_TABLES}


def required_columns() -> dict[str, tuple[str, ...]]:
    """The columns the builders, labels and groups read, by table: the schemas' ``read`` columns."""
    return {
        name: tuple(column for column, spec in schema.columns.items() if spec.metadata["read"])
        for name, schema in tidy_schemas().items()
    }


def _kind_check(pa, dtype: str):
    kind, test = KINDS[dtype]
    return pa.Check(lambda series: bool(test(series.dtype)), name=f"dtype is {kind}", error=f"dtype is {kind}")


@cache
def entry_schemas() -> dict:
    """The builders' cheap check of each table: its schema's read columns, their dtype kind, person_id."""
    import pandera.pandas as pa

    return {
        name: pa.DataFrameSchema({
            column: pa.Column(
                None, checks=[_kind_check(pa, TIDY_TABLES[name][column])], nullable=column != "person_id",
                unique=name == "people" and column == "person_id", report_duplicates="exclude_first",
            )
            for column in columns
        }, name=name, strict=False, coerce=False)
        for name, columns in required_columns().items()
    }


CHECK_THREADS = 2
"""Tables checked at once. Much of a check (the regular expressions on every pseudonym and
record reference, the code lists) runs in Arrow outside the interpreter lock: two threads
check the 50,000 young people's tidy tables in 0.36 s against 0.6 s for one."""


def _failures(schemas, tables) -> pd.DataFrame:
    """Every failed (table, column, check), with how many rows failed, from lazy validation,
    in the order of ``schemas``."""
    with ThreadPoolExecutor(CHECK_THREADS, thread_name_prefix="riskmodel-check") as pool:
        found = [cases for cases in pool.map(partial(_table_failures, tables), schemas.items()) if cases is not None]
    return pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=["table", "column", "check", "n"])


def _table_failures(tables, named_schema) -> pd.DataFrame | None:
    from pandera.errors import SchemaErrors

    name, schema = named_schema
    try:
        schema.validate(tables[name], lazy=True)
    except SchemaErrors as error:
        cases = error.failure_cases.assign(table=name)
        absent = cases["check"] == "column_in_dataframe"  # the case is then the absent column's name
        cases["column"] = cases["column"].where(~absent, cases["failure_case"].astype(str))
        return (cases.groupby(["table", "column", "check"], sort=False, dropna=False).size()
                .rename("n").reset_index())
    return None


def check_tidy_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Validate every tidy table against its full schema, as the loaders hand it on.

    Every column, dtype, missing value and value check (pseudonyms, record references,
    code lists); :func:`features.load_extracts` calls it on what it returns.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame

    Raises
    ------
    ValueError
        Listing each table, column and failed check (no values), if any fail.
    """
    failures = _failures(tidy_schemas(), tables)
    if len(failures):
        listed = [f"{row.table}.{row.column}: {row.check}" for row in failures.drop_duplicates(
            ["table", "column", "check"]).itertuples()]
        raise ValueError("The tidy tables break their contract (docs/tidy-tables.md):\n" + "\n".join(listed))


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Refuse tables the builders cannot read, naming each table, column and check.

    The cheap part of :func:`tidy_schemas`: every table present, the columns the
    builders read present with the right kind of dtype (text, dates, true/false, whole
    numbers, numbers; nullable variants accepted), no row without a ``person_id``, one
    ``people`` row per person. Values are not checked here (see :func:`check_tidy_tables`).

    Raises
    ------
    ValueError
        If a table or column is missing, or a check fails; the message names tables,
        columns and checks, never values.
    """
    missing_tables = sorted(set(TIDY_TABLES) - set(tables))
    if missing_tables:
        raise ValueError(
            f"The tables given lack {', '.join(missing_tables)}; pass Extracts.tables from "
            "features.load_extracts, which always holds every table (see docs/tidy-tables.md)."
        )
    failures = _failures(entry_schemas(), tables)
    checks = failures["check"].astype(str)
    for failed, explain in _EXPLAINED:
        rows = failures[failed(checks)]
        if len(rows):
            raise ValueError(explain(rows))


def _by_table(rows: pd.DataFrame, names: pd.Series) -> str:
    grouped = names.groupby(rows["table"])
    return "; ".join(f"{table}: {', '.join(sorted(group))}" for table, group in grouped)


def _missing_columns(rows: pd.DataFrame) -> str:
    return (f"Some tables lack columns the feature builders read ({_by_table(rows, rows['column'])}); "
            "the columns are listed in docs/tidy-tables.md.")


def _wrong_dtypes(rows: pd.DataFrame) -> str:
    named = rows["column"] + " (" + rows["check"].str.removeprefix("dtype is ") + ")"
    return (f"Some columns the feature builders read have the wrong type ({_by_table(rows, named)}); each "
            "column's type is in docs/tidy-tables.md, and features.load_extracts gives them so.")


def _missing_person_ids(rows: pd.DataFrame) -> str:
    return (f"Some tables have rows without a person_id ({', '.join(sorted(rows['table']))}); every row "
            "must name its person, as features.load_extracts gives them.")


def _repeated_people(rows: pd.DataFrame) -> str:
    return (f"The people table lists {int(rows['n'].sum())} person(s) more than once; it must hold one row "
            "per person_id, as features.load_extracts gives it.")


# Which failed checks each message explains, in the order a user should mend them.
_EXPLAINED = (
    (lambda checks: checks == "column_in_dataframe", _missing_columns),
    (lambda checks: checks.str.startswith("dtype is "), _wrong_dtypes),
    (lambda checks: checks == "not_nullable", _missing_person_ids),
    (lambda checks: checks == "field_uniqueness", _repeated_people),
)
