"""`visible` searches for control characters before translating them: the search must find every one the
table replaces, and leave all other text exactly as it is."""

from __future__ import annotations

from recall.cli.output import VISIBLE_CONTROLS, visible


def test_every_control_character_is_made_visible_and_nothing_else_changes():
    for code in range(0x3000):
        text = f"a{chr(code)}b"
        expected = f"a{VISIBLE_CONTROLS[code]}b" if code in VISIBLE_CONTROLS else text
        assert visible(text) == expected, hex(code)
    assert visible("tab\tand\nnewline stay") == "tab\tand\nnewline stay"
