"""Training configuration: one dataclass, loadable from a TOML or JSON file.

Every choice a governance panel or data scientist may want to see or change lives here:
seeds, horizon, the temporal split, the search size, calibration methods, band thresholds,
the capacities reported, and the fit-for-use thresholds set *before* looking at results.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from features import DEFAULT_RECORDING_LAG_MONTHS

CALIBRATION_METHODS = ("isotonic", "sigmoid")
CALIBRATION_SCORES = ("log_loss", "brier")


@dataclass(frozen=True)
class TrainingConfig:
    """Settings for :func:`training.train_model`.

    Parameters
    ----------
    random_state : int, default=0
        Seed for the hyperparameter search, LightGBM, cross-fitting and the bootstrap.
    horizon_months : int, default=12
        Label window length; also the gap left between train, validation and test periods.
    validation_fraction, test_fraction : float, default=0.2
        Share of the distinct as-of dates given to validation and test (at least one each),
        used when ``validation_start`` / ``test_start`` are not given.
    validation_start, test_start : str or None, default=None
        First as-of date (``YYYY-MM-DD``) of the validation and test periods, overriding the fractions.
    n_search : int, default=8
        Number of hyperparameter configurations tried (seeded random draws).
    num_boost_round : int, default=500
        Upper limit on trees; early stopping on the validation period usually stops far sooner.
    early_stopping_rounds : int, default=50
        Rounds without improvement of validation ROC AUC (evaluated every 5 rounds) before stopping.
    num_threads : int or None, default=None
        LightGBM threads; ``None`` uses one fewer than this machine's cores, at most 4.
        Recorded with the run: results are identical for the same data, configuration and
        thread count.
    calibration_methods : tuple of str, default=("isotonic", "sigmoid")
        Candidate calibrators, chosen by cross-fitted score on the validation period.
    calibration_score : {"log_loss", "brier"}, default="log_loss"
    calibration_folds : int, default=5
        Person-grouped folds of the validation period used to choose the calibrator.
    n_boot : int, default=500
        Bootstrap replicates (clustered by person) for the test-period intervals.
    audit_n_boot : int, default=200
        Bootstrap replicates for the fairness audit of the test period.
    capacities : tuple of int, default=(50, 100, 200)
        Caseload sizes K for precision and recall at the top K (per as-of date).
    capacity_shares : tuple of float, default=(0.01, 0.05)
        Top shares of each as-of date's cohort for precision and recall.
    capacity : int, default=100
        The caseload the verdict is judged at.
    min_precision_at_capacity : float, default=0.05
    min_roc_auc : float, default=0.7
    min_auc_lift_over_rule : float, default=0.02
    min_precision_lift_over_rule : float, default=0.0
        Fit-for-use thresholds; each is met only when the lower end of its interval reaches it.
        The lifts are the model minus the simple rule (precision at ``capacity``).
    calibration_slope_range : tuple of float, default=(0.8, 1.25)
        Fit-for-use range of the test-period calibration slope (ideal 1): met only when its
        whole interval lies inside, not met when the whole interval lies outside.
    max_ece : float, default=0.01
        Fit-for-use ceiling on the test-period expected calibration error (probability
        units, ten equal-count bins): met only when the upper end of its interval is at most
        this. With an outcome near 1%, one percentage point is as large as the base rate
        itself, so a panel may well set it lower.
    max_plausible_roc_auc : float, default=0.85
        Ceiling of a believable test ROC AUC: met only when the upper end of its interval
        is at most this, else uncertain (never a pass). Deployed tools of this kind reach
        about 0.76 (the Allegheny Family Screening Tool), so a model far above them more
        often has a leak (a feature that records the outcome) or, on synthetic data,
        effects stronger than the published figures, than skill.
    fairness_tolerance : float, default=0.8
        The audit's tolerance band for a disparity ratio, ``[tolerance, 1 / tolerance]``.
    fairness_metrics : tuple of str, default=("fnr", "fpr")
        Audit metrics whose disparities the verdict reads: any group or intersection
        "outside tolerance" makes the model not fit for use; any group with "insufficient
        evidence" keeps it from being shown fit.
    recording_lag_months : int, default=3
        Months a label window must end before the youth justice extract's end, when
        training straight from extracts (``features.build_features``).
    band_thresholds : dict, default={"high": 0.05, "raised": 0.01, "low": 0.0}
        Minimum calibrated probability of each band; placeholders until the panel sets them.
    rule_features : tuple of str or None, default=None
        Features whose any positive value flags the simple rule; ``None`` finds them in the
        registry (prior youth justice outcomes, permanent exclusions).

    Examples
    --------
    >>> config = TrainingConfig(n_search=4, capacities=[25, 50])
    >>> config.n_search, config.capacities
    (4, (25, 50))
    >>> TrainingConfig(horizon_months=0)
    Traceback (most recent call last):
    ...
    ValueError: Invalid training configuration: 'horizon_months' must be a whole number of months from 1 to 36; got 0.
    """

    random_state: int = 0
    horizon_months: int = 12
    validation_fraction: float = 0.2
    test_fraction: float = 0.2
    validation_start: str | None = None
    test_start: str | None = None
    n_search: int = 8
    num_boost_round: int = 500
    early_stopping_rounds: int = 50
    num_threads: int | None = None
    calibration_methods: tuple[str, ...] = CALIBRATION_METHODS
    calibration_score: str = "log_loss"
    calibration_folds: int = 5
    n_boot: int = 500
    audit_n_boot: int = 200
    capacities: tuple[int, ...] = (50, 100, 200)
    capacity_shares: tuple[float, ...] = (0.01, 0.05)
    capacity: int = 100
    min_precision_at_capacity: float = 0.05
    min_roc_auc: float = 0.7
    min_auc_lift_over_rule: float = 0.02
    min_precision_lift_over_rule: float = 0.0
    calibration_slope_range: tuple[float, float] = (0.8, 1.25)
    max_ece: float = 0.01
    max_plausible_roc_auc: float = 0.85
    fairness_tolerance: float = 0.8
    fairness_metrics: tuple[str, ...] = ("fnr", "fpr")
    recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS
    band_thresholds: dict = field(default_factory=lambda: {"high": 0.05, "raised": 0.01, "low": 0.0})
    rule_features: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("calibration_methods", "capacities", "capacity_shares", "rule_features",
                     "calibration_slope_range", "fairness_metrics"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        _check(self)

    @property
    def reported_capacities(self) -> tuple[int, ...]:
        """Every caseload whose precision and recall are reported: ``capacities`` and ``capacity``."""
        return tuple(sorted({*self.capacities, self.capacity}))

    def to_dict(self) -> dict:
        """Plain dictionary (lists for tuples), as written to the run and the model card."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def load_config(path) -> TrainingConfig:
    """Read a :class:`TrainingConfig` from a TOML or JSON file.

    Unknown keys are refused, so a misspelt setting cannot be silently ignored. A TOML file
    may hold the settings at the top level or under a ``[training]`` table.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file is not TOML or JSON, names an unknown setting, or a value is out of range.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The training configuration file '{path}' does not exist.")
    settings = _read(path)
    settings = settings.get("training", settings)
    known = {f.name for f in fields(TrainingConfig)}
    unknown = sorted(set(settings) - known)
    if unknown:
        raise ValueError(
            f"The training configuration '{path.name}' has unknown setting(s): {', '.join(unknown)}. "
            f"Allowed settings: {', '.join(sorted(known))}."
        )
    return TrainingConfig(**settings)


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(
            f"The training configuration '{path.name}' could not be read as "
            f"{'JSON' if path.suffix.lower() == '.json' else 'TOML'}: {error}. Fix the file's syntax."
        ) from None


def _check(config: TrainingConfig) -> None:
    problems = []
    if not 1 <= config.horizon_months <= 36:
        problems.append(f"'horizon_months' must be a whole number of months from 1 to 36; got {config.horizon_months}")
    for name in ("validation_fraction", "test_fraction"):
        if not 0 < getattr(config, name) < 0.5:
            problems.append(f"'{name}' must be above 0 and below 0.5; got {getattr(config, name)}")
    for name in ("n_search", "num_boost_round", "early_stopping_rounds", "capacity", "n_boot", "audit_n_boot"):
        if getattr(config, name) < 1:
            problems.append(f"'{name}' must be at least 1; got {getattr(config, name)}")
    if config.calibration_folds < 2:
        problems.append(f"'calibration_folds' must be at least 2; got {config.calibration_folds}")
    bad = [m for m in config.calibration_methods if m not in CALIBRATION_METHODS]
    if bad or not config.calibration_methods:
        problems.append(f"'calibration_methods' must be drawn from {', '.join(CALIBRATION_METHODS)}")
    if config.calibration_score not in CALIBRATION_SCORES:
        problems.append(f"'calibration_score' must be one of {', '.join(CALIBRATION_SCORES)}; got {config.calibration_score!r}")
    if any(k < 1 for k in config.capacities) or any(not 0 < s < 1 for s in config.capacity_shares):
        problems.append("'capacities' must be positive whole numbers and 'capacity_shares' between 0 and 1")
    problems += _verdict_problems(config)
    if problems:
        raise ValueError("Invalid training configuration: " + "; ".join(problems) + ".")


FAIRNESS_METRICS = ("fnr", "fpr", "selection_rate", "tpr", "ppv", "npv")


def _verdict_problems(config: TrainingConfig) -> list[str]:
    problems = []
    slope = config.calibration_slope_range
    if len(slope) != 2 or not 0 < slope[0] < 1 < slope[1]:
        problems.append(f"'calibration_slope_range' must be two numbers, one below 1 and one above it; got {list(slope)}")
    if not 0 < config.max_ece < 1:
        problems.append(f"'max_ece' must be above 0 and below 1; got {config.max_ece}")
    if not 0.5 < config.max_plausible_roc_auc <= 1 or config.max_plausible_roc_auc <= config.min_roc_auc:
        problems.append(f"'max_plausible_roc_auc' must be above 0.5 and 'min_roc_auc', and at most 1; "
                        f"got {config.max_plausible_roc_auc}")
    if not 0 < config.fairness_tolerance < 1:
        problems.append(f"'fairness_tolerance' must be above 0 and below 1; got {config.fairness_tolerance}")
    if not config.fairness_metrics or any(m not in FAIRNESS_METRICS for m in config.fairness_metrics):
        problems.append(f"'fairness_metrics' must be drawn from {', '.join(FAIRNESS_METRICS)}")
    if isinstance(config.recording_lag_months, bool) or config.recording_lag_months not in range(25):
        problems.append(f"'recording_lag_months' must be a whole number of months from 0 to 24; got {config.recording_lag_months}")
    return problems
