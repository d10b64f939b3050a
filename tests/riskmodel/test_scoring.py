"""score_people and explain_person on synthetic tidy tables with the real feature builders."""

import numpy as np
import pandas as pd
import pytest

from features import build_features
from riskmodel import FeatureMismatchError, PersonNotFoundError, explain_person, score_people
from riskmodel._model import POSITIONS
from riskmodel._reasons import cites_protected
from riskmodel._scoring import SCORE_COLUMNS

AS_OF = "2024-03-31"


def test_scores_file_has_exactly_the_documented_columns(scored):
    result, out = scored
    on_disk = pd.read_csv(out / "scores.csv", dtype={"person_id": str})
    assert list(on_disk.columns) == SCORE_COLUMNS
    assert list(result.scores.columns) == SCORE_COLUMNS
    assert len(on_disk) == len(result.scores)


def test_scores_name_the_label_they_predict(scored):
    result, out = scored
    on_disk = pd.read_csv(out / "scores.csv", dtype={"label_version": str})
    assert set(on_disk["label_name"]) == {"knife_involvement"}
    assert set(on_disk["label_version"]) == {"2"}


def test_everyone_aged_10_to_18_is_scored_once(scored, tables):
    result, _ = scored
    cohort = build_features(tables, AS_OF).frame["person_id"]
    assert sorted(result.scores["person_id"]) == sorted(cohort.astype(str))
    assert result.scores["person_id"].is_unique


def test_scores_agree_with_the_model(scored, real_model, tables):
    result, _ = scored
    frame = build_features(tables, AS_OF).frame.set_index("person_id")
    X = frame.loc[result.scores["person_id"], real_model.feature_names]
    np.testing.assert_allclose(result.scores["probability"], real_model.predict_proba(X), atol=1e-12)
    np.testing.assert_allclose(result.scores["model_logodds"], real_model.predict_logodds(X), atol=1e-12)
    np.testing.assert_array_equal(result.scores["score"], real_model.position(result.scores["probability"]))
    np.testing.assert_array_equal(result.scores["band"], real_model.band(result.scores["probability"]))


def test_rank_orders_by_probability(scored):
    scores = scored[0].scores
    assert list(scores["rank"]) == list(range(1, len(scores) + 1))
    assert (np.diff(scores["probability"].to_numpy()) <= 0).all()
    assert scores["score"].between(1, POSITIONS).all()


def test_explanations_add_up_exactly_to_the_model_output(scored):
    result, out = scored
    explanations = pd.read_csv(out / "explanations.csv", dtype={"person_id": str}, keep_default_na=False)
    scores = result.scores.set_index("person_id")
    total = explanations.groupby("person_id")["shap_logodds"].sum().reindex(scores.index, fill_value=0.0)
    np.testing.assert_allclose(total + scores["base_logodds"], scores["model_logodds"], atol=1e-6)


def test_contributions_add_up_to_the_probability_above_the_base(scored, real_model):
    result, _ = scored
    scores = result.scores.set_index("person_id")
    base = real_model.calibrator.predict(scores["base_logodds"].to_numpy())
    total = result.explanations.groupby("person_id")["contribution"].sum().reindex(scores.index, fill_value=0.0)
    np.testing.assert_allclose(total, scores["probability"] - base, atol=1e-9)


def test_case_pages_for_the_highest_band_and_the_index_lists_them_by_rank(scored):
    result, out = scored
    top = result.scores.loc[result.scores["band"] == "highest", "person_id"]
    assert len(top) > 0
    written = sorted(p.stem for p in (out / "cases").glob("*.html"))
    assert written == sorted(top)
    index = result.index_path.read_text(encoding="utf-8")
    positions = [index.index(f"cases/{pid}.html") for pid in top]
    assert positions == sorted(positions)


def test_case_people_get_a_page_whatever_their_band(real_model, tables, tmp_path):
    frame = build_features(tables, AS_OF).frame
    probabilities = real_model.predict_proba(frame[real_model.feature_names])
    lowest = str(frame["person_id"].iloc[int(np.argmin(probabilities))])
    result = score_people(real_model, tables, AS_OF, out_dir=tmp_path, case_people=[lowest])
    assert (tmp_path / "cases" / f"{lowest}.html") in result.case_pages
    assert "asked for by name" in result.index_path.read_text(encoding="utf-8")


def test_an_unknown_case_person_is_refused_without_echoing_it(real_model, tables, tmp_path):
    with pytest.raises(PersonNotFoundError, match="not among the young people scored on the as-of date") as caught:
        score_people(real_model, tables, AS_OF, out_dir=tmp_path, case_people=["A123456789012"])
    assert "A123456789012" not in str(caught.value)


