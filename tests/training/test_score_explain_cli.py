"""``riskmodel score`` then ``riskmodel explain``: one young person's rows come from the tidy
store that scoring kept, and equal what reading every extract gives (synthetic data only)."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import features
from riskmodel.cli import app


def _run(authority, monkeypatch, *arguments):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", authority["uri"])
    monkeypatch.chdir(authority["folder"])
    return CliRunner().invoke(app, [*arguments, "--key-file", str(authority["key_file"])])


@pytest.fixture
def stores(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "stores"
    monkeypatch.setenv("RISKMODEL_STORE", str(folder))
    return folder


@pytest.fixture
def loads(monkeypatch) -> list:
    """Every call of features.load_extracts (reading every extract whole)."""
    from features import _load

    calls, real = [], _load.load_extracts

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(_load, "load_extracts", counted)
    monkeypatch.setattr(features, "load_extracts", counted)
    return calls


def _score(authority, monkeypatch, data, out):
    result = _run(authority, monkeypatch, "score", "--data", str(data), "--as-of", authority["as_of"], "--out", str(out))
    assert result.exit_code == 0, result.output
    return pd.read_csv(out / "scores.csv", dtype={"person_id": str})


def _explain(authority, monkeypatch, data, person, out):
    result = _run(authority, monkeypatch, "explain", "--data", str(data), "--as-of", authority["as_of"],
                  "--person", person, "--out", str(out))
    assert result.exit_code == 0, result.output
    return result.output


def test_explain_after_score_reads_the_kept_store_and_gives_the_bulk_case_page(authority, monkeypatch, tmp_path,
                                                                               stores, loads):
    data = authority["folder"] / "data"
    scores = _score(authority, monkeypatch, data, tmp_path / "batch")
    assert len(loads) == 1
    top = scores.iloc[0]["person_id"]
    page = tmp_path / "batch" / "cases" / f"{top}.html"
    bulk = page.read_text(encoding="utf-8")
    page.unlink()
    output = _explain(authority, monkeypatch, data, top, tmp_path / "batch")
    assert len(loads) == 1, "explain read every extract again instead of the store"
    assert page.read_text(encoding="utf-8") == bulk
    assert "decides nothing" in output


def test_scoring_the_same_extracts_again_reads_the_store_and_writes_the_same_files(authority, monkeypatch,
                                                                                   tmp_path, stores, loads):
    data = authority["folder"] / "data"
    _score(authority, monkeypatch, data, tmp_path / "first")
    _score(authority, monkeypatch, data, tmp_path / "again")
    assert len(loads) == 1, "scoring unchanged extracts read every extract again"
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*") if p.is_file())
    assert first == sorted(p.relative_to(tmp_path / "again") for p in (tmp_path / "again").rglob("*") if p.is_file())
    for path in first:
        assert (tmp_path / "first" / path).read_bytes() == (tmp_path / "again" / path).read_bytes(), path


def test_a_damaged_store_is_read_past_and_kept_anew(authority, monkeypatch, tmp_path, stores, loads):
    data = authority["folder"] / "data"
    _score(authority, monkeypatch, data, tmp_path / "first")
    (store,) = [p for p in stores.iterdir() if not p.name.startswith(".")]
    (store / "attendance.parquet").write_bytes(b"not parquet")
    _score(authority, monkeypatch, data, tmp_path / "again")
    assert len(loads) == 2, "a damaged store must send the command back to the extracts"
    assert features.read_kept_extracts(stores, store.name) is not None, "the damaged store was not kept anew"
    assert (tmp_path / "first" / "scores.csv").read_bytes() == (tmp_path / "again" / "scores.csv").read_bytes()


def test_features_after_score_read_the_store_and_give_the_same_table_and_report(authority, monkeypatch, tmp_path,
                                                                                 stores, loads):
    data = authority["folder"] / "data"

    def build(out):
        result = _run(authority, monkeypatch, "features", "--data", str(data), "--as-of", authority["as_of"],
                      "--out", str(out))
        assert result.exit_code == 0, result.output
        return pd.read_parquet(out), pd.read_parquet(out.with_name(f"{out.stem}_groups.parquet"))

    fresh = build(tmp_path / "fresh.parquet")
    _score(authority, monkeypatch, data, tmp_path / "batch")
    kept = build(tmp_path / "kept.parquet")
    assert len(loads) == 2, "features read every extract although score had kept them"
    for own, other in zip(kept, fresh):
        pd.testing.assert_frame_equal(own, other, check_exact=True)
    reports = [p.name for p in tmp_path.iterdir() if p.name.startswith("fresh") and p.suffix != ".parquet"]
    assert reports, "the label report was not found beside the table"
    for name in reports:
        assert (tmp_path / name).read_bytes() == (tmp_path / name.replace("fresh", "kept", 1)).read_bytes(), name


def test_monitor_after_score_reads_the_store_and_gives_the_same_checks(authority, monkeypatch, tmp_path,
                                                                       stores, loads):
    import json

    data = authority["folder"] / "data"

    def monitor(out):
        result = _run(authority, monkeypatch, "monitor", "--data", str(data), "--as-of", authority["as_of"],
                      "--out", str(out), "--model", "knife-crime-risk@1")
        assert result.exit_code in (0, 3), result.output
        payload = json.loads((out / "monitor.json").read_text())
        return {name: payload[name] for name in ("status", "checks")}

    fresh = monitor(tmp_path / "fresh")
    _score(authority, monkeypatch, data, tmp_path / "batch")
    assert monitor(tmp_path / "kept") == fresh
    assert len(loads) == 2, "monitor read every extract although score had kept them"


def test_train_after_score_reads_the_store(authority, monkeypatch, tmp_path, stores, loads):
    data = authority["folder"] / "data"
    _score(authority, monkeypatch, data, tmp_path / "batch")
    config = tmp_path / "training.toml"
    config.write_text("n_search = 2\nn_boot = 60\naudit_n_boot = 20\nnum_threads = 1\n")
    result = _run(authority, monkeypatch, "train", "--data", str(data), "--config", str(config),
                  "--experiment", "kept-store", "--registered-name", "knife-crime-risk-from-the-store")
    assert result.exit_code == 0, result.output
    assert len(loads) == 1, "train read every extract although score had kept them"
    import training

    monkeypatch.setenv("MLFLOW_TRACKING_URI", authority["uri"])
    model = training.load_registered_model("knife-crime-risk-from-the-store")
    assert model.metadata["version"] == 1


def test_the_whole_tables_read_from_a_store_equal_what_was_loaded(authority, tmp_path):
    key = features.load_pseudonym_key(key_file=authority["key_file"])
    extracts = features.load_extracts(authority["folder"] / "data", key=key)
    features.keep_extracts(tmp_path, extracts, digest="d" * 40)
    kept = features.read_kept_extracts(tmp_path, "d" * 40)
    assert list(kept.tables) == list(extracts.tables)
    for name, table in extracts.tables.items():
        pd.testing.assert_frame_equal(kept.tables[name], table, check_exact=True)
    pd.testing.assert_frame_equal(kept.spans, features.source_spans(extracts.tables))
    assert kept.n_quarantined == extracts.report.n_quarantined
    assert features.read_kept_extracts(tmp_path, "e" * 40) is None


@pytest.mark.parametrize("damage", ["repeated", "out of range"])
def test_a_store_whose_row_positions_are_damaged_is_not_read(tmp_path, damage):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from features._builders._sample import sample_tables

    features.keep_extracts(tmp_path, features.Extracts(tables=sample_tables(50, seed=1)), digest="d" * 40)
    path = tmp_path / ("d" * 40) / "people.parquet"
    stored = pq.read_table(path)
    rows = stored["_row"].to_numpy().copy()
    rows[0] = rows[1] if damage == "repeated" else len(rows)
    pq.write_table(stored.set_column(stored.schema.get_field_index("_row"), "_row", pa.array(rows)), path)
    assert features.read_kept_extracts(tmp_path, "d" * 40) is None
    assert not (tmp_path / ("d" * 40)).exists(), "a damaged store must be deleted so that it is kept anew"


def test_the_store_is_owner_only_and_holds_pseudonyms_only(authority, monkeypatch, tmp_path, stores):
    _score(authority, monkeypatch, authority["folder"] / "data", tmp_path / "batch")
    (store,) = [p for p in stores.iterdir() if not p.name.startswith(".")]
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    for path in store.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    people = pd.read_parquet(store / "people.parquet")
    assert people["person_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    index = pd.read_csv(authority["folder"] / "data" / "linkage" / "person_index.csv", dtype=str)
    raw = set(index.stack().dropna())
    for path in store.glob("*.parquet"):
        frame = pd.read_parquet(path)
        for column in frame.columns:
            if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
                assert not raw & set(frame[column].dropna()), f"{path.name}.{column} holds a raw identifier"


def test_changed_extracts_are_read_again_and_explained_as_they_now_are(authority, monkeypatch, tmp_path, stores,
                                                                       loads):
    data = tmp_path / "data"
    shutil.copytree(authority["folder"] / "data", data)
    scores = _score(authority, monkeypatch, data, tmp_path / "batch")
    person = scores.iloc[len(scores) // 2]["person_id"]
    offences = data / "youth_justice" / "offences.csv"
    offences.write_text(offences.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _explain(authority, monkeypatch, data, person, tmp_path / "again")
    assert len(loads) == 2, "a changed extract must be read again, not served from the old store"
    assert len([p for p in stores.iterdir() if not p.name.startswith(".")]) == 2


def test_a_young_person_missing_from_the_store_is_the_same_message(authority, monkeypatch, tmp_path, stores):
    data = authority["folder"] / "data"
    _score(authority, monkeypatch, data, tmp_path / "batch")
    result = _run(authority, monkeypatch, "explain", "--data", str(data), "--as-of", authority["as_of"],
                  "--person", "ffffffffffffffff", "--out", str(tmp_path / "one"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "No young person with the pseudonym given" in " ".join(result.output.split())
    assert "ffffffffffffffff" not in result.output


def test_person_rows_read_from_a_store_equal_the_whole_tables_cut_to_them(authority, tmp_path):
    key = features.load_pseudonym_key(key_file=authority["key_file"])
    extracts = features.load_extracts(authority["folder"] / "data", key=key)
    tables = extracts.tables
    store = features.keep_extracts(tmp_path, extracts, digest="d" * 40)
    chosen = [*tables["people"]["person_id"].iloc[[0, 7, -1]], *tables["yj_offences"]["person_id"].iloc[:2],
              "0123456789abcdef"]
    for person in chosen:
        rows = features.read_person_rows(store, person)
        for name, own in features.partition_tables(tables, [person]).items():
            pd.testing.assert_frame_equal(rows.tables[name], own, check_exact=True)
        pd.testing.assert_frame_equal(rows.spans, features.source_spans(tables))


def test_only_the_stores_used_last_are_kept(tmp_path):
    from features._loaders._tidy import TIDY_TABLES, empty_table

    extracts = features.Extracts(tables={name: empty_table(name) for name in TIDY_TABLES})
    for n, digest in enumerate("abc"):
        folder = features.keep_extracts(tmp_path, extracts, digest=digest * 40)
        os.utime(folder, ns=(n * 10**9, n * 10**9))
    assert sorted(p.name[0] for p in tmp_path.iterdir()) == ["b", "c"]


def test_a_store_that_cannot_be_kept_is_a_note_not_a_failure(authority, monkeypatch, tmp_path, loads):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("RISKMODEL_STORE", str(blocker / "stores"))
    data = authority["folder"] / "data"
    scored = _run(authority, monkeypatch, "score", "--data", str(data), "--as-of", authority["as_of"],
                  "--out", str(tmp_path / "batch"))
    assert scored.exit_code == 0, scored.output
    assert "The tables were not kept for 'riskmodel explain'" in " ".join(scored.output.split())
    top = pd.read_csv(tmp_path / "batch" / "scores.csv", dtype={"person_id": str}).iloc[0]["person_id"]
    page = tmp_path / "batch" / "cases" / f"{top}.html"
    bulk = page.read_text(encoding="utf-8")
    page.unlink()
    with pytest.warns(UserWarning, match="The tidy store could not be kept"):
        _explain(authority, monkeypatch, data, top, tmp_path / "batch")
    assert page.read_text(encoding="utf-8") == bulk
    assert len(loads) == 2 and "Traceback" not in scored.output


def test_a_store_left_half_written_long_ago_is_removed(tmp_path):
    from features import _store
    from features._loaders._tidy import TIDY_TABLES, empty_table

    old, recent = tmp_path / ".x.old.partial", tmp_path / ".y.recent.partial"
    for folder in (old, recent):
        folder.mkdir()
        (folder / "people.parquet").write_bytes(b"half")
    long_ago = time.time() - _store.ABANDONED_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    features.keep_extracts(tmp_path, features.Extracts(tables={n: empty_table(n) for n in TIDY_TABLES}), digest="e" * 40)
    assert not old.exists() and recent.exists()


def test_a_table_that_fails_to_write_leaves_no_store_and_no_partial_folder(tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from features._loaders._tidy import TIDY_TABLES, empty_table

    written, calls = pq.write_table, []

    def fail_on_the_fifth_table(table, where, **options):
        calls.append(1)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        written(table, where, **options)

    monkeypatch.setattr(pq, "write_table", fail_on_the_fifth_table)
    extracts = features.Extracts(tables={name: empty_table(name) for name in TIDY_TABLES})
    with pytest.raises(OSError, match="No space left"):
        features.keep_extracts(tmp_path, extracts, digest="a" * 40)
    assert list(tmp_path.iterdir()) == [], "a half-written store was left behind"


def test_a_store_kept_already_is_not_written_again(tmp_path):
    from features._loaders._tidy import TIDY_TABLES, empty_table

    extracts = features.Extracts(tables={name: empty_table(name) for name in TIDY_TABLES})
    folder = features.keep_extracts(tmp_path, extracts, digest="f" * 40)
    written = (folder / "people.parquet").stat().st_ino, (folder / "people.parquet").stat().st_mtime_ns
    features.keep_extracts(tmp_path, extracts, digest="f" * 40)
    assert ((folder / "people.parquet").stat().st_ino, (folder / "people.parquet").stat().st_mtime_ns) == written
