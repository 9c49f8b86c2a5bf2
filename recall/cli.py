"""The `recall` command line (click). `recall` with no command opens the TUI.

Errors a user can act on are one line on stderr and a non-zero exit, never a traceback. Heavy modules
(anthropic, numpy, textual, sqlite-utils) are imported inside the commands that need them.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import asdict
from datetime import date, datetime
from functools import cached_property
from pathlib import Path

import click

from recall import __version__
from recall.config import GRADER_CHOICES, Settings, load_settings
from recall.clock import study_day, utc_now
from recall.errors import RecallError

EXIT_USAGE = 2
DEBUG_ENV = "RECALL_DEBUG"
# Control characters in text from decks, imported notes or a grader's reply, as a terminal should show
# them: an escape sequence could retitle the window or clear the screen. Newlines and tabs stay.
VISIBLE_CONTROLS = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\n\t"}
VISIBLE_CONTROLS |= {0x7F: "\u2421"} | {code: f"\\x{code:02x}" for code in range(0x80, 0xA0)}


def visible(text: str) -> str:
    """`text` with every control character but newline and tab replaced by a visible stand-in."""
    return text.translate(VISIBLE_CONTROLS)


def terminal_width() -> int:
    """The terminal's columns (COLUMNS wins; 80 when piped)."""
    import shutil  # imported on use: bz2 and lzma come with it

    return shutil.get_terminal_size((80, 24)).columns


def say(text: str, *, err: bool = False, nl: bool = True, hang: int | None = None) -> None:
    """Print text for a person: control characters made visible (files and --json keep text exact); with
    `hang`, wrapped to the terminal's width (80 when piped) with later lines indented by `hang`."""
    text = visible(text)
    if hang is not None:
        import textwrap  # only for the few wrapped lines: it costs every command 2 ms

        text = textwrap.fill(text, width=terminal_width(), subsequent_indent=" " * hang)
    click.echo(text, err=err, nl=nl)


def fitted(columns: str, rest: str) -> str:
    """A table line: `columns`, then as much of `rest` as the terminal's width leaves (80 when piped)."""
    columns, rest = visible(columns), visible(rest)
    room = terminal_width() - len(columns) - 1
    return f"{columns} {rest if len(rest) <= room else rest[:max(room - 1, 0)] + '…'}"


class UserError(click.ClickException):
    """One sentence for the user, exit code 1."""

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        say(f"recall: error: {self.format_message()}", err=True)


class UsageLine(UserError):
    """A mistake on the command line, as one line (click's own usage errors print the whole usage)."""

    exit_code = EXIT_USAGE

    @classmethod
    def from_click(cls, error: click.UsageError) -> UsageLine:
        where = error.ctx.command_path if error.ctx else "recall"
        return cls(f"{error.format_message()} (see `{where} --help`)")


class RecallGroup(click.Group):
    """Turns every anticipated failure into one line on stderr; anything unexpected too, unless
    RECALL_DEBUG is set (then the traceback is shown, for bug reports)."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise UsageLine.from_click(exc) from None
        except RecallError as exc:
            raise UserError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt, SystemExit):
            raise
        except OSError as exc:
            if exc.errno == 32:  # broken pipe: `recall cards --json | head`
                sys.stderr.close()
                raise SystemExit(1) from None
            raise UserError(f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")) from None
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            raise UserError(f"unexpected {type(exc).__name__}: {exc} (set {DEBUG_ENV}=1 to see the "
                            "traceback and report it)") from None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise UsageLine.from_click(exc) from None


class Context:
    """Settings, decks and the store, each built on first use so cheap commands stay cheap."""

    def __init__(self, flags: dict) -> None:
        self.flags = flags

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.flags)

    @cached_property
    def decks(self):  # noqa: ANN201 - DeckSet, imported lazily
        """Every deck parsed, an id reused by two files kept with the file the database holds it from (read
        without syncing, so `check` blames the same card a start would leave out)."""
        from recall.deck import load_decks

        known = {}
        if self.settings.db_path.is_file():
            from recall.store import Store

            with Store(self.settings.db_path) as store:
                known = store.card_sources()
        return load_decks(list(self.settings.card_paths), known)

    @cached_property
    def store(self):  # noqa: ANN201 - Store, imported lazily
        from recall.collection import open_collection

        store, report = open_collection(self.settings)
        if report.migration_backup:
            say(f"recall: upgraded the database; the old one is backed up at {report.migration_backup}",
                err=True)
        if report.deck_problems:
            say(f"recall: warning: {len(report.deck_problems)} deck problem(s) ({report.deck_problems[0]}); "
                "run `recall check` for all of them", err=True)
        return store

    @property
    def today(self) -> date:
        return study_day(utc_now(), self.settings.day_starts_at)

    def card(self, card_id: str):  # noqa: ANN201 - CardRow
        row = self.store.card(card_id)
        if row is None or row.retired:
            import difflib  # only for this message: it costs every command 4 ms

            close = difflib.get_close_matches(card_id, self.store.active_card_ids(), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else "; `recall cards` lists them"
            raise UserError(f"no card with id {card_id!r}{hint}")
        return row


def as_text(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """A text option or argument as valid Unicode: bytes that are not UTF-8 (which arrive as lone
    surrogates) become U+FFFD, so they can be printed, compared and stored. Paths keep their bytes."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if value is not None else None


