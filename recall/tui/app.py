"""The study app. `recall` opens it on the dashboard, `recall study` straight into a session.

The first frame must come fast, so this module imports only Textual, the settings and the dashboard:
the store (sqlite-utils), the graders (numpy, anthropic) and the other screens load later, off the UI
thread where they are slow. The store lives on a thread of its own (`StoreThread`).

The app is the one place that knows the screens: a screen asks to go somewhere by posting a message of
`recall.tui.navigation`, and the app opens the screen it names.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from recall.clock import study_day, utc_now
from recall.config import Settings
from recall.errors import RecallError
from recall.tui.database import StoreThread
from recall.tui.navigation import (
    OpenBrowse, OpenCard, OpenCardForm, OpenHistory, OpenRecap, OpenStats, ShowSummary, StartStudy,
)
from recall.tui.screens.dashboard import DashboardScreen
from recall.tui.text import plural

if TYPE_CHECKING:
    from textual.command import Provider

    from recall.grading.base import Grader
    from recall.study import StudyPlan
    from recall.tui.screens.help import KeySection

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"
# Actions the command palette already offers under their own names.
PALETTE_SKIPS = frozenset({"quit", "command_palette"})


def palette_commands() -> type[Provider]:
    """The palette's provider, imported when the palette first opens (as Textual does its own)."""
    from recall.tui.palette import RecallCommands

    return RecallCommands


def build_grader(settings: Settings, choice: str) -> Grader:
    """`make_grader`, plus the imports its first request would make (anthropic takes over a second),
    done here on a worker thread so they never stall the UI."""
    from recall.grading import make_grader

    grader = make_grader(settings, choice)
    if grader.name == "claude":
        import anthropic  # noqa: F401
        import recall.grading.prompt  # noqa: F401
    return grader


