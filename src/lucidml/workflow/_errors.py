"""The one error type of the workflow: a mistake the user can fix, said in one line."""

from __future__ import annotations

__all__ = ["WorkflowError"]


class WorkflowError(ValueError):
    """A problem with the user's data or options, worded as one actionable line.

    The ``lucidml`` command prints it as ``lucidml: error: <message>`` and exits with code 2.
    """
