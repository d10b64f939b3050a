"""Benchmark: score and explain 50,000 young people, against shap.TreeExplainer on the same model.

In one run, on random tidy tables (``features._builders._sample``) and a LightGBM model
of realistic size trained on their features (a synthetic label drawn from the features):

1. ``riskmodel.score_people`` end to end: features, scores, exact SHAP grouped into
   concepts, statements, ``scores.csv`` and ``explanations.csv``, and a case page with
   traced records for everyone in the highest band (about 1% of the cohort here);
2. the explanation step alone on the feature matrix (exact tree SHAP from LightGBM,
   concepts, probability-scale contributions, statements and the explanations table);
3. ``shap.TreeExplainer(booster).shap_values(X)`` on the same matrix: per-feature values
   only, with no grouping or text;
4. ``riskmodel.explain_person`` for one young person in a warm process.

Run::

    .venv/bin/python benchmarks/bench_score.py
    .venv/bin/python benchmarks/bench_score.py --young-people 5000 --trees 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

AS_OF = "2024-03-31"


def tables_for_cohort(cohort: int, seed: int) -> dict:
    """Random tidy tables holding about ``cohort`` young people aged 10 to 18 on the as-of date."""
    from features import build_features
    from features._builders._sample import sample_tables

    probe = build_features(sample_tables(4000, seed=seed), AS_OF).frame
    share = len(probe) / 4000
    return sample_tables(int(round(cohort / share)), seed=seed)


def train_model(tables: dict, *, trees: int, leaves: int, seed: int):
    """A LightGBM model of realistic size on the default registry's features."""
    import lightgbm

    from features import build_features, default_registry
    from riskmodel import RiskModel
    from riskmodel._model import SigmoidCalibrator

    feature_set = build_features(tables, AS_OF)
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


def timed(function, *args, **kwargs):
    """Wall-clock seconds and the result; the CPU seconds of the last call are in ``CPU``."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    CPU[0] = time.process_time() - cpu
    return time.perf_counter() - start, result


CPU = [0.0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=50_000)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--leaves", type=int, default=31)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from riskmodel import explain_person, score_people
    from riskmodel._explain import concept_statements, decompose, explanation_table
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the shap reference lives with the tests
    from tests.riskmodel._shap_reference import tree_shap_values

    tables = tables_for_cohort(args.young_people, args.seed)
    model, frame = train_model(tables, trees=args.trees, leaves=args.leaves, seed=args.seed)
    X = frame[model.feature_names].set_axis(frame["person_id"].astype(str).to_numpy(object))
    print(f"cohort: {len(X):,} young people aged 10-18; model: {args.trees} trees of {args.leaves} leaves, "
          f"{len(model.feature_names)} features")

    def explain_all():
        parts = decompose(model, X)
        statements, evidence = concept_statements(model.registry, X, parts)
        return explanation_table(parts, statements, evidence)

    explain_all()  # warm up imports and templates
    t_explain, table = timed(explain_all)
    cpu_explain = CPU[0]
    tree_shap_values(model.booster, X.iloc[:100])  # import shap outside the timing
    t_shap, _ = timed(tree_shap_values, model.booster, X)
    cpu_shap = CPU[0]

    with tempfile.TemporaryDirectory() as folder:
        t_score, result = timed(score_people, model, tables, AS_OF, out_dir=Path(folder))
        person = result.scores["person_id"].iloc[len(result.scores) // 2]
        explain_person(model, tables, AS_OF, person, out_dir=Path(folder))
        one = [timed(explain_person, model, tables, AS_OF, person, out_dir=Path(folder))[0] for _ in range(5)]

    print(f"explain {len(X):,} young people (exact SHAP, concepts, contributions, statements): "
          f"{t_explain:.2f} s wall, {cpu_explain:.2f} s CPU ({len(table):,} explanation rows)")
    print(f"shap.TreeExplainer values for the same {len(X):,} rows: {t_shap:.2f} s wall, {cpu_shap:.2f} s CPU")
    print(f"ratio shap.TreeExplainer / riskmodel explanation: {t_shap / t_explain:.1f}x")
    print(f"score_people end to end (features, scores, explanations, CSVs, {len(result.case_pages)} case pages "
          f"with traced records, index): {t_score:.2f} s; ratio shap.TreeExplainer / score_people: "
          f"{t_shap / t_score:.1f}x")
    print(f"one young person's explanation, warm process (explain_person, median of 5): "
          f"{statistics.median(one) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