def global_options(command):  # noqa: ANN001, ANN201
    """--db, --cards and --config, accepted before or after the command name."""
    command = click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                           help="config.toml to read (env RECALL_CONFIG).")(command)
    command = click.option("--cards", "cards", multiple=True, type=click.Path(),  # str: keeps "" visible
                           help="Deck file or directory; repeatable (env RECALL_CARDS).")(command)
    return click.option("--db", "db", type=click.Path(path_type=Path),
                        help="SQLite database (env RECALL_DB).")(command)


def context(ctx: click.Context, db: Path | None, cards: tuple[str, ...], config: Path | None) -> Context:
    """The shared Context, with options given after the command overriding those before it."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Context({})
    given = {"db": db, "cards": list(cards) or None, "config": config}
    root.obj.flags.update({k: v for k, v in given.items() if v is not None})
    return root.obj


def emit_json(value: object) -> None:
    # Indented for a person at a terminal; compact for programs (json's indenting encoder is ~5x slower).
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


@click.group(cls=RecallGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@global_options
@click.version_option(__version__, "--version", prog_name="recall")
@click.pass_context
def cli(ctx: click.Context, db: Path | None, cards: tuple[str, ...], config: Path | None) -> None:
    """Learn a technical subject by explaining it: recall shows a concept, you explain it, a grader
    corrects you, SM-2 schedules the next review.

    With no command, opens the study app on its dashboard."""
    context(ctx, db, cards, config)
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj, start="dashboard")


def run_app(state: Context, start: str) -> None:
    from recall.tui.app import RecallApp

    app = RecallApp(state.settings, start=start)
    app.run()
    sys.exit(app.return_code or 0)  # the app has already said why when it could not start


@cli.command()
@global_options
@click.pass_context
def study(ctx: click.Context, **options: object) -> None:
    """Open the study app straight into today's session."""
    run_app(context(ctx, **options), start="study")


@cli.command()
@global_options
@click.pass_context
def check(ctx: click.Context, **options: object) -> None:
    """Validate every deck; exit 1 listing each problem with its file and card."""
    decks = context(ctx, **options).decks
    for problem in decks.problems:
        say(str(problem), err=problem.severity == "error")
    errors, warnings = len(decks.errors), len(decks.problems) - len(decks.errors)
    if errors:
        raise UserError(f"{errors} error(s), {warnings} warning(s) in {len(decks.files)} deck file(s); cards with "
                        "errors are left out, files that cannot be parsed are skipped")
    deck_names = {card.deck for card in decks.cards}
    say(f"OK: {len(decks.cards)} cards in {len(deck_names)} deck(s) from {len(decks.files)} file(s)"
        + (f", {warnings} warning(s)" if warnings else ""))


def card_summary(row) -> dict:  # noqa: ANN001 - CardRow
    return {"id": row.id, "deck": row.deck, "prompt": row.prompt, "tags": list(row.tags), "demo": row.demo,
            "due": row.due.isoformat() if row.due else None, "interval": row.interval,
            "repetitions": row.repetitions, "easiness": row.easiness_centi / 100, "lapses": row.lapses,
            "reviews": row.reviews}


