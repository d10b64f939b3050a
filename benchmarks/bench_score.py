"""Benchmark: score and explain 50,000 young people, against shap.TreeExplainer on the same model.

In one run, on random tidy tables (``features._builders._sample``) and a LightGBM model
of realistic size trained on their features (a synthetic label drawn from the features):

1. ``riskmodel.score_people`` end to end: features, scores, exact SHAP grouped into
   concepts, statements, ``scores.csv`` and ``explanations.csv``, and a case page with
   traced records for everyone in the highest band (about 1% of the cohort here), the
   index, ``cases.jsonl`` and ``batch.json`` (what ``riskmodel score`` does after loading);
2. the explanation step alone on the feature matrix (exact tree SHAP from LightGBM,
   concepts, probability-scale contributions, statements and the explanations table);
3. ``shap.TreeExplainer(booster).shap_values(X)`` on the same matrix: per-feature values
   only, with no grouping or text (``--no-shap`` skips it);
4. ``riskmodel.explain_person`` for one young person in a warm process.

Each figure is printed with its wall time, the process's CPU time (all threads) and the
load average when it finished, beside the figure before this version (issue 14's "today"
figure, and this benchmark's own figure on the previous code). On a shared machine the
wall time can be several times the CPU time; judge figures by both.

Run::

    .venv/bin/python benchmarks/bench_score.py
    .venv/bin/python benchmarks/bench_score.py --young-people 5000 --trees 100
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

AS_OF = "2024-03-31"
TARGET_SECONDS = 10.0
PREVIOUS = {  # this benchmark on earlier code, on 2-core machines (their speed differs from one to the next)
    "score": "issue 14: about 30 s for 17,000 young people; the first version, 49,615 young people: 78.2 s wall, "
             "23.2 s CPU (load 12.0); the previous version (LightGBM's pred_contrib per route), run beside this "
             "one on the same machine on 3 December 2026: 12.63 s wall, 17.08 s CPU (load 1.5); the version that "
             "grouped leaves by depth and took pred_contrib below 500 rows, run alternately with this one on "
             "4 December 2026: 7.03 and 5.59 s wall (this one 5.02 and 6.11 s)",
    "explain all": "the first version: 67.8 s wall, 12.9 s CPU (load 13.7); the previous version, run beside this "
                   "one: 5.25 s wall, 9.04 s CPU (load 1.4); leaves grouped by depth, run alternately with this one: "
                   "2.66 and 2.50 s (this one 2.15 and 2.75 s)",
    "one person": "the first version: 1.12 s wall, 0.39 s CPU (features from that person's rows with a plan made "
                  "from their rows alone); the previous version, run beside this one: 0.61 s wall, 0.63 s CPU; "
                  "LightGBM's pred_contrib for one row, run alternately with this one: 0.28 and 0.20 s (this one "
                  "reads the parsed trees at any size, 0.35 and 0.43 s)",
}


def tables_for_cohort(cohort: int, seed: int) -> dict:
    """Random tidy tables holding about ``cohort`` young people aged 10 to 18 on the as-of date."""
    from features import build_features
    from features._builders._sample import sample_tables

    probe = build_features(sample_tables(4000, seed=seed), AS_OF).frame
    share = len(probe) / 4000
    return sample_tables(int(round(cohort / share)), seed=seed)


def train_model(tables: dict, *, trees: int, leaves: int, seed: int, as_of=AS_OF):
    """A LightGBM model of realistic size on the default registry's features on ``as_of``."""
    import lightgbm

    from features import build_features, default_registry
    from riskmodel import RiskModel
    from riskmodel._model import SigmoidCalibrator

    feature_set = build_features(tables, as_of)
    registry = default_registry()
    X = feature_set.frame[registry.names]
    rng = np.random.default_rng(seed)
    z = (-5.5 + 0.8 * X["offences_24m"] + 0.5 * X["suspensions_12m"] + 1.2 * X["looked_after_now"]
         + 0.4 * X["cin_referrals_12m"] + 0.15 * (X["age_years"] - 14) - 2 * X["attendance_rate_12m"].fillna(0.9)
         + 0.5 * X["missing_episodes_12m"] + rng.normal(0, 0.5, len(X)))
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-z))).astype(int)
    params = {"objective": "binary", "num_leaves": leaves, "learning_rate": 0.05, "min_child_samples": 50,
              "verbose": -1, "seed": seed, "deterministic": True, "num_threads": 2}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=trees)
    calibrator = SigmoidCalibrator(slope=1.0, intercept=0.0)
    probabilities = calibrator.predict(booster.predict(X.to_numpy(float), raw_score=True))
    model = RiskModel(
        booster=booster, calibrator=calibrator, feature_names=registry.names,
        feature_dtypes={c: str(X[c].dtype) for c in registry.names}, registry=registry,
        label_definition=feature_set.label_definition.to_dict(), training_probabilities=probabilities,
        band_thresholds={"high": float(np.quantile(probabilities, 0.99)),
                         "raised": float(np.quantile(probabilities, 0.9)), "low": 0.0},
        metadata={"name": "benchmark", "version": "1"},
    )
    return model, feature_set.frame


