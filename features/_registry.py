"""The feature registry: every model input declared once, with its meaning and lineage.

Explanations, the model card, monotone constraints and ``riskmodel features --list``
all read this one registry, so a feature's plain-English description cannot drift
from what the builder computes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

CONCEPTS = (
    "age",
    "school exclusions",
    "attendance",
    "alternative provision",
    "NEET",
    "social care",
    "looked after",
    "missing episodes",
    "youth justice",
    "personal characteristics",
)
"""Human concepts features belong to. ``"personal characteristics"`` holds only protected
characteristics, which are inputs only where a setting allows one in writing."""

PROTECTED_CHARACTERISTICS = ("sex", "ethnicity", "disability", "sen")
"""Protected characteristics kept out of the inputs unless a setting allows one in writing."""

PROTECTED_INPUTS = ("age",)
"""Protected characteristics (Equality Act 2010) that are inputs by design; each such
feature carries its written reason, which the registry and the model card print."""


@dataclass(frozen=True)
class Feature:
    """One declared model input.

    Parameters
    ----------
    name : str
        Column name in the feature matrix.
    description : str
        Plain-English meaning, for the model card and ``--list``.
    source : str
        Tidy table(s) the value is computed from, e.g. ``"exclusions"``.
    window : str
        Look-back window in words, e.g. ``"12 months"`` or ``"on the as-of date"``.
    aggregation : str
        How records are reduced to one value, e.g. ``"count"``, ``"share"``, ``"flag"``.
    concept : str
        The human concept the feature belongs to (one of ``CONCEPTS``); explanations
        group SHAP values by it.
    statement : str
        Sentence stating a value, with ``{value}`` where the value goes,
        e.g. ``"{value} suspensions in the last 12 months"``.
    direction : int, default=0
        ``+1`` if a higher value should never lower risk, ``-1`` if it should never
        raise it, ``0`` if unknown. Used as a LightGBM monotone constraint.
    kind : str, default="numeric"
        ``"numeric"``, ``"count"``, ``"flag"`` (0/1) or ``"days"``.
    protected : str or None, default=None
        The protected characteristic this feature encodes, if any. Such a feature
        is only allowed with a written ``justification``.
    justification : str or None, default=None
        Why a protected characteristic is allowed as an input; printed on the model card.
    proxy : str or None, default=None
        What the input may stand in for when it is proxy-prone (``"area"``,
        ``"deprivation"``, ``"free school meals"``); mitigation can drop such inputs.
    """

    name: str
    description: str
    source: str
    window: str
    aggregation: str
    concept: str
    statement: str
    direction: int = 0
    kind: str = "numeric"
    protected: str | None = None
    justification: str | None = None
    proxy: str | None = None

    def format_value(self, value) -> str:
        """The value as it reads in a sentence: ``"85%"`` for a share, ``"3"`` for a count.

        Examples
        --------
        >>> Feature("n", "d", "s", "w", "share", "attendance", "{value}").format_value(0.853)
        '85%'
        """
        if value is None or pd.isna(value):
            return "no record"
        if self.aggregation == "share":
            return f"{float(value):.0%}"
        if self.kind in ("count", "flag", "days") or self.aggregation.startswith("age"):
            return f"{int(float(value))}"
        return f"{float(value):g}"

    def state(self, value) -> str:
        """The ``statement`` with the value filled in.

        Examples
        --------
        >>> f = Feature("s", "d", "exclusions", "12 months", "count", "school exclusions",
        ...             "{value} suspensions in the last 12 months", kind="count")
        >>> f.state(3.0)
        '3 suspensions in the last 12 months'
        """
        return self.statement.replace("{value}", self.format_value(value))

    def __post_init__(self) -> None:
        if self.concept not in CONCEPTS:
            raise ValueError(
                f"Feature '{self.name}' names concept '{self.concept}', which is not one of "
                f"{', '.join(CONCEPTS)}."
            )
        if self.direction not in (-1, 0, 1):
            raise ValueError(
                f"Feature '{self.name}' has direction {self.direction}; use -1, 0 or 1."
            )
        if self.protected is not None and not self.justification:
            raise ValueError(
                f"Feature '{self.name}' encodes the protected characteristic "
                f"'{self.protected}' and has no written justification; add one or remove it."
            )


@dataclass(frozen=True)
class FeatureRegistry:
    """An ordered, immutable collection of :class:`Feature` declarations."""

    features: tuple[Feature, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        names = [f.name for f in self.features]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Feature names must be unique; repeated: {', '.join(repeated)}.")

    def __iter__(self):
        return iter(self.features)

    def __len__(self) -> int:
        return len(self.features)

    def __getitem__(self, name: str) -> Feature:
        for feature in self.features:
            if feature.name == name:
                return feature
        raise KeyError(f"No feature named '{name}' in the registry.")

    @property
    def protected(self) -> list[Feature]:
        """The features that encode a protected characteristic (allowed in writing)."""
        return [f for f in self.features if f.protected is not None]

    def to_markdown(self) -> str:
        """The registry as a Markdown table (name, concept, source, window, direction, description),
        followed by each protected characteristic used as an input, with its written reason."""
        lines = [
            "| feature | concept | source | window | aggregation | direction | description |",
            "|---|---|---|---|---|---|---|",
        ]
        arrow = {1: "raises", -1: "lowers", 0: "unknown"}
        for f in self.features:
            lines.append(
                f"| `{f.name}` | {f.concept} | `{f.source}` | {f.window} | {f.aggregation} | "
                f"{arrow[f.direction]} | {f.description} |"
            )
        if self.protected:
            lines += ["", "Protected characteristics used as inputs (Equality Act 2010):", ""]
            lines += [f"- `{f.name}` encodes the protected characteristic '{f.protected}'. "
                      f"Written reason: {f.justification}" for f in self.protected]
        return "\n".join(lines)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.features]

    def monotone_constraints(self, columns: list[str]) -> list[int]:
        """Directions for ``columns`` in order; 0 for columns not in the registry."""
        directions = {f.name: f.direction for f in self.features}
        return [directions.get(c, 0) for c in columns]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([asdict(f) for f in self.features])

    def to_dict(self) -> list[dict]:
        return [asdict(f) for f in self.features]

    @classmethod
    def from_dict(cls, records: list[dict]) -> FeatureRegistry:
        return cls(tuple(Feature(**r) for r in records))
