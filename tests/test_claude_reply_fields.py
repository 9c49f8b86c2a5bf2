"""The rubric's new reply fields reach the learner: against the fake Messages API, through the real CLI,
the misconception kinds and the corrected explanation's corrections and additions are printed and stored
with the review (the follow-up question and the request's core and misconceptions are covered in
tests/test_cli_claude.py and tests/test_claude_grader.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_messages_api import FakeMessagesAPI, StreamedReply

from recall.cli import cli
from recall.store import Store

ANSWER = "A saturated neuron learns slowly because its error a - y is small."
CORRECTED = ("A saturated neuron learns slowly because ~~its error a - y is small~~ **sigma'(z) is tiny**"
             "[+ **, under the quadratic cost, for an output neuron**].")
REPLY = {
    "corrected_explanation": CORRECTED,
    "key_points": [{"number": 1, "status": "partial", "evidence": "learns slowly"},
                   {"number": 2, "status": "missing", "evidence": ""}],
    "misconceptions": [
        {"claim": "its error a - y is small", "correction": "sigma'(z) is tiny; the error may be large",
         "severity": "serious", "kind": "wrong cause"},
        {"claim": "learns slowly", "correction": "under the quadratic cost, for an output neuron",
         "severity": "minor", "kind": "missing condition"},
    ],
    "rationale": "The cause is misattributed.",
    "grade": 1,
    "follow_up_question": "Which factor of the gradient is tiny?",
}


@pytest.fixture
def api():
    with FakeMessagesAPI() as server:
        yield server


def test_misconception_kinds_corrections_and_additions_are_shown_and_stored(tmp_path: Path, small_deck: Path,
                                                                            api: FakeMessagesAPI,
                                                                            monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    api.script(StreamedReply.json(REPLY))
    database = tmp_path / "recall.db"
    result = CliRunner().invoke(cli, ["--db", str(database), "--cards", str(small_deck), "explain", "nn.saturation",
                                      "--answer", ANSWER, "--grader", "claude", "--record", "--quality", "1"])
    assert result.exit_code == 0, result.output
    shown = [CORRECTED, "*serious*, a misattributed cause: its error a - y is small",
             "*minor*, a claim missing its condition: learns slowly",
             "correction: under the quadratic cost, for an output neuron"]
    for text in shown:
        assert text in result.stdout, text
    with Store(database) as store:
        [feedback] = [row["feedback"] for row in store.db.query("SELECT feedback FROM reviews")]
    for text in shown:
        assert text in feedback, text
