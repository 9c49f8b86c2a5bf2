"""Help: how a study session goes, and every key of every screen, read from their own BINDINGS (which
the app hands over: this screen imports no other)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

STUDY_FLOW = """\
1. The card's prompt shows and the explanation box has the focus: explain the concept in your own words.
   What you type is saved as a draft as you go, and comes back if you quit and reopen recall.
2. **ctrl+j** submits. The focus leaves the box, so the keys below grade instead of typing. The feedback
   streams in, then the key points (covered, partial, missing) and the suggested grade.
3. **enter** keeps the suggested grade when the grader is sure of it; **0-5** gives your own (0 forgot,
   1 wrong, 2 almost, 3 hard, 4 good, 5 easy; below 3 the card starts over). When the grader is not sure,
   the grade is yours: the reference answer opens and enter does nothing. The review is saved and the
   next card shows.
4. Not sure? **r** shows the reference answer, **d** runs the card's NumPy demo beside the session.
   **u** takes back the last grade, **s** skips the card, **e** opens its deck file in your editor.
5. **esc** leaves the box without submitting (then **0-5** grades yourself), cancels a grading request
   that is running (your text stays), and from outside the box goes back to the dashboard.
6. If grading fails, the grader's message shows with three ways on: **t** retry, **o** grade offline,
   **0-5** grade yourself. Your text stays.
7. After the due and new cards, the cards you graded below 4 come back once more (SM-2 step 7) until
   they get a 4; these drills do not change the schedule. Then a summary shows when each card comes back.
"""
GENERAL_NOTES = """\
Everything is keyboard-driven. **tab** / **shift+tab** move between the parts of a screen, the arrow
keys move inside tables and lists, and **ctrl+p** opens the command palette, which offers every action
that applies right now (and the theme). The footer shows the keys that apply at the moment.

Editing a deck: **e** in a session opens the card's deck file in `$VISUAL` or `$EDITOR` (for example
`export EDITOR=nano`) and reloads the decks when the editor exits. Where the terminal cannot be handed
over (a web terminal), recall says so and names the file to edit.
"""
KeySection = tuple[str, Sequence[Binding]]


def key_table(app: App, bindings: Sequence[Binding]) -> str:
    rows = ["| Key | Does |", "|---|---|"]
    for binding in bindings:
        if binding.system:
            continue
        keys = " / ".join(app.get_key_display(replace(binding, key=key.strip()))
                          for key in binding.key.split(","))
        does = binding.tooltip or binding.description
        rows.append(f"| `{keys}` | {does} |")
    return "\n".join(rows)


def help_markdown(app: App, sections: Sequence[KeySection]) -> str:
    parts = ["# recall: keys and the study flow", "## A study session", STUDY_FLOW, "## Keys", GENERAL_NOTES]
    for title, bindings in sections:
        parts += [f"### {title}", key_table(app, bindings)]
    return "\n\n".join(parts)


class HelpScreen(ModalScreen[None]):
    """`sections` are (title, bindings) for every screen, in the order to show them."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", id="help.close",
                        tooltip="Close the help")]

    def __init__(self, sections: Sequence[KeySection]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box", classes="panel") as box:
            box.border_title = "Help"
            box.border_subtitle = "esc: close"
            yield Markdown(help_markdown(self.app, [*self.sections, ("This help", self.BINDINGS)]))

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
