"""The loader fuzzing harness: damaged extracts in, the loaders' contract checked.

Shared by ``tests/features/test_fuzz_loaders.py`` (a bounded, derandomised run in CI) and
``benchmarks/fuzz_loaders.py`` (a long run). Each case writes one damaged extract beside
its source's valid files and loads the folder. The contract:

- the load either raises the library's own :class:`features.DataError` naming the
  damaged file, or succeeds with ``rows_in == rows_accepted + rows_quarantined`` for the
  file and the quarantine files can be written;
- no other exception escapes;
- a marker value planted in the file never appears in an exception message, a warning,
  anything printed or logged, ``validation.json`` or the report's summaries.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
import warnings
from pathlib import Path

from _extract_fixtures import FILES
from hypothesis import strategies as st

import features

KEY = b"fuzzing-key-0123456789abcdefghij"
MARKER = "QZMARK7731"
# Values of the fixture files replaced by the marker, so that every file carries it in an
# identifier, a name, a code or a number column.
PLANTED = ("C001", "Y001", "N001", "P0001", "Zedfamily", "OFF-1", "100001", "PEX")
TARGETS = (
    "linkage/person_index.csv", "ssda903/2024/header.csv", "ssda903/2024/episodes.csv",
    "ssda903/2024/missing.csv", "ssda903/2024/oc2.csv", "cin/2024.xml", "school_census/pupils.csv",
    "school_census/exclusions.csv", "school_census/attendance.csv", "ap_census/placements.csv",
    "nccis/activity.csv", "youth_justice/offences.csv", "youth_justice/outcomes.csv",
)
FIELD_LIMIT = 131_072  # Python's csv field size limit


def planted(relpath):
    """The valid fixture file with the marker planted, as UTF-8 bytes."""
    text = FILES[relpath]
    if relpath == "ssda903/2024/missing.csv":  # the fixture has a header only
        text += "C001,17/05/2008,M,03/07/2022,04/07/2022\n"
    for value in PLANTED:
        text = text.replace(value, MARKER)
    assert MARKER in text, relpath
    return text.encode("utf-8")


def companions(relpath):
    """The valid files of the same source that the damaged one is loaded beside."""
    folder = relpath.rsplit("/", 1)[0]
    return {path: text for path, text in FILES.items()
            if path != relpath and path.rsplit("/", 1)[0] == folder}


# --- strategies: how a file gets damaged -------------------------------------------------

SPECIAL = [b",", b'"', b"\n", b"\r\n", b"\r", b"\x00", b"<", b">", b"&", b"</Child>", b";",
           b"\xef\xbb\xbf", b"\xff\xfe", b"\xe9", b"\xc3\xa9", b"\x80", b"\x9d", b"=", b"-", b"\t",
           b"1" * 25, b"9" * 400, b"-1e400", b"NaN", b"inf", b"  ", b"<!DOCTYPE x [<!ENTITY a 'b'>]>"]


def _huge(draw):
    size = draw(st.sampled_from([FIELD_LIMIT - 10, FIELD_LIMIT + 10, 300_000]))
    quoted = draw(st.booleans())
    body = (MARKER * (size // len(MARKER) + 1))[:size].encode()
    return b'"' + body + b'"' if quoted else body


@st.composite
def mutation(draw, content):
    """One damaging edit: delete, insert, duplicate, overwrite or a huge field."""
    size = len(content)
    kind = draw(st.sampled_from(["delete", "insert", "duplicate", "overwrite", "huge", "recode"]))
    at = draw(st.integers(0, size))
    if kind == "delete":
        end = draw(st.integers(at, min(size, at + 200)))
        return content[:at] + content[end:]
    if kind == "insert":
        piece = draw(st.one_of(st.sampled_from(SPECIAL), st.binary(min_size=1, max_size=20)))
        return content[:at] + piece + content[at:]
    if kind == "duplicate":
        end = draw(st.integers(at, min(size, at + 300)))
        return content[:end] + content[at:end] + content[end:]
    if kind == "overwrite":
        piece = draw(st.binary(min_size=1, max_size=8))
        return content[:at] + piece + content[at + len(piece):]
    if kind == "huge":
        return content[:at] + _huge(draw) + content[at:]
    # recode: re-encode a stretch as Windows-1252 with accented letters (mixed encodings)
    end = draw(st.integers(at, min(size, at + 100)))
    stretch = content[at:end].decode("utf-8", errors="replace").replace("e", "é").replace("a", "€")
    return content[:at] + stretch.encode("cp1252", errors="replace") + content[end:]


@st.composite
def damaged(draw, relpath):
    """A damaged version of ``relpath``: random bytes, mutations or a truncation."""
    content = planted(relpath)
    kind = draw(st.sampled_from(["bytes", "mutations", "mutations", "truncate", "header+bytes"]))
    if kind == "bytes":
        noise = draw(st.binary(max_size=600))
        at = draw(st.integers(0, len(noise)))
        return noise[:at] + MARKER.encode() + noise[at:]
    if kind == "header+bytes":
        header = content.split(b"\n", 1)[0] + b"\n"
        return header + draw(st.binary(max_size=300)) + MARKER.encode() + b"\n"
    if kind == "truncate":
        return content[: draw(st.integers(0, len(content)))]
    for _ in range(draw(st.integers(1, 4))):
        content = draw(mutation(content))
    return content


# --- the contract ---------------------------------------------------------------------------


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


def check_load(relpath, content):
    """Load ``content`` as ``relpath`` beside valid companions; assert the contract.

    Returns
    -------
    str
        ``"error"`` if the load raised a DataError naming the file, else ``"loaded"``.
    """
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "data"
        for path, text in companions(relpath).items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
        (folder / relpath).parent.mkdir(parents=True, exist_ok=True)
        (folder / relpath).write_bytes(content)
        outcome, said = _load(folder, relpath, Path(scratch) / "out")
    assert MARKER not in said, f"the marker reached a message, warning, log or report ({relpath})"
    return outcome


def _load(folder, relpath, out):
    printed, logged = io.StringIO(), _Collect()
    logging.getLogger().addHandler(logged)
    try:
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(printed), \
                contextlib.redirect_stderr(printed):
            warnings.simplefilter("always")
            try:
                extracts = features.load_extracts(folder, key=KEY)
            except features.DataError as error:
                assert relpath in str(error), f"the error does not name {relpath}: {error}"
                outcome, said = "error", str(error)
            else:
                outcome, said = "loaded", _check_report(extracts, relpath, out)
    finally:
        logging.getLogger().removeHandler(logged)
    heard = [str(w.message) for w in caught] + logged.records + [printed.getvalue()]
    return outcome, "\n".join([said, *heard])


def _check_report(extracts, relpath, out):
    report = extracts.report
    mine = [t for t in report.tables if t["file"] == relpath]
    for entry in mine:
        assert entry["rows_in"] == entry["rows_accepted"] + entry["rows_quarantined"], entry
        assert len({p["row"] for p in entry["problems"]}) == entry["rows_quarantined"], entry
    out.mkdir(parents=True, exist_ok=True)
    report.write_json(out / "validation.json")
    report.write_quarantine(out / "quarantine")
    validation = (out / "validation.json").read_text(encoding="utf-8")
    assert json.loads(validation)["totals"]["rows_in"] == report.n_rows_in
    return "\n".join([validation, report.summary(), repr(extracts), json.dumps(report.to_dict())])