@cli.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def cards(ctx: click.Context, as_json: bool, **options: object) -> None:
    """List cards with their scheduling state."""
    rows = context(ctx, **options).store.cards()
    if as_json:
        emit_json([card_summary(row) for row in rows])
        return
    for row in rows:
        due = row.due.isoformat() if row.due else "new"
        say(fitted(f"{row.id:<28} {due:<10} {row.interval:>4}d EF {row.easiness_centi / 100:.2f} "
                   f"{row.reviews:>3}r", row.prompt))
    say(f"{len(rows)} cards", err=True)


@cli.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def due(ctx: click.Context, as_json: bool, **options: object) -> None:
    """What a session would ask today, in order."""
    from recall.study import todays_queue

    state = context(ctx, **options)
    queue = todays_queue(state.store, state.today, state.settings.new_per_day)
    items = [{"id": item.card.id, "deck": item.card.deck, "prompt": item.card.prompt, "kind": item.kind,
              "due": item.card.due.isoformat() if item.card.due else None} for item in queue]
    if as_json:
        emit_json(items)
        return
    for item in items:
        say(fitted(f"{item['kind']:<6} {item['due'] or '':<10} {item['id']:<28}", item["prompt"]))
    kinds = Counter(item["kind"] for item in items)
    say(f"{kinds['review']} due, {kinds['new']} new" + (f", {kinds['drill']} drill(s)" if kinds["drill"] else ""),
        err=True)


def read_answer(answer: str | None, prompt: str, quiet: bool) -> str:
    """The explanation from --answer, else stdin; bytes that are not UTF-8 become U+FFFD, never an error."""
    if answer is not None:
        return answer
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty() and not quiet:
        say(f"{prompt}\n\nExplain in your own words; end with Ctrl-D on an empty line:", err=True)
    raw = getattr(sys.stdin, "buffer", None)
    return raw.read().decode("utf-8", "replace") if raw is not None else sys.stdin.read()


def learners_grade(verdict, can_ask: bool) -> int:  # noqa: ANN001 - Verdict, imported lazily
    """The grade to record when no --quality was given. The learner has the last word: on a terminal they
    are asked, with the suggestion as the default only when the grader is confident of it. Without a
    terminal only a confident suggestion is recorded; otherwise nothing is, and they are told to pass
    --quality (the explanation stays the card's draft)."""
    from recall.grading.base import doubt

    suggested = verdict.suggested_quality
    if can_ask and verdict.confident:
        return click.prompt(f"\nYour grade (0-5, enter accepts {suggested})", type=click.IntRange(0, 5),
                            default=suggested, err=True)
    if can_ask:
        return click.prompt(f"\nYour grade (0-5; {doubt(verdict)}, so there is no default)",
                            type=click.IntRange(0, 5), err=True)
    if verdict.confident:
        return suggested
    raise UserError(f"not recorded, because {doubt(verdict)} (it suggests {suggested}): give your own grade with "
                    "--quality 0-5; your explanation is kept as the card's draft")


@cli.command()
@global_options
@click.argument("card_id", callback=as_text)
@click.option("--answer", callback=as_text, help="Your explanation (default: read from stdin).")
@click.option("--grader", type=click.Choice(GRADER_CHOICES), help="auto: Claude when a key is set, else offline.")
@click.option("--model", callback=as_text, help="Claude model (env RECALL_MODEL).")
@click.option("--record", is_flag=True, help="Store the review and schedule the card.")
@click.option("--quality", type=click.IntRange(0, 5),
              help="Your grade 0-5 (default: asked on a terminal; else the suggestion, if the grader is sure of it).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else on stdout.")
