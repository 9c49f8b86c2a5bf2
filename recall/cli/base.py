"""What every command shares: one-line errors, the global options and the lazily built Context."""

from __future__ import annotations

import os
import sys
from datetime import date
from functools import cached_property
from pathlib import Path

import click

from recall.cli.output import tell
from recall.clock import study_day, utc_now
from recall.config import Settings, load_settings
from recall.errors import RecallError

EXIT_USAGE = 2
DEBUG_ENV = "RECALL_DEBUG"


class UserError(click.ClickException):
    """One sentence for the user, exit code 1."""

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        tell(f"recall: error: {self.format_message()}")


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
            tell(f"recall: upgraded the database; the old one is backed up at {report.migration_backup}")
        if report.backup_problem:
            tell(f"recall: warning: {report.backup_problem}")
        if report.deck_problems:
            tell(f"recall: warning: {len(report.deck_problems)} deck problem(s) ({report.deck_problems[0]}); "
                 "run `recall check` for all of them")
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
    """--db, --cards, --config and --demo-path, accepted before or after the command name."""
    command = click.option("--demo-path", "demo_path", multiple=True, type=click.Path(path_type=Path),
                           help="A folder of your own demos; repeatable (config: demo_paths).")(command)
    command = click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path),
                           help="config.toml to read (env RECALL_CONFIG).")(command)
    command = click.option("--cards", "cards", multiple=True, type=click.Path(),  # str: keeps "" visible
                           help="Deck file or directory; repeatable (env RECALL_CARDS).")(command)
    return click.option("--db", "db", type=click.Path(path_type=Path),
                        help="SQLite database (env RECALL_DB).")(command)


def context(ctx: click.Context, db: Path | None, cards: tuple[str, ...], config: Path | None,
            demo_path: tuple[Path, ...] = ()) -> Context:
    """The shared Context, with options given after the command overriding those before it."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = Context({})
    given = {"db": db, "cards": list(cards) or None, "config": config, "demo_paths": list(demo_path) or None}
    root.obj.flags.update({k: v for k, v in given.items() if v is not None})
    return root.obj



def run_app(state: Context, start: str, plan=None) -> None:  # noqa: ANN001 - a recall.study.StudyPlan
    from recall.tui.app import RecallApp

    app = RecallApp(state.settings, start=start, plan=plan)
    app.run()
    sys.exit(app.return_code or 0)  # the app has already said why when it could not start