def test_case_statements_cite_dated_records(scored):
    result, _ = scored
    top = set(result.scores.loc[result.scores["band"] == "highest", "person_id"])
    rows = result.explanations.loc[result.explanations["person_id"].isin(top)]
    with_evidence = rows.loc[rows["evidence"] != ""]
    assert len(with_evidence) > 0
    assert with_evidence["statement"].str.contains(r" on \d{1,2} [A-Z][a-z]+ \d{4}").any()
    others = result.explanations.loc[~result.explanations["person_id"].isin(top)]
    assert (others["evidence"] == "").all()


def test_missing_sources_name_the_sources_without_a_record_by_the_as_of_date(scored, tables):
    from features import known_sources

    result, _ = scored
    held = known_sources(tables, AS_OF)
    for row in result.scores.head(50).itertuples():
        assert ("no school census record" in row.missing_sources) is not bool(held.loc[row.person_id, "school_census"])
        assert ("no children in need census record" in row.missing_sources) is not bool(held.loc[row.person_id, "cin"])
    assert not result.scores["missing_sources"].str.contains("youth justice").any()  # never a gap


def test_missing_sources_do_not_read_records_made_after_the_as_of_date(real_model, tables, tmp_path):
    from features import known_sources

    as_of = pd.Timestamp("2022-03-31")
    then, now = known_sources(tables, as_of), known_sources(tables, AS_OF)
    later = then.index[(~then["cin"] & now["cin"]).to_numpy()]
    result = score_people(real_model, tables, as_of, out_dir=tmp_path)
    scored_later = result.scores.loc[result.scores["person_id"].isin(later)]
    assert len(scored_later) > 0
    assert scored_later["missing_sources"].str.contains("no children in need census record").all()


def test_reasons_never_cite_protected_characteristics(scored, tables):
    result, _ = scored
    texts = pd.concat([result.explanations["statement"], result.scores["top_reasons"]])
    assert not texts.map(cites_protected).any()
    ethnicities = set(tables["people"]["ethnicity"].dropna()) - {"", "UNKN"}
    assert not texts.str.contains("|".join(sorted(ethnicities))).any()


def test_a_feature_mismatch_is_refused_with_a_diff(tables, tmp_path, make_real_model):
    narrower = make_real_model(tables, drop=("suspensions_3m",))
    narrower.registry = build_features(tables, AS_OF).registry  # builds every feature
    with pytest.raises(FeatureMismatchError, match=r"Extra \(1\): suspensions_3m"):
        score_people(narrower, tables, AS_OF, out_dir=tmp_path)


def test_explain_person_matches_the_bulk_scores(scored, real_model, tables, tmp_path):
    result, _ = scored
    row = result.scores.iloc[3]
    explanation = explain_person(real_model, tables, AS_OF, row["person_id"], out_dir=tmp_path)
    assert explanation.score["probability"] == pytest.approx(row["probability"], abs=1e-12)
    bulk = result.explanations.loc[result.explanations["person_id"] == row["person_id"]]
    np.testing.assert_allclose(
        explanation.rows["shap_logodds"].to_numpy(), bulk["shap_logodds"].to_numpy(), atol=1e-12
    )
    assert explanation.case_page == tmp_path / "cases" / f"{row['person_id']}.html"
    assert explanation.case_page.is_file()
    assert "decides nothing" in explanation.text
    assert "What raises the score" in explanation.text and "What lowers the score" in explanation.text


