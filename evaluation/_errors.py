"""The single error type the audit raises for bad input."""

__all__ = ["AuditInputError"]


class AuditInputError(ValueError):
    """Raised when the audit's input is unusable.

    The message is one paragraph naming the column or option at fault, what
    is allowed and what to do. It never quotes a value from the data, so it
    is safe to print to a terminal or a log.
    """