@click.pass_context
def explain(ctx: click.Context, card_id: str, answer: str | None, grader: str | None, model: str | None,
            record: bool, quality: int | None, as_json: bool, **options: object) -> None:
    """Grade your explanation of CARD_ID; with --record, store the review."""
    import asyncio

    from recall.grading import grade_with_fallback
    from recall.grading.base import GradingError, doubt
    from recall.study import record_explanation

    state = context(ctx, **options)
    if model:
        state.flags["model"] = model
    row = state.card(card_id)
    text = read_answer(answer, row.prompt, as_json)
    if record and not text.strip():
        raise UserError("nothing to record: the explanation is empty (pass --answer or pipe it on stdin)")
    store = state.store
    if record:
        store.save_draft(row.id, text)  # a review attempt: it survives any failure until it is recorded

    async def show(chunk: str) -> None:
        if not as_json:
            say(chunk, nl=False)

    started = datetime.now()
    try:
        verdict = asyncio.run(grade_with_fallback(state.settings, row.to_card(), text, show, grader))
    except GradingError as exc:
        kept = record or (text.strip() and store.keep_draft(row.id, text))
        raise UserError(f"{exc}" + (" Your explanation is saved as the card's draft." if kept else "")) from None
    duration_ms = int((datetime.now() - started).total_seconds() * 1000)
    if not as_json:
        for notice in verdict.notices:
            say(f"note: {notice}", err=True)
        say(f"\nSuggested grade: {verdict.suggested_quality}"
            + ("" if verdict.confident else f" ({doubt(verdict)}; your grade decides)"))
    if record and quality is None:
        quality = learners_grade(verdict, not as_json and sys.stdin is not None and sys.stdin.isatty())
    final_quality = verdict.suggested_quality if quality is None else quality
    result = {"card_id": row.id, "grader": verdict.grader, "model": verdict.model,
              "suggested_quality": verdict.suggested_quality, "confident": verdict.confident,
              "quality": final_quality if record else quality,
              "key_points": [asdict(k) for k in verdict.key_points], "feedback": verdict.feedback,
              "follow_up_question": verdict.follow_up_question,
              "notices": list(verdict.notices), "recorded": False, "next_due": None, "interval": None}
    if record:
        saved = record_explanation(store, row.id, final_quality, text, verdict, duration_ms, state.today)
        result.update(recorded=True, next_due=saved.due.isoformat(), interval=saved.interval)
        if not as_json:
            kind = " as a same-day drill (the schedule is unchanged)" if saved.kind == "drill" else ""
            say(f"Recorded grade {final_quality}{kind}. Next review {saved.due.isoformat()} "
                f"(in {saved.interval} day{'s' if saved.interval != 1 else ''}).")
    if as_json:
        emit_json(result)


@cli.command()
@global_options
@click.argument("name_or_card_id", required=False, callback=as_text)
@click.option("--list", "list_demos", is_flag=True, help="List the demos and the cards that link to them.")
@click.pass_context
def demo(ctx: click.Context, name_or_card_id: str | None, list_demos: bool, **options: object) -> None:
    """Run a NumPy demo from nn/, by name or by a card that links to one."""
    # Cards come from the store, whose sync parses only changed deck files, not from parsing every deck.
    import asyncio

    from nn import DEMOS, split_demo
    from recall.demos import DemoError, stream_demo

    state = context(ctx, **options)
    if list_demos or not name_or_card_id:
        linked: dict[str, list[str]] = {}
        for card in state.store.cards():
            if card.demo:
                linked.setdefault(split_demo(card.demo)[0], []).append(card.id)
        for name in DEMOS:
            say(f"{name:<20} {', '.join(linked.get(name, [])) or '(no card links it)'}", hang=21)
        return
    name = name_or_card_id
    if name not in DEMOS:
        card = state.store.card(name_or_card_id)
        if card is None or card.retired:
            raise DemoError(f"{name_or_card_id!r} is neither a demo nor a card id; `recall demo --list` shows them")
        if not card.demo:
            raise DemoError(f"card {card.id!r} links no demo")
        name = card.demo

    async def run() -> None:
        async for line in stream_demo(name):
            say(line)

    asyncio.run(run())


@cli.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool, **options: object) -> None:
    """Totals, retention, streak, due forecast and token use."""
    from recall.stats import collection_stats

    state = context(ctx, **options)
    summary = collection_stats(state.store, state.today)
    if as_json:
        emit_json(summary)
        return
    retention = summary["retention_30d"]
    say(f"cards        {summary['cards']} ({summary['new']} new, {summary['retired']} retired)")
    say(f"due today    {summary['due_today']}")
    say(f"reviews      {summary['reviews']} ({summary['reviewed_today']} today)")
    say(f"streak       {summary['streak_days']} day(s)")
    say("retention    " + (f"{retention:.0%} of {summary['retention_reviews_30d']} reviews in 30 days"
                           if retention is not None else "no reviews of learned cards yet"))
    say("next 7 days  " + " ".join(str(n) for n in summary["due_forecast"][:7]))
    for deck in summary["decks"]:
        say(f"deck         {deck['deck']}: {deck['cards']} cards, {deck['due']} due, {deck['new']} new", hang=13)
    for usage in summary["token_usage"]:
        cost = usage["estimated_cost_usd"]
        cost_text = f"~${cost:.4f}" if cost is not None else "cost unknown"
        say(f"tokens       {usage['model']}: {usage['input_tokens']} in, {usage['output_tokens']} out "
            f"({usage['cache_read_tokens']} cache read) over {usage['reviews']} reviews, {cost_text}", hang=13)


