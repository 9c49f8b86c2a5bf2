"""`recall explain` with Claude, end to end: the real CLI, the real SDK, a fake Messages API on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_messages_api import ErrorReply, FakeMessagesAPI, RawReply, StreamedReply

from recall.cli import cli
from recall.store import Store

ANSWER = ("A neuron saturates when its weighted input z is large, so the sigmoid is flat and its derivative "
          "is tiny; the quadratic cost's gradient is multiplied by that derivative, so learning is slow.")
REPLY = {
    "corrected_explanation": "A neuron saturates when its weighted input z is large in magnitude.",
    "key_points": [{"number": 1, "status": "covered", "evidence": "its derivative is tiny"},
                   {"number": 2, "status": "covered", "evidence": "multiplied by that derivative"}],
    "misconceptions": [],
    "rationale": "Both points, with the mechanism.",
    "grade": 5,
}


@pytest.fixture
def api():
    with FakeMessagesAPI() as server:
        yield server


@pytest.fixture
def explain(tmp_path: Path, small_deck: Path, api: FakeMessagesAPI, monkeypatch: pytest.MonkeyPatch):
    """Runs `recall explain nn.saturation ...` against the fake server with a test key."""
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    database = tmp_path / "recall.db"

    def run(*args: str):
        return CliRunner().invoke(cli, ["--db", str(database), "--cards", str(small_deck), "explain",
                                        "nn.saturation", "--answer", ANSWER, *args])

    run.database = database
    return run


def reviews(database: Path) -> list[dict]:
    with Store(database) as store:
        return list(store.db.query("SELECT quality, suggested_quality, grader, model, prompt_version, "
                                   "input_tokens, output_tokens FROM reviews"))


def test_claude_grades_and_the_confirmed_grade_is_recorded(explain, api):
    api.script(StreamedReply.json(REPLY, input_tokens=321))
    result = explain("--grader", "claude", "--record", "--quality", "4", "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["grader"] == "claude" and printed["model"] == "claude-haiku-5-5"
    assert printed["suggested_quality"] == 5 and printed["quality"] == 4 and printed["recorded"] is True
    [row] = reviews(explain.database)
    assert row["quality"] == 4 and row["suggested_quality"] == 5
    assert row["grader"] == "claude" and row["model"] == "claude-haiku-5-5" and row["prompt_version"]
    assert row["input_tokens"] == 321 and row["output_tokens"] > 0
    assert "test-key" not in json.dumps(row)
    assert api.requests[0].headers["authorization"] == "Bearer test-key"


def test_auto_falls_back_to_offline_and_says_why(explain, api):
    # Every attempt is overloaded, the SDK's own retries included (told to wait 1 ms between them).
    api.default_reply = ErrorReply(529, "overloaded_error", "Overloaded", headers={"retry-after-ms": "1"})
    result = explain("--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["grader"] == "offline"
    assert any("overloaded" in notice.lower() for notice in printed["notices"])


def test_explicit_claude_failure_exits_non_zero_keeps_the_draft_and_records_nothing(explain, api):
    api.default_reply = ErrorReply(401, "authentication_error", "invalid x-api-key")
    result = explain("--grader", "claude", "--record")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("recall: error:") and "draft" in line and "Traceback" not in result.output
    with Store(explain.database) as store:
        assert store.draft("nn.saturation") == ANSWER
        assert store.review_count() == 0


@pytest.mark.parametrize("answer", ["FIFO", "\u5148\u8fdb\u5148\u51fa"])
def test_a_short_answer_is_graded_by_claude_not_zeroed_locally(tmp_path, small_deck, api, monkeypatch, answer):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    api.script(StreamedReply.json(REPLY))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "recall.db"), "--cards", str(small_deck), "explain",
                                      "nn.saturation", "--answer", answer, "--grader", "claude", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert (printed["grader"], printed["suggested_quality"]) == ("claude", 5)
    assert answer in api.requests[0].body["messages"][0]["content"]


UNUSABLE_REPLIES = {
    "html": RawReply.html("<html><body>Please sign in</body></html>"),
    "json": RawReply.json({"hello": "world"}),
    "malformed stream": RawReply.event_stream(("content_block_delta", {"type": "content_block_delta", "index": 3,
                                                                      "delta": {"type": "text_delta", "text": "x"}})),
}


@pytest.mark.parametrize("reply", UNUSABLE_REPLIES.values(), ids=UNUSABLE_REPLIES.keys())
def test_auto_falls_back_to_offline_when_the_reply_is_not_a_usable_stream(explain, api, reply):
    api.script(reply)
    result = explain("--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["grader"] == "offline"
    assert any(notice.startswith("Graded offline because Claude could not grade:") and api.base_url in notice
               for notice in printed["notices"])


@pytest.mark.parametrize("reply", UNUSABLE_REPLIES.values(), ids=UNUSABLE_REPLIES.keys())
def test_explicit_claude_with_an_unusable_reply_exits_with_one_line_and_keeps_the_draft(explain, api, reply):
    api.script(reply)
    result = explain("--grader", "claude", "--record")
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("recall: error:") and api.base_url in line and "Traceback" not in result.output
    with Store(explain.database) as store:
        assert store.draft("nn.saturation") == ANSWER
        assert store.review_count() == 0


FOLLOW_UP = "Why does a tiny sigma'(z) make the weight update tiny?"


def reviews_with_feedback(database: Path) -> list[dict]:
    with Store(database) as store:
        return list(store.db.query("SELECT quality, suggested_quality, feedback FROM reviews"))


def test_the_follow_up_question_reaches_the_output_and_the_stored_feedback(explain, api):
    api.script(StreamedReply.json({**REPLY, "follow_up_question": FOLLOW_UP}),
               StreamedReply.json({**REPLY, "follow_up_question": FOLLOW_UP}))
    result = explain("--grader", "claude", "--record", "--quality", "4")
    assert result.exit_code == 0, result.output
    assert f"**Follow-up (not graded):** {FOLLOW_UP}" in result.stdout
    assert result.stdout.index("Suggested grade: 5") < result.stdout.index(FOLLOW_UP)
    [row] = reviews_with_feedback(explain.database)
    assert FOLLOW_UP in row["feedback"]

    printed = json.loads(explain("--grader", "claude", "--json").stdout)
    assert (printed["follow_up_question"], printed["confident"]) == (FOLLOW_UP, True)


def test_a_confident_claude_verdict_is_recorded_when_piped(explain, api):
    api.script(StreamedReply.json(REPLY))
    result = explain("--grader", "claude", "--record")
    assert result.exit_code == 0, result.output
    assert [(r["quality"], r["suggested_quality"]) for r in reviews_with_feedback(explain.database)] == [(5, 5)]


def test_a_grade_its_own_checklist_disagrees_with_is_not_recorded_when_piped(explain, api):
    partial = {**REPLY, "key_points": [{"number": 1, "status": "partial", "evidence": "its derivative is tiny"},
                                       {"number": 2, "status": "missing", "evidence": ""}]}
    api.script(StreamedReply.json(partial))
    result = explain("--grader", "claude", "--record")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (
        "recall: error: not recorded, because the grade and its checklist disagree (it suggests 5): give your own "
        "grade with --quality 0-5; your explanation is kept as the card's draft")
    assert "Suggested grade: 5 (the grade and its checklist disagree; your grade decides)" in result.stdout
    with Store(explain.database) as store:
        assert store.review_count() == 0
        assert store.draft("nn.saturation") == ANSWER


def test_the_request_carries_the_cards_core_point_and_misconceptions(tmp_path, write_deck, api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    deck = write_deck("core.toml", {
        "id": "nn.core", "prompt": "Why does a saturated neuron learn slowly?", "answer": "sigma'(z) is tiny.",
        "key_points": ["the output is near 0 or 1", "the gradient carries sigma'(z), which is tiny"], "core": 2,
        "misconceptions": ["saturation means the output is exactly 0 or 1"]})
    api.script(StreamedReply.json(REPLY))
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "core.db"), "--cards", str(deck), "explain", "nn.core",
                                      "--answer", ANSWER, "--grader", "claude", "--json"])
    assert result.exit_code == 0, result.output
    reference = api.requests[0].body["system"][1]["text"]
    assert "2. (core) the gradient carries sigma'(z), which is tiny" in reference
    assert ("<known_misconceptions>\n- saturation means the output is exactly 0 or 1\n</known_misconceptions>"
            in reference)
