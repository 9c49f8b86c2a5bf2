"""JSON text exactly as `json.dumps(value, ensure_ascii=False)` writes it, from one C encoder built once.

dumps (and JSONEncoder.encode) builds a new encoder, and a table for circular references, at every call:
most of the cost for the small values that a parse (a card's content hash), a sync (a card's key points,
tags and misconceptions) and an export (a review's row) encode by the hundred thousand."""

from __future__ import annotations

import json
from collections.abc import Callable


def _object_encoder() -> Callable[[object], str]:
    """The C encoder with dumps' defaults (no indent, ", " and ": ", NaN allowed), or JSONEncoder's own
    `encode` on a Python without the _json accelerator."""
    c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
    if c_make_encoder is None:  # a Python without the _json accelerator
        return json.JSONEncoder(ensure_ascii=False).encode
    chunks = c_make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring, None, ": ", ", ",
                            False, False, True)
    return lambda value: "".join(chunks(value, 0))


json_text = _object_encoder()
