"""Reading another tool's scores file: CSV or Parquet, repeated names, encodings."""

from __future__ import annotations

import pandas as pd
import pytest

from evaluation import AuditInputError, read_scores_table


def test_repeated_csv_header_names_are_made_unique_with_a_warning(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("id,score,score,label\na,0.1,0.9,1\nb,0.2,0.8,0\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="repeats the column name"):
        frame = read_scores_table(path)
    assert list(frame.columns) == ["id", "score", "score.1", "label"]
    assert frame["score.1"].tolist() == [0.9, 0.8]


def test_repeated_parquet_column_names_are_made_unique(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_arrays([pa.array([0.1]), pa.array([0.9]), pa.array([1])],
                                 names=["score", "score", "label"])
    path = tmp_path / "scores.parquet"
    pq.write_table(table, path)
    with pytest.warns(UserWarning, match="'score'"):
        frame = read_scores_table(path)
    assert list(frame.columns) == ["score", "score.1", "label"]


def test_a_suffix_that_already_exists_is_skipped(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("score,score.1,score\n1,2,3\n", encoding="utf-8")
    with pytest.warns(UserWarning):
        frame = read_scores_table(path)
    assert list(frame.columns) == ["score", "score.1", "score.2"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252", "utf-8"])
def test_bom_and_windows_encodings_are_read(tmp_path, encoding):
    path = tmp_path / "scores.csv"
    path.write_bytes("group,score\nCafé,0.5\n".encode(encoding))
    frame = read_scores_table(path)
    assert list(frame.columns) == ["group", "score"]
    assert frame.loc[0, "group"] == "Café"


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_files_are_read(tmp_path, sep):
    path = tmp_path / "scores.csv"
    path.write_text(sep.join(["a", "b"]) + "\n1" + sep + "2\n", encoding="utf-8")
    assert list(read_scores_table(path).columns) == ["a", "b"]


def test_parquet_round_trip(tmp_path):
    frame = pd.DataFrame({"score": [0.2, 0.4], "label": [0, 1]})
    frame.to_parquet(tmp_path / "s.parquet")
    pd.testing.assert_frame_equal(read_scores_table(tmp_path / "s.parquet"), frame)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("missing.csv", None, "was not found"),
        ("scores.xlsx", b"x", "has the extension '.xlsx'"),
        ("empty.csv", b"", "is empty"),
        ("bad.parquet", b"not parquet", "could not be read as Parquet"),
        ("ragged.csv", b"a,b\n1,2,3,4\n", "could not be read as CSV"),
    ],
)
def test_unreadable_files_raise_a_clear_error(tmp_path, name, content, match):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AuditInputError, match=match):
        read_scores_table(path)
