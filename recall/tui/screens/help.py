"""Help: every key of every screen, read from the screens' own BINDINGS, and how a session goes."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from recall.tui.screens import study
from recall.tui.screens.browse import BrowseScreen
from recall.tui.screens.card_detail import CardDetailScreen
from recall.tui.screens.dashboard import DashboardScreen
from recall.tui.screens.history import HistoryScreen
from recall.tui.screens.summary import SummaryScreen

if TYPE_CHECKING:
    from recall.tui.app import RecallApp

GENERAL_NOTES = """\
Everything is keyboard-driven. **tab** / **shift+tab** move between the parts of a screen, the arrow
keys move inside tables and lists, and **ctrl+p** opens the command palette, which offers every action
that applies right now (and the theme). The footer shows the keys that apply at the moment.

Editing a deck: **e** in a session opens the card's deck file in `$VISUAL` or `$EDITOR` (for example
`export EDITOR=nano`) and reloads the decks when the editor exits. Where the terminal cannot be handed
over (a web terminal), recall says so and names the file to edit.
"""


def key_table(app: RecallApp, bindings: list[Binding]) -> str:
    rows = ["| Key | Does |", "|---|---|"]
    for binding in bindings:
        if binding.system:
            continue
        keys = " / ".join(app.get_key_display(replace(binding, key=key.strip()))
                          for key in binding.key.split(","))
        does = binding.tooltip or binding.description
        rows.append(f"| `{keys}` | {does} |")
    return "\n".join(rows)


def help_markdown(app: RecallApp) -> str:
    screens: list[tuple[str, type[Screen] | type[RecallApp]]] = [
        ("Everywhere", type(app)), ("Dashboard", DashboardScreen), ("Study session", study.StudyScreen),
        ("Session summary", SummaryScreen), ("Browse", BrowseScreen), ("Card detail", CardDetailScreen),
        ("History", HistoryScreen), ("This help", HelpScreen)]
    parts = ["# recall: keys and the study flow", "## A study session", study.STUDY_FLOW, "## Keys", GENERAL_NOTES]
    for title, holder in screens:
        parts += [f"### {title}", key_table(app, holder.BINDINGS)]
    return "\n\n".join(parts)


class HelpScreen(ModalScreen[None]):
    app: RecallApp
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", id="help.close",
                        tooltip="Close the help")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="panel") as box:
            box.border_title = "Help"
            box.border_subtitle = "esc: close"
            yield Markdown(help_markdown(self.app))

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