class Timing:
    """Wall and CPU seconds of one call, and the 1-minute load average when it ended."""

    def __init__(self, function, *args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        self.result = function(*args, **kwargs)
        self.cpu = time.process_time() - cpu
        self.wall = time.perf_counter() - start
        self.load = os.getloadavg()[0]

    def text(self) -> str:
        return f"{self.wall:.2f} s wall, {self.cpu:.2f} s CPU (load {self.load:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=50_000)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--leaves", type=int, default=31)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-shap", action="store_true", help="Skip the shap.TreeExplainer comparison.")
    args = parser.parse_args()

    from riskmodel import explain_person, score_people
    from riskmodel._explain import concept_statements, decompose, explanation_table

    tables = tables_for_cohort(args.young_people, args.seed)
    model, frame = train_model(tables, trees=args.trees, leaves=args.leaves, seed=args.seed)
    X = frame[model.feature_names].set_axis(frame["person_id"].astype(str).to_numpy(object))
    print(f"cohort: {len(X):,} young people aged 10-18; model: {args.trees} trees of {args.leaves} leaves, "
          f"{len(model.feature_names)} features; {len(os.sched_getaffinity(0))} cores; "
          f"load average at start {os.getloadavg()[0]:.1f}")

    def explain_all():
        parts = decompose(model, X)
        statements, evidence = concept_statements(model.registry, X, parts)
        return explanation_table(parts, statements, evidence)

    explain_all()  # warm up imports and templates
    explained = Timing(explain_all)
    with tempfile.TemporaryDirectory() as folder:
        scored = Timing(score_people, model, tables, AS_OF, out_dir=Path(folder))
        result = scored.result
        person = result.scores["person_id"].iloc[len(result.scores) // 2]
        explain_person(model, tables, AS_OF, person, out_dir=Path(folder))
        one = [Timing(explain_person, model, tables, AS_OF, person, out_dir=Path(folder)) for _ in range(5)]
    one_wall = statistics.median(t.wall for t in one)
    one_cpu = statistics.median(t.cpu for t in one)

    verdict = "under" if scored.wall < TARGET_SECONDS else "over"
    print(f"score_people end to end ({len(result.scores):,} scored, {len(result.case_pages)} case pages with "
          f"traced records, CSVs, index, cases.jsonl): {scored.text()}; {verdict} the {TARGET_SECONDS:.0f} s "
          f"target (wall)\n    before: {PREVIOUS['score']}")
    print(f"explain {len(X):,} young people (exact SHAP, concepts, contributions, statements; "
          f"{len(explained.result):,} rows): {explained.text()}\n    before: {PREVIOUS['explain all']}")
    print(f"one young person's explanation, warm process, tables loaded (explain_person, median of 5): "
          f"{one_wall:.2f} s wall, {one_cpu:.2f} s CPU\n    before: {PREVIOUS['one person']}")
    if not args.no_shap:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shap reference lives with the tests
        from tests.riskmodel._shap_reference import tree_shap_values

        tree_shap_values(model.booster, X.iloc[:100])  # import shap outside the timing
        shap = Timing(tree_shap_values, model.booster, X)
        print(f"shap.TreeExplainer values alone for the same {len(X):,} rows: {shap.text()}; "
              f"{shap.wall / explained.wall:.1f}x the riskmodel explanation's wall time")


if __name__ == "__main__":
    main()
