"""A first start of the study app with many deck files parses them even though Textual has replaced
sys.stderr with a stand-in without a file descriptor: spawning parse workers then failed (multiprocessing
hands its resource tracker stderr's descriptor), and the app crashed."""

from __future__ import annotations

import subprocess
import sys

from recall.deck import parse_deck

# Run in a fresh process: a resource tracker started earlier by this one would hide the failure.
SCRIPT = """
import sys
from pathlib import Path
from recall.deck import parse_decks

class NoDescriptor:  # what textual.app._PrintCapture does while an app runs
    def write(self, text): return len(text)
    def flush(self): pass
    def fileno(self): return -1

sys.stderr = NoDescriptor()
for cards, problems in parse_decks([(Path(name), None) for name in sys.argv[1:]], parallel_bytes=0):
    print(len(cards), len(problems))
"""


def test_decks_are_parsed_when_stderr_has_no_file_descriptor(write_deck):
    files = [write_deck("a.toml", "a.one", "a.two"), write_deck("b.toml", "b.one", {"id": "b.two", "prompt": None})]
    result = subprocess.run([sys.executable, "-c", SCRIPT, *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    expected = [parse_deck(path) for path in files]
    assert result.stdout.split("\n")[:2] == [f"{len(cards)} {len(problems)}" for cards, problems in expected]
