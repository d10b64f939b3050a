"""The one exception a user sees when an extract cannot be read at all."""

from __future__ import annotations


class DataError(Exception):
    """A file-level problem with the extracts or their configuration.

    Raised for a missing data folder, an empty or unreadable file, a missing
    required column, truncated or malformed XML, or a missing pseudonymisation key.
    The message names the file and column, says what is allowed and what to do,
    and never quotes a child's identifier or record value, so the command line can
    print it as one paragraph without a traceback.

    Row-level problems never raise: those rows are quarantined and reported.
    """
