"""recall: learn a technical subject by explaining it."""

__version__ = "0.1.0"