def test_one_persons_features_equal_their_row_of_the_whole_matrix(real_model, tables):
    from features import build_features, partition_tables
    from riskmodel._scoring import person_features

    full = build_features(tables, AS_OF, registry=real_model.registry).frame
    full = full.set_index(pd.Index(full["person_id"].astype(str).to_numpy(object), name="person_id"))
    for person in full.index[[0, len(full) // 2, -1]]:
        own = partition_tables(tables, [person])
        one = person_features(real_model, tables, own, pd.Timestamp(AS_OF))
        pd.testing.assert_frame_equal(one, full.loc[[person], real_model.feature_names])


def test_explain_person_gives_exactly_the_bulk_case_content(scored, real_model, tables, tmp_path):
    import shutil

    result, out = scored
    top = result.scores.iloc[0]  # the highest band has a case page, with its records traced
    shutil.copyfile(out / "index.html", tmp_path / "index.html")  # so the page links back to it too
    explanation = explain_person(real_model, tables, AS_OF, top["person_id"], out_dir=tmp_path)
    bulk = result.explanations.loc[result.explanations["person_id"] == top["person_id"]]
    pd.testing.assert_frame_equal(explanation.rows.reset_index(drop=True), bulk.reset_index(drop=True))
    assert {k: v for k, v in explanation.score.items() if k != "rank"} == \
        {k: v for k, v in top.to_dict().items() if k != "rank"}
    bulk_page = (out / "cases" / f"{top['person_id']}.html").read_text(encoding="utf-8")
    assert explanation.case_page.read_text(encoding="utf-8") == bulk_page


@pytest.mark.parametrize("asked", ["ffffffffffffffff", "A123456789012", "LA-CHILD-0042"])
def test_explain_person_refuses_an_unknown_pseudonym_without_echoing_it(real_model, tables, tmp_path, asked):
    with pytest.raises(PersonNotFoundError, match="No young person with the pseudonym given") as caught:
        explain_person(real_model, tables, AS_OF, asked, out_dir=tmp_path)
    assert asked not in str(caught.value)


def test_explain_person_refuses_someone_outside_the_age_range(real_model, tables, tmp_path):
    from features import cohort_status_of

    status = cohort_status_of(tables, AS_OF)
    young = str(status.index[(status == "outside_age_range").to_numpy()][0])
    with pytest.raises(PersonNotFoundError, match="they are not aged 10 to 18 on 31 March 2024") as error:
        explain_person(real_model, tables, AS_OF, young, out_dir=tmp_path)
    assert young not in str(error.value)


def test_explain_person_says_when_nobody_knew_the_young_person_yet(real_model, tables, tmp_path):
    from features import cohort_status_of

    status = cohort_status_of(tables, "2018-03-31")
    later = str(status.index[(status == "not_yet_known").to_numpy()][0])
    with pytest.raises(PersonNotFoundError, match="no source held a record of them available by 31 March 2018") as error:
        explain_person(real_model, tables, "2018-03-31", later, out_dir=tmp_path)
    assert later not in str(error.value)


def test_explain_person_says_when_there_is_no_month_of_birth(real_model, tables, tmp_path):
    people = tables["people"].copy()
    from features import cohort_status_of

    status = cohort_status_of(tables, AS_OF)
    chosen = str(status.index[(status == "in_cohort").to_numpy()][0])
    people.loc[people["person_id"] == chosen, "birth_month"] = pd.NaT
    with pytest.raises(PersonNotFoundError, match="no month of birth is recorded in any source") as error:
        explain_person(real_model, {**tables, "people": people}, AS_OF, chosen, out_dir=tmp_path)
    assert chosen not in str(error.value)


@pytest.mark.parametrize("bad", ["not a date", "", None])
def test_a_bad_as_of_date_is_refused(real_model, tables, tmp_path, bad):
    with pytest.raises(ValueError, match="as-of date must be a date"):
        score_people(real_model, tables, bad, out_dir=tmp_path)


def test_progress_is_reported(real_model, tables, tmp_path):
    seen = []
    score_people(real_model, tables, AS_OF, out_dir=tmp_path, progress=lambda d, f=None: seen.append((d, f)))
    assert seen[-1] == ("Done", 1.0)
    assert [f for _, f in seen] == sorted(f for _, f in seen)


def test_scores_and_explanations_can_be_written_as_parquet(real_model, tables, tmp_path):
    result = score_people(real_model, tables, AS_OF, out_dir=tmp_path, file_format="parquet")
    scores = pd.read_parquet(tmp_path / "scores.parquet")
    assert list(scores.columns) == SCORE_COLUMNS and len(scores) == len(result.scores)
    assert len(pd.read_parquet(tmp_path / "explanations.parquet")) == len(result.explanations)
    assert not (tmp_path / "scores.csv").exists()


def test_an_unknown_file_format_is_refused(real_model, tables, tmp_path):
    with pytest.raises(ValueError, match="'file_format' option must be 'csv' or 'parquet'; got 'xlsx'"):
        score_people(real_model, tables, AS_OF, out_dir=tmp_path, file_format="xlsx")


def test_a_date_with_nobody_aged_10_to_18_is_refused(real_model, tables, tmp_path):
    with pytest.raises(ValueError, match="Nobody in the data is aged 10 to 18 and known to a source on 2005-03-31"):
        score_people(real_model, tables, "2005-03-31", out_dir=tmp_path)


def test_the_score_folder_describes_its_batch_and_each_case_as_data_owner_only(scored, real_model):
    import json

    result, out = scored
    batch = json.loads((out / "batch.json").read_text())
    assert batch["model_name"] == real_model.metadata["name"] and batch["data_date"] == "2024-03-31"
    assert batch["label"]["name"] == real_model.label_definition.name and batch["n_scored"] == len(result.scores)
    cases = [json.loads(line) for line in (out / "cases.jsonl").read_text().splitlines()]
    assert [c["person_id"] for c in cases] == [p.stem for p in result.case_pages]
    assert cases[0]["frequency_text"] in result.case_pages[0].read_text(encoding="utf-8")
    for name in ("batch.json", "cases.jsonl"):
        assert (out / name).stat().st_mode & 0o077 == 0
