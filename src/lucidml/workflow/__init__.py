"""The notes' seven-step project workflow (§5): frame, data, features, train and tune, diagnose,
fuse, deploy. ``lucidml run DATA --target COL`` drives it; each step is a module of plain functions.
"""

from ._errors import WorkflowError

__all__ = ["WorkflowError"]