class RecallApp(App[None]):
    """Dashboard, study session, browse, history and help screens over one store."""

    CSS_PATH = "recall.tcss"
    TITLE = "recall"
    COMMANDS: ClassVar = {palette_commands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit",
                tooltip="Quit from anywhere; what you typed is kept as a draft"),
        Binding("question_mark", "help", "Help", id="help", tooltip="Every key, and how a study session goes"),
        Binding("f1", "help", "Help", id="help_f1", tooltip="Help, also while typing"),
        Binding("ctrl+t", "toggle_theme", "Light/dark theme", show=False, id="toggle_theme",
                tooltip="Switch between the dark and the light theme"),
    ]

    def __init__(self, settings: Settings, start: Literal["dashboard", "study"] = "dashboard", *,
                 today: date | None = None, clock: Callable[[], datetime] | None = None,
                 plan: StudyPlan | None = None) -> None:
        """`today` and `clock` pin the study day and the review timestamps (tests, screenshots); `plan`
        is what a session started with `start="study"` asks (one deck or tag, say)."""
        super().__init__()
        self.settings = settings
        self.start = start
        self.plan = plan
        self.fixed_today = today
        self.clock = clock
        self.database = StoreThread()
        self._graders: dict[str, asyncio.Future[Grader]] = {}

    @property
    def today(self) -> date:
        """The study day now, with the configured hour at which a new day starts."""
        if self.fixed_today is not None:
            return self.fixed_today
        return study_day(self.now(), self.settings.day_starts_at)

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else utc_now()

    def get_default_screen(self) -> Screen:
        return DashboardScreen()

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        else:
            self.notify(f"Unknown theme {self.settings.theme!r} in the settings; using {DARK_THEME}.",
                        severity="warning")
            self.theme = DARK_THEME
        if self.start == "study":
            self.action_study(self.plan)
        # After the first frame: the store thread's imports would compete with it for the GIL.
        self.call_after_refresh(self.open_store)

    @work(group="store")
    async def open_store(self) -> None:
        try:
            report = await self.database.open(self.settings)
        except RecallError as error:
            self.exit(return_code=1, message=f"recall: error: {error}")
            return
        if report.migration_backup:
            self.notify(f"Upgraded the database; the old one is backed up at {report.migration_backup}.")
        if report.backup_problem:
            self.notify(report.backup_problem, title="No backup today", severity="warning", timeout=15)
        if report.deck_problems:
            count = len(report.deck_problems)
            self.notify(f"{report.deck_problems[0]}" + (f"\n(and {count - 1} more)" if count > 1 else "")
                        + "\nRun `recall check` for every problem; cards with errors are left out.",
                        title=plural(count, "deck problem"), severity="warning",
                        timeout=15)

    async def grader(self, choice: str | None = None) -> Grader:
        """The grader for `choice` (default: the settings'), built once on a worker thread."""
        choice = choice or self.settings.grader
        if choice not in self._graders:
            self._graders[choice] = asyncio.ensure_future(asyncio.to_thread(build_grader, self.settings, choice))
        try:
            return await asyncio.shield(self._graders[choice])
        except Exception:
            del self._graders[choice]
            raise

    async def on_unmount(self) -> None:
        """Screens have saved their drafts by now: release the HTTP client and the database."""
        for pending in self._graders.values():
            if pending.done() and not pending.exception() and hasattr(pending.result(), "aclose"):
                await pending.result().aclose()
        await self.database.close()

    @work(group="warm-up")
    async def warm_up_grader(self) -> None:
        """Build the grader now (and import anthropic, for Claude) so the first submit is quick."""
        try:
            await self.grader()
        except Exception as error:  # reported again, in context, when the learner submits
            self.log.warning(f"could not prepare the grader: {error}")

    # -- going from screen to screen (the screens' messages) -------------------------------------

    def action_study(self, plan: StudyPlan | None = None, replace_screen: bool = False) -> None:
        from recall.tui.screens.study import StudyScreen

        self.warm_up_grader()
        (self.switch_screen if replace_screen else self.push_screen)(StudyScreen(plan))

    def on_start_study(self, message: StartStudy) -> None:
        """In place of the summary that offered more, so that its end goes back to the dashboard."""
        self.action_study(message.plan, message.replace_screen)

    def on_show_summary(self, message: ShowSummary) -> None:
        """In place of the study screen, so that leaving the summary goes back to the dashboard."""
        from recall.tui.screens.summary import SummaryScreen

        self.switch_screen(SummaryScreen(message.summary))

    def on_open_browse(self, message: OpenBrowse) -> None:
        from recall.tui.screens.browse import BrowseScreen

        self.push_screen(BrowseScreen(deck=message.deck))

    def on_open_history(self, _message: OpenHistory) -> None:
        from recall.tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen())

    def on_open_stats(self, _message: OpenStats) -> None:
        from recall.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def on_open_recap(self, message: OpenRecap) -> None:
        from recall.tui.screens.recap import RecapScreen

        self.warm_up_grader()
        self.push_screen(RecapScreen(message.deck))

    def on_open_card(self, message: OpenCard) -> None:
        from recall.tui.screens.card_detail import CardDetailScreen

        self.push_screen(CardDetailScreen(message.card_id))

    def on_open_card_form(self, message: OpenCardForm) -> None:
        from recall.tui.screens.card_form import CardFormScreen

        def saved(card_id: str | None) -> None:
            if card_id is not None and message.on_saved is not None:
                message.on_saved(card_id)

        self.push_screen(CardFormScreen(message.card_id, message.deck), callback=saved)

    def open_draft_review(self) -> None:
        from recall.tui.screens.draft_review import DraftReviewScreen

        self.push_screen(DraftReviewScreen())

    # -- actions shared by every screen ----------------------------------------------------------

    def action_help(self) -> None:
        from recall.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.key_sections()))

    def key_sections(self) -> list[KeySection]:
        """Every screen's keys, for the help screen (the one reason to import every screen)."""
        from recall.tui.screens.browse import BrowseScreen
        from recall.tui.screens.card_detail import CardDetailScreen
        from recall.tui.screens.card_form import CardFormScreen
        from recall.tui.screens.draft_review import DraftReviewScreen
        from recall.tui.screens.history import HistoryScreen
        from recall.tui.screens.recap import RecapScreen
        from recall.tui.screens.stats import StatsScreen
        from recall.tui.screens.study import StudyScreen
        from recall.tui.screens.summary import SummaryScreen
        from recall.tui.widgets.explanation_box import ExplanationBox

        return [("Everywhere", self.BINDINGS), ("Dashboard", DashboardScreen.BINDINGS),
                ("Study session", [*ExplanationBox.BINDINGS, *StudyScreen.BINDINGS]),
                ("Session summary", SummaryScreen.BINDINGS), ("Browse", BrowseScreen.BINDINGS),
                ("Card detail", CardDetailScreen.BINDINGS), ("Card form", CardFormScreen.BINDINGS),
                ("Draft cards from notes (palette)", DraftReviewScreen.BINDINGS),
                ("History", HistoryScreen.BINDINGS), ("Stats", StatsScreen.BINDINGS),
                ("Recap", [*ExplanationBox.BINDINGS, *RecapScreen.BINDINGS])]

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key binding of recall's that applies on this screen right now (they all have an id),
        drafting cards from notes, then Textual's own commands, then the focused widget's own keys (a text
        box's Copy, Cursor down…)."""
        widget_commands = []
        seen = set(PALETTE_SKIPS)
        for active in screen.active_bindings.values():
            binding = active.binding
            if binding.action in seen or not active.enabled or not binding.description or binding.system:
                continue
            seen.add(binding.action)
            key = self.get_key_display(binding)
            run = self._palette_action(binding.action, active.node)
            command = SystemCommand(binding.description, f"{binding.tooltip}  [{key}]".strip(), run)
            if binding.id:
                yield command
            else:
                widget_commands.append(command)
        yield SystemCommand("Draft cards from notes", "The grader's model proposes cards from a notes file; "
                            "accept or reject each", self.open_draft_review)
        yield from super().get_system_commands(screen)
        yield from widget_commands

    def _palette_action(self, action: str, node: object) -> Callable[[], object]:
        return lambda: self.run_action(action, node)
