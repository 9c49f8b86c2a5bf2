"""The csv and fsrs exports format their fields without `csv.writer` (which is slow on long text): for any
rows of text, numbers and NULLs they must give the very text `csv.writer` gives."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from recall.export import _write_csv_rows

FIELD = st.one_of(st.none(), st.text(), st.text(alphabet='",\r\n\' ab'), st.integers(),
                  st.floats(allow_nan=False), st.sampled_from([2.36, 1.3, 2.0, 1e-7, 123456789.125]))


def written(rows: list[tuple]) -> str:
    out = io.StringIO(newline="")
    _write_csv_rows(out, rows)
    return out.getvalue()


@given(st.lists(st.lists(FIELD, min_size=2, max_size=6).map(tuple), max_size=5))
def test_rows_are_the_text_csv_writer_gives(rows):
    expected = io.StringIO(newline="")
    csv.writer(expected).writerows(rows)
    assert written(rows) == expected.getvalue()
