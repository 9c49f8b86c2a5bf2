"""The command line: each command's output contract, global options anywhere, one-line errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from nn import DEMOS
from recall import __version__
from recall.cli import cli
from recall.store import ReviewInput, Store
from recall.clock import study_day

SATURATION_ANSWER = ("A neuron saturates when z is large in magnitude, so the derivative of the sigmoid is tiny. "
                     "Then the weight updates are tiny and learning is slow.")
# Covers the first key point only: the offline check suggests a 3 and is not sure of it.
UNSURE_ANSWER = "Saturation happens when z is large in magnitude, far out on the flat tails of the sigmoid."


@dataclass
class Recall:
    """Runs `recall` in-process on a database, deck and config in tmp_path."""

    db: Path
    deck: Path
    config: Path

    def __call__(self, *args: str, input: str | None = None, global_options: bool = True) -> Result:
        options = ["--db", str(self.db), "--cards", str(self.deck), "--config", str(self.config)]
        return CliRunner().invoke(cli, [*(options if global_options else []), *args], input=input,
                                  catch_exceptions=False, prog_name="recall")

    def store(self) -> Store:
        return Store(self.db)


@pytest.fixture
def recall(tmp_path: Path, small_deck: Path) -> Recall:
    config = tmp_path / "config.toml"
    config.write_text("")
    return Recall(tmp_path / "cli.db", small_deck, config)


def cli_today() -> date:
    return study_day(datetime.now().astimezone(), 4)


def assert_one_line_error(result: Result, message: str, exit_code: int = 1) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("recall: error: "), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"recall, version {__version__}\n")


class TestCheck:
    def test_valid_decks_print_a_one_line_summary(self, recall):
        result = recall("check")
        assert (result.exit_code, result.stdout, result.stderr) == (
            0, "OK: 3 cards in 1 deck(s) from 1 file(s)\n", "")

    def test_every_problem_is_listed_and_the_exit_is_1(self, recall, write_deck):
        bad = write_deck("bad.toml", {"id": "Bad"}, {"id": "b.two", "prompt": None})
        warned = write_deck("warned.toml", {"id": "w.one", "colour": "red"})
        result = recall("--cards", str(bad), "--cards", str(warned), "check")
        assert result.exit_code == 1
        assert result.stderr.splitlines() == [
            f"{bad}: card 1 (Bad): error: malformed id 'Bad': use lowercase letters, digits, '.', '_' and '-', "
            "starting with a letter or digit",
            f"{bad}: card 2 (b.two): error: missing `prompt`",
            "recall: error: 2 error(s), 1 warning(s) in 3 deck file(s); cards with errors are left out, files "
            "that cannot be parsed are skipped",
        ]
        assert result.stdout == f"{warned}: card 1 (w.one): warning: unknown field `colour` (ignored)\n"

    def test_check_blames_the_file_that_reuses_an_id_the_database_holds_elsewhere(self, recall, write_deck):
        assert recall("due").exit_code == 0  # the database now holds nn.saturation from small.toml
        newcomer = write_deck("a.toml", "a.one", "nn.saturation")  # sorts before small.toml
        result = recall("--cards", str(newcomer), "--cards", str(recall.deck), "check")
        assert result.exit_code == 1
        assert result.stderr.splitlines()[0].startswith(f"{newcomer}: card 2 (nn.saturation): error: duplicate id")

    def test_the_bundled_deck_passes(self, recall):
        result = CliRunner().invoke(cli, ["check", "--db", str(recall.db)])
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith("OK: ") and result.stdout.count("\n") == 1


class TestCards:
    def test_json_lists_every_card_with_its_state(self, recall):
        recall("explain", "nn.softmax", "--answer", "Softmax makes probabilities from outputs.", "--record",
               "--quality", "4")
        cards = json.loads(recall("cards", "--json").stdout)
        assert [c["id"] for c in cards] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
        assert cards[0] == {"id": "nn.saturation", "deck": "Small", "prompt": "What is a saturated sigmoid neuron?",
                            "tags": ["ch3"], "demo": "saturation", "due": None, "interval": 0, "repetitions": 0,
                            "easiness": 2.5, "lapses": 0, "reviews": 0, "stability": None, "difficulty": None,
                            "suspended": False, "leech": False}
        assert {k: cards[1][k] for k in ("due", "interval", "repetitions", "easiness", "reviews")} == {
            "due": (cli_today() + timedelta(days=1)).isoformat(), "interval": 1, "repetitions": 1,
            "easiness": 2.5, "reviews": 1}

    def test_text_lists_one_card_a_line(self, recall):
        result = recall("cards")
        lines = result.stdout.splitlines()
        assert len(lines) == 3 and lines[0].startswith("nn.saturation") and "new" in lines[0]
        assert result.stderr == "3 cards\n"


class TestDue:
    def test_json_is_the_session_order(self, recall):
        today = cli_today()
        recall("cards")  # the first command syncs the deck into the database
        with recall.store() as store:
            store.record_review(ReviewInput("nn.softmax", 4), today - timedelta(days=2))
            store.record_review(ReviewInput("nn.overfitting", 4), today - timedelta(days=4))
        items = json.loads(recall("due", "--json").stdout)
        assert items == [
            {"id": "nn.overfitting", "deck": "Small", "prompt": "What is overfitting?", "kind": "review",
             "due": (today - timedelta(days=3)).isoformat()},
            {"id": "nn.softmax", "deck": "Small", "prompt": "What does a softmax layer output?", "kind": "review",
             "due": (today - timedelta(days=1)).isoformat()},
            {"id": "nn.saturation", "deck": "Small", "prompt": "What is a saturated sigmoid neuron?",
             "kind": "new", "due": None},
        ]

    def test_text_summarises_on_stderr(self, recall):
        result = recall("due")
        assert len(result.stdout.splitlines()) == 3
        assert result.stderr == "0 due, 3 new\n"


class TestExplain:
    def test_prints_feedback_and_the_suggested_grade_without_recording(self, recall):
        result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER)
        assert result.exit_code == 0
        assert "### Key points" in result.stdout and "### Reference answer" in result.stdout
        assert result.stdout.rstrip().endswith("Suggested grade: 5")
        assert "Recorded" not in result.stdout
        assert result.output.count("Offline check:") == 1  # in the feedback, not again as a note
        with recall.store() as store:
            assert store.review_count() == 0
            assert store.draft("nn.saturation") is None  # practice: no draft to pre-fill tomorrow's review

    def test_practice_never_replaces_a_draft_being_written_in_the_app(self, recall):
        with recall.store() as store:
            store.save_draft("nn.saturation", "half-written in the app")
        assert recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER).exit_code == 0
        with recall.store() as store:
            assert store.draft("nn.saturation") == "half-written in the app"

    def test_reads_the_explanation_from_stdin(self, recall):
        result = recall("explain", "nn.saturation", input=SATURATION_ANSWER)
        assert result.stdout.rstrip().endswith("Suggested grade: 5")

    def test_record_stores_the_given_quality_and_prints_the_next_due_date(self, recall):
        result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record", "--quality", "2")
        next_due = cli_today() + timedelta(days=1)
        assert result.stdout.rstrip().endswith(f"Recorded grade 2. Next review {next_due.isoformat()} (in 1 day).")
        with recall.store() as store:
            (review,) = store.reviews_for_card("nn.saturation")
            assert (review["quality"], review["suggested_quality"], review["grader"], review["answer"]) == (
                2, 5, "offline", SATURATION_ANSWER)
            assert "Offline check" in review["feedback"]
            assert store.draft("nn.saturation") is None

    def test_record_without_quality_records_a_confident_suggestion(self, recall):
        result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record", "--json")
        printed = json.loads(result.stdout)
        assert (printed["confident"], printed["suggested_quality"], printed["quality"]) == (True, 5, 5)
        with recall.store() as store:
            assert store.reviews_for_card("nn.saturation")[0]["quality"] == 5

    @pytest.mark.parametrize("as_json", [False, True])
    def test_piped_record_of_an_unconfident_suggestion_is_refused_and_the_text_kept(self, recall, as_json):
        result = recall("explain", "nn.saturation", "--record", *(["--json"] if as_json else []),
                        input=UNSURE_ANSWER)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert result.stderr.splitlines()[-1] == (
            "recall: error: not recorded, because the offline check is not sure (it suggests 4): give your own "
            "grade with --quality 0-5; your explanation is kept as the card's draft")
        assert result.stdout == "" if as_json else result.stdout.rstrip().endswith(
            "Suggested grade: 4 (the offline check is not sure; your grade decides)")
        with recall.store() as store:
            assert store.review_count() == 0
            assert store.draft("nn.saturation") == UNSURE_ANSWER

    def test_an_unconfident_suggestion_is_recorded_with_the_learners_quality(self, recall):
        result = recall("explain", "nn.saturation", "--answer", UNSURE_ANSWER, "--record", "--quality", "2")
        assert result.exit_code == 0, result.output
        with recall.store() as store:
            [review] = store.reviews_for_card("nn.saturation")
            assert (review["quality"], review["suggested_quality"]) == (2, 4)

    def test_on_a_terminal_the_suggestion_is_the_default_only_when_confident(self, recall):
        from recall.cli.explain import learners_grade
        from recall.grading.base import Verdict

        sure = Verdict(suggested_quality=4, key_points=(), feedback="", grader="offline", confident=True)
        unsure = replace(sure, confident=False)
        with CliRunner().isolation(input="\n") as (_out, err, *_rest):
            assert learners_grade(sure, can_ask=True) == 4
            assert b"enter accepts 4" in err.getvalue()
        with CliRunner().isolation(input="\n\n2\n") as (_out, err, *_rest):
            assert learners_grade(unsure, can_ask=True) == 2  # enter alone asks again
            assert err.getvalue().count(b"the offline check is not sure, so there is no default") == 3

    def test_recording_again_the_same_day_is_a_drill(self, recall):
        first = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record", "--quality", "5")
        again = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record", "--quality", "5")
        next_due = (cli_today() + timedelta(days=1)).isoformat()
        assert first.stdout.rstrip().endswith(f"Recorded grade 5. Next review {next_due} (in 1 day).")
        assert again.stdout.rstrip().endswith(f"Recorded grade 5 as a same-day drill (the schedule is unchanged). "
                                              f"Next review {next_due} (in 1 day).")
        with recall.store() as store:
            assert [r["kind"] for r in store.reviews_for_card("nn.saturation")] == ["drill", "scheduled"]
            assert (store.card("nn.saturation").interval, store.card("nn.saturation").repetitions) == (1, 1)

    @pytest.mark.parametrize("record", [False, True])
    def test_json_is_exactly_one_object(self, recall, record):
        args = ["explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--json"]
        result = recall(*args, *(["--record", "--quality", "4"] if record else []))
        verdict = json.loads(result.stdout)
        assert set(verdict) >= {"card_id", "grader", "model", "suggested_quality", "confident", "quality",
                                "key_points", "feedback", "follow_up_question", "recorded", "next_due", "interval"}
        assert (verdict["card_id"], verdict["grader"], verdict["model"], verdict["suggested_quality"]) == (
            "nn.saturation", "offline", None, 5)
        assert (verdict["confident"], verdict["follow_up_question"]) == (True, "")
        assert [set(point) for point in verdict["key_points"]] == [{"text", "status", "evidence"}] * 2
        assert [point["status"] for point in verdict["key_points"]] == ["covered", "covered"]
        assert "Reference answer" in verdict["feedback"]
        expected_record = ((4, True, (cli_today() + timedelta(days=1)).isoformat(), 1) if record
                           else (None, False, None, None))
        assert (verdict["quality"], verdict["recorded"], verdict["next_due"], verdict["interval"]) == expected_record


class TestStats:
    def test_json_counts_a_recorded_review(self, recall):
        recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record")
        stats = json.loads(recall("stats", "--json").stdout)
        assert {k: stats[k] for k in ("today", "cards", "new", "due_today", "retired", "reviews",
                                      "reviewed_today", "streak_days", "retention_30d")} == {
            "today": cli_today().isoformat(), "cards": 3, "new": 2, "due_today": 0, "retired": 0,
            "reviews": 1, "reviewed_today": 1, "streak_days": 1, "retention_30d": None}
        assert stats["due_forecast"][:2] == [0, 1]
        assert stats["decks"] == [{"deck": "Small", "cards": 3, "new": 2, "due": 0}]
        assert stats["token_usage"] == []

    def test_text(self, recall):
        result = recall("stats")
        assert result.exit_code == 0
        assert "cards        3 (3 new, 0 retired)" in result.stdout
        assert "deck         Small: 3 cards, 0 due, 3 new" in result.stdout


class TestDemo:
    def test_list_shows_every_demo_and_the_cards_linking_it(self, recall):
        lines = recall("demo", "--list").stdout.splitlines()
        assert [line.split()[0] for line in lines] == list(DEMOS)
        assert lines[0].split() == ["saturation", "nn.saturation"]
        assert "(no card links it)" in lines[1]

    @pytest.mark.parametrize(("name", "message"), [
        ("nn.softmax", "card 'nn.softmax' links no demo"),
        ("os.system", "'os.system' is neither a demo nor a card id"),
    ])
    def test_a_name_that_is_not_a_runnable_demo_is_an_error(self, recall, name, message):
        assert_one_line_error(recall("demo", name), message)


@pytest.mark.parametrize("args", [
    ["cards", "--json", "--db", "{db}", "--cards", "{deck}", "--config", "{config}"],
    ["--db", "{db}", "cards", "--cards", "{deck}", "--json", "--config", "{config}"],
])
def test_global_options_go_before_or_after_the_command(recall, args):
    filled = [a.format(db=recall.db, deck=recall.deck, config=recall.config) for a in args]
    result = CliRunner().invoke(cli, filled)
    assert [c["id"] for c in json.loads(result.stdout)] == ["nn.saturation", "nn.softmax", "nn.overfitting"]
    assert recall.db.exists()


def test_an_option_after_the_command_wins_over_one_before(recall, tmp_path):
    other = tmp_path / "other.db"
    CliRunner().invoke(cli, ["--db", str(recall.db), "cards", "--db", str(other), "--cards", str(recall.deck)])
    assert other.exists() and not recall.db.exists()


def test_environment_variables_name_the_files(recall, monkeypatch):
    monkeypatch.setenv("RECALL_DB", str(recall.db))
    monkeypatch.setenv("RECALL_CARDS", str(recall.deck))
    monkeypatch.setenv("RECALL_CONFIG", str(recall.config))
    assert len(json.loads(recall("cards", "--json", global_options=False).stdout)) == 3
    assert recall.db.exists()


class TestErrors:
    def test_an_unknown_card_id_suggests_close_ones(self, recall):
        assert_one_line_error(recall("explain", "nn.saturaton", "--answer", SATURATION_ANSWER),
                              "no card with id 'nn.saturaton'; did you mean nn.saturation?")

    def test_an_unknown_card_id_with_nothing_close_points_to_the_list(self, recall):
        assert_one_line_error(recall("explain", "zzz", "--answer", "x"), "`recall cards` lists them")

    @pytest.mark.parametrize("quality", ["6", "-1", "five"])
    def test_quality_outside_0_to_5_is_a_usage_error(self, recall, quality):
        result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record", "--quality",
                        quality)
        assert_one_line_error(result, "Invalid value for '--quality'", exit_code=2)
        assert "recall explain --help" in result.stderr
        assert not recall.db.exists()

    def test_an_unknown_command_is_one_line(self, recall):
        assert_one_line_error(recall("revise"), "No such command 'revise'", exit_code=2)

    @pytest.mark.parametrize(("args", "stdin"), [(["--answer", "  "], None), ([], ""), ([], "\n\n")])
    def test_an_empty_answer_cannot_be_recorded(self, recall, args, stdin):
        result = recall("explain", "nn.saturation", *args, "--record", input=stdin)
        assert_one_line_error(result, "nothing to record: the explanation is empty")
        with recall.store() as store:
            assert store.review_count() == 0

    def test_a_db_that_is_not_sqlite_is_refused_and_never_modified(self, recall):
        content = b"my lecture notes, not a database\n" * 100
        recall.db.write_bytes(content)
        for command in (["cards"], ["explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record"]):
            assert_one_line_error(recall(*command), "is not an SQLite database")
        assert recall.db.read_bytes() == content
        assert sorted(p.name for p in recall.db.parent.iterdir() if p.name.startswith("cli.db")) == ["cli.db"]

    def test_a_read_only_database_is_one_line(self, recall, make_read_only):
        recall("cards")
        make_read_only(recall.db)
        result = recall("explain", "nn.saturation", "--answer", SATURATION_ANSWER, "--record")
        assert_one_line_error(result, "read-only")

    def test_a_missing_deck_path_is_an_error_and_retires_nothing(self, recall, tmp_path):
        recall("cards")
        result = recall("--cards", str(tmp_path / "typo"), "cards")
        assert_one_line_error(result, f"no such deck file or directory: {tmp_path / 'typo'}")
        assert len(json.loads(recall("cards", "--json").stdout)) == 3

    def test_a_missing_deck_path_is_listed_by_check(self, recall, tmp_path):
        result = recall("--cards", str(tmp_path / "typo"), "check")
        assert result.exit_code == 1
        assert f"{tmp_path / 'typo'}: error: no such deck file or directory" in result.stderr

    def test_a_bad_config_file_is_one_line(self, recall):
        recall.config.write_text('api_key = "sk-test"\n')
        assert_one_line_error(recall("cards"), "do not put the API key in the config file")


@pytest.fixture
def make_read_only():
    """Make a file unwritable even for root: chattr +i as root (file modes do not stop root), else chmod."""
    locked: list[Path] = []
    as_root = os.geteuid() == 0

    def lock(path: Path) -> None:
        if as_root:
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
                pytest.skip("as root only an immutable file is read-only, and chattr +i is not available here")
        else:
            path.chmod(0o444)
        locked.append(path)

    yield lock
    for path in locked:
        if as_root:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        else:
            path.chmod(0o644)
