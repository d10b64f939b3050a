"""The one error type the review service raises for bad input."""

from __future__ import annotations

__all__ = ["ReviewError"]


class ReviewError(ValueError):
    """Bad input to the review service: a database URL, a score folder, a team file or a user."""
