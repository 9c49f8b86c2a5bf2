"""The one base class of every error a user can act on.

Each layer raises its own subclass (`StoreError`, `ConfigError`, `GradingError`...) whose message is one
sentence and a way on; a front end catches `RecallError` and shows that sentence. Dependency-free, so the
CLI and the TUI can name it without importing the store, the graders or the demos.
"""

from __future__ import annotations


class RecallError(Exception):
    """A problem the user can act on; `str(error)` is the sentence to show."""
