"""A draft Algorithmic Transparency Recording Standard (ATRS) record.

The record follows the ATRS tier 1 and tier 2 headings. It fills in what the
audit knows (data size, groups audited, performance, fairness findings,
settings) and marks everything only people can write with
"[To be completed by ...]".
"""

from __future__ import annotations

from pathlib import Path

from ._format import fmt_interval, overall_sentence, verdict_summary
from ._text import JUDGEMENT_STATEMENT, POLICING_NOTE

__all__ = ["write_transparency_record", "transparency_record"]


def _gap(who: str, what: str) -> str:
    return f"[To be completed by {who}: {what}]"


def write_transparency_record(result, path, *, context=None) -> Path:
    """Write a draft ATRS record (markdown) for an audit.

    Parameters
    ----------
    result : AuditResult
        The audit to describe.
    path : str or Path
        Where to write the markdown file.
    context : dict, default=None
        ``title``, ``model_name``, ``model_version``, ``label_definition``,
        ``data_dates``, ``organisation``, ``contact_email`` and similar, used
        where given.

    Returns
    -------
    Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(transparency_record(result.to_dict(), context=context), encoding="utf-8")
    return path


def transparency_record(payload: dict, *, context=None) -> str:
    """Return the draft record as markdown text."""
    ctx = dict(context or {})
    sections = [_title(ctx), _tier1(ctx), _owner(ctx), _rationale(ctx), _decisions(ctx),
                _tool(payload, ctx), _risks(payload, ctx)]
    return "\n\n".join(_spaced(section) for section in sections).rstrip() + "\n"


def _spaced(section: str) -> str:
    """Put a blank line between blocks, keeping consecutive list items together."""
    lines = [line for line in section.split("\n") if line.strip()]
    out = lines[:1]
    for previous, line in zip(lines, lines[1:]):
        tight = previous.startswith("- ") and line.startswith("- ")
        out.append(("\n" if tight else "\n\n") + line)
    return "".join(out)


def _get(ctx, key, who, what) -> str:
    value = ctx.get(key)
    return str(value) if value else _gap(who, what)


def _title(ctx) -> str:
    name = ctx.get("model_name") or ctx.get("title") or "Knife-crime risk score"
    return (
        f"# Algorithmic transparency record (draft): {name}\n\n"
        "Draft generated from a fairness audit. Sections in square brackets must be written by "
        "the people named before the record is published. Standard: Algorithmic Transparency "
        "Recording Standard (ATRS), tier 1 and tier 2.\n\n"
        f"> {JUDGEMENT_STATEMENT}"
    )


def _tier1(ctx) -> str:
    return "\n".join([
        "## Tier 1: Summary information",
        "### Name",
        _get(ctx, "model_name", "the senior responsible owner", "the tool's public name"),
        "### Description",
        "A statistical model gives each young person aged 10 to 18 a score for the chance of "
        "involvement in knife crime in the following months, from records the local authority "
        "already holds. Practitioners use the score, with their own knowledge, to decide whom "
        "to offer voluntary preventative support. The score does not decide anything by itself.",
        _gap("the service lead", "how and why the tool is used locally, in plain English"),
        "### Website URL",
        _get(ctx, "website", "the communications team", "a public page about the tool"),
        "### Contact email",
        _get(ctx, "contact_email", "the data protection officer", "a contact address"),
    ])


def _owner(ctx) -> str:
    return "\n".join([
        "## Tier 2: Owner and responsibility",
        "### Organisation or department",
        _get(ctx, "organisation", "the senior responsible owner", "the organisation"),
        "### Team",
        _get(ctx, "team", "the senior responsible owner", "the responsible team"),
        "### Senior responsible owner",
        _get(ctx, "senior_responsible_owner", "the organisation", "the role of the SRO"),
        "### External supplier involvement",
        _get(ctx, "supplier", "the procurement lead", "any supplier, its role and data access terms"),
    ])


def _rationale(ctx) -> str:
    return "\n".join([
        "## Tier 2: Description and rationale",
        "### Detailed description",
        "Scores come from a model trained on the local authority's statutory extracts "
        "(children looked after, children in need, school census, alternative provision, "
        "NEET activity and youth justice records) using only information recorded before "
        "each assessment date.",
        "### Outcome the model predicts",
        _get(ctx, "label_definition", "the data science lead", "the label definition in force"),
        "### Scope",
        _gap("the service lead", "who is scored, how often, and what is out of scope"),
        "### Benefit",
        _gap("the service lead", "which decision the scores improve and how that will be measured"),
        "### Previous process",
        _gap("the service lead", "how young people were identified for support before"),
        "### Alternatives considered",
        _gap("the data science lead", "simpler rules and baselines considered, with results"),
    ])


def _decisions(ctx) -> str:
    return "\n".join([
        "## Tier 2: Decision-making process",
        "### Process integration",
        "The score is one input to a practitioner's assessment; a flag prompts a review, "
        "never an action by itself.",
        _gap("the service lead", "where in the referral process the score is seen"),
        "### Provided information",
        "As the library provides them (edit if the local process differs): a calibrated "
        "probability, a 1 to 20 position, a band and a plain-English explanation citing the "
        "dated records behind the score.",
        "### Frequency and scale of usage",
        _gap("the service lead", "how often scores are produced and how many young people are scored"),
        "### Human decisions and review",
        _gap("the service lead", "who reviews flags, how disagreements are recorded, and how overrides are audited"),
        "### Required training",
        _gap("the workforce development lead", "training given before practitioners see scores"),
        "### Appeals and review",
        "A young person or family can ask what records were held and used for their score (a subject "
        "access request under UK GDPR Article 15): the case page lists each reason with the dated records "
        "behind it. If a record is wrong, they can ask for it to be corrected (Article 16); the source "
        "system's record is corrected, the corrected extract is loaded, and the young person is re-scored "
        "with the same model version, the earlier score being withdrawn. A practitioner, not the score, "
        "makes every decision, and a disagreement with the score is recorded.",
        _gap("the data protection officer", "where requests go, who answers them, the time limit, and how a "
             "re-scored record and its outcome are confirmed to the family"),
    ])


def _tool(payload, ctx) -> str:
    s = payload["settings"]
    return "\n".join([
        "## Tier 2: Tool specification",
        "### System architecture",
        "An open-source Python library: loaders and validation of the statutory extracts, "
        "point-in-time features, a gradient-boosted tree model with calibrated probabilities, "
        "explanations, and this fairness audit.",
        "### Phase",
        _get(ctx, "phase", "the senior responsible owner", "pilot, production or retired"),
        "### Maintenance",
        _gap("the data science lead", "how often the model is retrained and re-audited"),
        "### Model",
        f"- Model: {_get(ctx, 'model_name', 'the data science lead', 'model name')}",
        f"- Version: {_get(ctx, 'model_version', 'the data science lead', 'model version')}",
        f"- Data dates: {_get(ctx, 'data_dates', 'the data science lead', 'training and test dates')}",
        "### Model performance (from this audit)",
        overall_sentence(payload),
        *_performance_lines(payload),
        "### Datasets",
        f"- Rows audited: {s['n_rows']:,}; groups audited: {', '.join(s['group_columns'])}.",
        _gap("the data protection officer", "data sources, sharing agreements, storage and access"),
    ])


def _performance_lines(payload) -> list[str]:
    m = payload["overall"]["metrics"]
    names = [("roc_auc", "ROC AUC"), ("ppv", "Precision"), ("tpr", "Recall"), ("brier", "Brier score")]
    return [f"- {label}: {fmt_interval(key, m[key])}" for key, label in names if key in m]


def _risks(payload, ctx) -> str:
    summary = verdict_summary(payload)
    counts = summary["counts"]
    s = payload["settings"]
    lines = [
        "## Tier 2: Risks, mitigations and impact assessments",
        "### Impact assessments",
        "A draft DPIA is generated beside this record (dpia_draft.md).",
        _gap("the data protection officer", "DPIA and equality impact assessment, with dates and links"),
        "### Fairness audit",
        f"Groups were compared with a reference group on the share missed, the share flagged, "
        f"false positives and false discoveries, with {s['n_boot']} bootstrap replicates and a "
        f"tolerance band of {s['tolerance_band'][0]:.2f} to {s['tolerance_band'][1]:.2f}. "
        f"Outside tolerance: {counts['outside tolerance']}; insufficient evidence: "
        f"{counts['insufficient evidence']}; within tolerance: {counts['within tolerance']}; "
        f"withheld for small numbers: {counts['withheld']}.",
        *[f"- {finding}" for finding in summary["findings"]],
        f"Groups or intersections with fewer than {s['min_cell']} young people are withheld, "
        f"with secondary suppression so their counts cannot be worked out from totals "
        f"({len(payload['suppression'])} withheld in all).",
        "### Known limitations",
        POLICING_NOTE,
        "### Risks and mitigations",
        _gap("the ethics panel", "risks identified (including stigma, over-policing and missed young people) and the mitigation for each"),
    ]
    return "\n".join(lines)
