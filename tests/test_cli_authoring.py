"""`recall add` and `recall draft`, end to end: the real CLI, the real SDK, a fake Messages API."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fake_messages_api import ErrorReply, FakeMessagesAPI, StreamedReply

from recall.cli import cli
from recall.deck import parse_deck
from recall.store import Store
from recall import stats

COMMENTED = '''# My notes deck. Keep this comment.
deck = "Mine"

# the first idea
[[card]]
id = "mine.first"   # hand-written
prompt = "What does a softmax layer output?"
answer = "A probability distribution over the classes."
key_points = ["positive outputs", "they sum to one"]
'''
PROMPT = "Why scale dot products by the square root of d_k?"
ANSWER = "Dot products grow with d_k. Large scores saturate the softmax. Scaling keeps the gradients useful."
NOTES = """# Attention

## Scaling
Dot products of random vectors have variance d_k, so scores grow with the dimension.
Dividing by sqrt(d_k) keeps softmax out of saturation.

## Heads
Several heads attend to different relations at once.
"""
DRAFTED = {"cards": [
    {"prompt": "Why are attention scores divided by sqrt(d_k)?",
     "answer": "Scores have variance d_k; dividing keeps softmax unsaturated.",
     "key_points": ["scores grow with d_k", "softmax saturates on large scores"], "demo": "saturation"},
    {"prompt": "Why use several attention heads?", "answer": "Each head attends to a different relation.",
     "key_points": ["heads learn different relations", "they run in parallel"], "demo": "no_such_demo"},
    {"prompt": "What does the softmax layer output?", "answer": "A distribution.",
     "key_points": ["a distribution"], "demo": ""},
]}


@pytest.fixture
def api():
    with FakeMessagesAPI() as server:
        yield server


@pytest.fixture
def deck_file(tmp_path: Path) -> Path:
    path = tmp_path / "decks" / "mine.toml"
    path.parent.mkdir()
    path.write_text(COMMENTED)
    return path


@pytest.fixture
def recall(tmp_path: Path, deck_file: Path):
    def run(*args: str, input: str | None = None):  # noqa: A002 - CliRunner's name
        return CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "--cards", str(deck_file.parent), *args],
                                  input=input)

    run.database = tmp_path / "r.db"
    return run


@pytest.fixture
def online(api, monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "test-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)
    return api


@pytest.fixture
def terminal(monkeypatch):
    monkeypatch.setattr("recall.cli.authoring.interactive", lambda: True)


@pytest.fixture
def editor(tmp_path: Path, monkeypatch):
    """$EDITOR: a script that records what it was opened on and writes the next scripted text."""
    script, queue, seen = tmp_path / "editor.py", tmp_path / "queue.json", tmp_path / "seen.json"
    script.write_text(
        "import json, os, sys, pathlib\n"
        f"queue, seen = pathlib.Path({str(queue)!r}), pathlib.Path({str(seen)!r})\n"
        "target = pathlib.Path(sys.argv[1])\n"
        "shown = json.loads(seen.read_text()) if seen.exists() else []\n"
        "seen.write_text(json.dumps(shown + [target.read_text()]))\n"
        "texts = json.loads(queue.read_text())\n"
        "queue.write_text(json.dumps(texts[1:]))\n"
        "target.write_text(texts[0])\n"
        "stat = target.stat()\n"
        "os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)

    def will_write(*texts: str) -> None:
        queue.write_text(json.dumps(list(texts)))

    will_write.seen = lambda: json.loads(seen.read_text()) if seen.exists() else []
    return will_write


def added_part(deck_file: Path) -> str:
    text = deck_file.read_text()
    assert text.startswith(COMMENTED)  # every other byte kept
    return text[len(COMMENTED):]


def test_add_offline_proposes_the_answers_sentences_and_keeps_the_file(recall, deck_file):
    result = recall("add", "--deck", "Mine", "--deck-file", str(deck_file), "--prompt", PROMPT, "--answer", ANSWER,
                    "--tag", "attention")
    assert result.exit_code == 0, result.output
    assert result.stdout == "mine.scale-dot-products-by-square-root\n"
    assert "Key points (the answer's sentences" in result.stderr
    cards, problems = parse_deck(deck_file)
    assert problems == [] and [c.id for c in cards] == ["mine.first", "mine.scale-dot-products-by-square-root"]
    assert cards[1].key_points == ("Dot products grow with d_k.", "Large scores saturate the softmax.",
                                   "Scaling keeps the gradients useful.")
    assert cards[1].core is None and cards[1].tags == ("attention",)
    assert added_part(deck_file).startswith('\n[[card]]\nid = "mine.scale-dot-products-by-square-root"\n')


def test_add_defaults_to_the_decks_file_in_the_user_decks_folder(recall, isolated_env):
    result = recall("add", "--deck", "Physics 101", "--prompt", "Why is the sky blue?", "--answer", "Scattering.",
                    "--key-point", "short wavelengths scatter more")
    assert result.exit_code == 0, result.output
    [path] = (isolated_env / ".local/share/recall/decks").glob("*.toml")
    assert path.name == "physics-101.toml"
    [card], _ = parse_deck(path)
    assert card.id == "physics-101.sky-blue" and card.deck == "Physics 101"


def test_add_with_a_model_drafts_key_points_core_first_and_stores_their_cost(recall, deck_file, online):
    online.script(StreamedReply.json({"key_points": ["scores grow with d_k", "large scores saturate softmax"]},
                                     input_tokens=200))
    result = recall("add", "--deck-file", str(deck_file), "--prompt", PROMPT, "--answer", ANSWER)
    assert result.exit_code == 0, result.output
    assert "drafted by claude-haiku-5-5, the core one first" in result.stderr
    assert "1. scores grow with d_k" in result.stderr and "200 tokens in" in result.stderr
    [request] = online.requests
    assert request.body["output_config"]["format"]["type"] == "json_schema"
    assert PROMPT in request.body["messages"][0]["content"]
    card = parse_deck(deck_file)[0][1]
    assert card.key_points == ("scores grow with d_k", "large scores saturate softmax") and card.core == 1
    with Store(recall.database) as store:
        [usage] = stats.drafting_usage(store)
    assert usage["purpose"] == "key points" and usage["input_tokens"] == 200 and usage["requests"] == 1
    printed = recall("stats")
    assert "drafting key points (1 requests)" in printed.stdout


def test_add_falls_back_to_sentences_when_the_model_fails(recall, deck_file, online):
    online.script(ErrorReply(401, "authentication_error", "invalid x-api-key"))
    result = recall("add", "--deck-file", str(deck_file), "--prompt", PROMPT, "--answer", ANSWER)
    assert result.exit_code == 0, result.output
    said = " ".join(result.stderr.split())
    assert "could not draft key points: The API key was rejected (401): check ANTHROPIC_API_KEY;" in said
    assert "--grader offline" not in result.stderr
    assert len(parse_deck(deck_file)[0][1].key_points) == 3


def test_add_without_prompt_off_a_terminal_is_one_sentence(recall, deck_file):
    result = recall("add", "--deck-file", str(deck_file), "--answer", ANSWER)
    assert result.exit_code == 1
    assert result.stderr == ("recall: error: give the card with --prompt and --answer (or run `recall add` on a "
                             "terminal to write it in your editor)\n")
    assert deck_file.read_text() == COMMENTED


def test_add_refuses_an_invalid_card_and_writes_nothing(recall, deck_file):
    result = recall("add", "--deck-file", str(deck_file), "--prompt", PROMPT, "--answer", ANSWER,
                    "--key-point", "k", "--demo", "rm -rf /")
    assert result.exit_code == 1 and "is not a demo in nn/" in result.stderr
    assert deck_file.read_text() == COMMENTED


def template(prompt: str, answer: str, points: str = "", demo: str = "") -> str:
    return f"## prompt\n{prompt}\n## answer\n{answer}\n## key points\n{points}\n## tags\nch1\n## demo\n{demo}\n"


def test_add_in_the_editor_reopens_with_the_error_and_keeps_what_was_typed(recall, deck_file, terminal, editor):
    editor(template(PROMPT, ANSWER, "- grows with d_k", demo="not a demo!"),
           template(PROMPT, ANSWER, "- grows with d_k", demo="saturation"))
    result = recall("add", "--deck-file", str(deck_file))
    assert result.exit_code == 0, result.output
    first, second = editor.seen()
    assert "## prompt\n\n## answer" in first
    assert second.startswith("# error: the card is not valid: demo 'not a demo!' is not a demo in nn/")
    assert f"## prompt\n{PROMPT}\n" in second and "- grows with d_k" in second  # what was typed, kept
    card = parse_deck(deck_file)[0][1]
    assert card.demo == "saturation" and card.key_points == ("grows with d_k",) and card.tags == ("ch1",)


def test_quitting_the_editor_keeps_the_text_for_next_time(recall, deck_file, terminal, editor, isolated_env):
    editor(template(PROMPT, ANSWER, demo="bad demo!"), template(PROMPT, ANSWER, demo="bad demo!"))
    editor_script_text = template(PROMPT, ANSWER, demo="bad demo!")
    result = recall("add", "--deck-file", str(deck_file))  # a third open finds the queue empty: editor fails
    assert result.exit_code == 1
    saved = isolated_env / ".local/share/recall/add-draft.txt"
    assert saved.read_text() == editor_script_text and deck_file.read_text() == COMMENTED
    editor(template(PROMPT, ANSWER, "- grows", demo=""))
    result = recall("add", "--deck-file", str(deck_file))
    assert result.exit_code == 0, result.output
    assert editor.seen()[-1] == editor_script_text and not saved.exists()


def test_draft_offline_says_it_needs_a_model(recall, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    result = recall("draft", str(notes), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == ("recall: error: drafting needs a grader model: set ANTHROPIC_API_KEY, or point "
                             "ANTHROPIC_BASE_URL at a local Messages API server (with any key)\n")


def test_draft_json_prints_proposals_flags_duplicates_and_writes_nothing(recall, tmp_path, deck_file, online):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    online.script(StreamedReply.json(DRAFTED, input_tokens=500))
    result = recall("draft", str(notes), "--json", "--deck", "Mine", "--output", str(deck_file))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    first, second, third = printed["proposals"]
    assert first["tags"] == ["attention"] and first["demo"] == "saturation" and first["core"] == 1
    assert second["demo"] is None  # a demo that does not exist is dropped
    assert third["duplicate_of"] == "mine.first" and first["duplicate_of"] is None
    assert printed["cost"]["input_tokens"] == 500 and printed["cost"]["requests"] == 1
    assert deck_file.read_text() == COMMENTED
    body = online.requests[0].body
    assert "<notes>" in body["messages"][0]["content"] and "What does a softmax layer output?" in \
        body["messages"][0]["content"]


def test_draft_on_a_terminal_accepts_edits_and_rejects(recall, tmp_path, deck_file, online, terminal, editor):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    drafted = {"cards": [*DRAFTED["cards"][:2], {"prompt": "Why mask future tokens?", "answer": "No peeking.",
                                                 "key_points": ["no peeking at later tokens"], "demo": ""}]}
    online.script(StreamedReply.json(drafted))
    editor(template("Why several heads, really?", "Different relations.", "- different relations"))
    result = recall("draft", str(notes), "--output", str(deck_file), input="a\ne\nr\n")
    assert result.exit_code == 0, result.output
    assert "[1/3] Why are attention scores divided by sqrt(d_k)?" in result.stdout
    assert "added 2 card(s)" in result.stdout
    added = parse_deck(deck_file)[0][1:]
    assert [card.prompt for card in added] == ["Why are attention scores divided by sqrt(d_k)?",
                                               "Why several heads, really?"]
    assert added[0].core == 1 and added[1].core is None and added[0].demo == "saturation"
    assert added_part(deck_file).count("[[card]]") == 2


def test_draft_yes_appends_every_proposal_but_duplicates(recall, tmp_path, deck_file, online):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    online.script(StreamedReply.json(DRAFTED))
    result = recall("draft", str(notes), "--yes", "--output", str(deck_file))
    assert result.exit_code == 0, result.output
    assert "duplicate of mine.first: not added" in result.stdout
    assert [card.id for card in parse_deck(deck_file)[0]] == [
        "mine.first", "mine.attention-scores-divided-by-sqrt-d", "mine.use-several-attention-heads"]
    assert added_part(deck_file).count("[[card]]") == 2
    with Store(recall.database) as store:
        assert [row["purpose"] for row in stats.drafting_usage(store)] == ["cards"]


def test_a_failing_draft_request_is_one_sentence_and_writes_nothing(recall, tmp_path, deck_file, online):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    online.default_reply = ErrorReply(529, "overloaded_error", "Overloaded", headers={"retry-after-ms": "1"})
    result = recall("draft", str(notes), "--yes", "--output", str(deck_file))
    assert result.exit_code == 1
    assert result.stderr == "recall: error: The API is overloaded right now: try again in a few minutes.\n"
    assert deck_file.read_text() == COMMENTED


def test_draft_off_a_terminal_without_yes_or_json_asks_for_one(recall, tmp_path, online):
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES)
    result = recall("draft", str(notes))
    assert result.exit_code == 1 and online.requests == []
    assert "pass --yes to accept every proposal, or --json to print them" in result.stderr