@cli.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, **options: object) -> None:
    """Check that every card's state equals a replay of its reviews; exit 1 naming each card that differs."""
    from recall.doctor import check_collection

    report = check_collection(context(ctx, **options).store)
    if as_json:
        emit_json({"cards": report.cards, "reviews": report.reviews,
                   "inconsistent": [{"card_id": item.card_id, "problem": str(item)}
                                    for item in report.inconsistencies]})
    else:
        for item in report.inconsistencies:
            say(str(item), hang=4)
    if report.inconsistencies:
        raise UserError(f"{len(report.inconsistencies)} of {report.cards} card(s) differ from a replay of their "
                        "reviews (a hand edit, or a bug: please report it)")
    if not as_json:
        say(f"OK: {report.cards} cards, {report.reviews} reviews; each card's state equals a replay of "
            "its reviews")


@cli.command("export")
@global_options
# recall.export.FORMATS, spelled out: importing recall.export here would cost every command ~20 ms.
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl", "fsrs", "anki"]), default="csv",
              show_default=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="File to write, atomically (default: stdout; required for anki).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="First study day to include (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last study day to include (YYYY-MM-DD).")
@click.option("--card", "card_id", callback=as_text, help="Only this card.")
@click.option("--deck", callback=as_text, help="Only this deck (its name).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None, since: datetime | None,
                   until: datetime | None, card_id: str | None, deck: str | None, **options: object) -> None:
    """Export the review history (csv, json, jsonl, the FSRS optimizer's log, or an Anki package)."""
    from recall.export import ExportError, ExportFilter, export_reviews

    state = context(ctx, **options)
    if card_id:
        state.card(card_id)
    filters = ExportFilter(since.date() if since else None, until.date() if until else None, card_id, deck)
    with ProgressReporter(enabled=output is not None and sys.stderr.isatty()) as progress:
        try:
            written = export_reviews(state.store, fmt, filters, output, stream=sys.stdout, progress=progress,
                                     today=state.today)
        except ExportError as exc:
            raise UserError(str(exc)) from None
    if output is not None:
        say(f"exported {written} review(s) to {output}", err=True)


class ProgressReporter:
    """A click progress bar on stderr, created on the first report (when the total is known)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="exporting", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def __enter__(self) -> ProgressReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command("import")
@global_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--deck", callback=as_text, help="Name of the new deck (default: from the file).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the deck (default: recall's decks directory).")
@click.pass_context
def import_command(ctx: click.Context, file: Path, deck: str | None, output: Path | None, **options: object) -> None:
    """Turn an Anki "Notes in Plain Text" export into a new TOML deck."""
    from recall.atomic_file import FileWriteError, TargetExistsError, write_atomically
    from recall.config import user_decks_dir
    from recall.importer import AnkiImportError, import_anki_notes

    context(ctx, **options)
    try:
        result = import_anki_notes(file, deck)
    except AnkiImportError as exc:
        raise UserError(str(exc)) from None
    for line, reason in result.skipped:
        say(f"skipped line {line}: {reason}", err=True)
    if result.cards == 0:
        raise UserError(f"no note in {file} could be imported ({len(result.skipped)} skipped)")
    target = output or user_decks_dir() / result.file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    try:  # whole or absent, never over an existing file: a kill or a full disk leaves no cut-off deck
        write_atomically(target, lambda handle: handle.write(result.toml_text.encode("utf-8")), replace=False)
    except TargetExistsError:
        raise UserError(f"{target} already exists; choose another path with --output") from None
    except FileWriteError as exc:
        raise UserError(str(exc)) from None
    say(f"imported {result.cards} card(s) into {target} ({len(result.skipped)} skipped)")
    if output is not None:
        say(f"study it with: recall --cards {target}")


def main() -> None:
    cli(prog_name="recall")
