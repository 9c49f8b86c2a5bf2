"""The explanation box: the learner explains the card here, and nothing they type is ever lost.

- It keeps the card's draft: it loads it with the card, saves it half a second after typing stops, and
  again when it unmounts (leaving the session, quitting).
- Text typed before the first card has loaded is kept: the card's draft, if any, goes above it.
- ctrl+j freezes the text at once (read-only, before any grading starts) and posts `Submitted` with it,
  so keys pressed right after ctrl+j can neither edit nor change what is graded. `release()` thaws it.

The screen says which card the text is for (`open_card`) and when the text is being graded (`hold`,
`release`) or was recorded with a grade (`recorded`).
"""

from __future__ import annotations

from typing import Protocol

from textual import on
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

from recall.errors import RecallError

AUTOSAVE_DELAY_S = 0.5


class Drafts(Protocol):
    """Where drafts are kept (the app's `StoreThread`)."""

    async def draft(self, card_id: str) -> str | None: ...

    async def save_draft(self, card_id: str, text: str) -> None: ...


def merge_draft(draft: str, typed: str) -> str:
    """The card's draft, then what was typed before it loaded, on a line of its own."""
    if not draft or not typed:
        return draft or typed
    separator = "" if draft.endswith("\n") else "\n"
    return draft + separator + typed


class ExplanationBox(TextArea):
    """`card_id` is the card the text belongs to (None until the first card has loaded)."""

    BINDINGS = [Binding("ctrl+j", "submit", "Submit", id="study.submit", tooltip="Grade your explanation")]

    class Submitted(Message):
        """ctrl+j: `text` is the explanation to grade, frozen in the box until `release()`."""

        def __init__(self, box: ExplanationBox, text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

        @property
        def control(self) -> ExplanationBox:
            return self.box

    def __init__(self, drafts: Drafts, **options: object) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, tab_behavior="focus", **options)
        self.drafts = drafts
        self.card_id: str | None = None
        self.border_title = "Your explanation"
        self.border_subtitle = "ctrl+j: submit"
        self._saved = ""  # the text the store holds as the card's draft
        self._autosave: Timer | None = None

    async def open_card(self, card_id: str) -> None:
        """Show the card's draft; text typed before the first card loaded is kept below it."""
        self._cancel_autosave()
        try:
            draft = await self.drafts.draft(card_id) or ""
        except RecallError as error:
            self.notify(str(error), title="Cannot read the draft", severity="error")
            draft = ""
        typed = self.text if self.card_id is None else ""  # read after the wait: typing went on during it
        if draft and typed:
            self.notify("Your saved draft for this card is back, and what you typed while it loaded is below it.",
                        title="Draft restored")
        text = merge_draft(draft, typed)
        self.card_id = card_id
        self._saved = draft
        if draft or not typed:  # a fresh document (and undo history) for each card
            self.load_text(text)
            self.move_cursor(self.document.end)
        self.release()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit":
            return self.card_id is not None and not self.read_only
        return super().check_action(action, parameters)

    def action_submit(self) -> None:
        """Freeze the text before anything else can run, then hand it to the screen."""
        self.hold()
        self.post_message(self.Submitted(self, self.text))

    def hold(self) -> None:
        """Freeze the text (it is being graded or recorded): keys no longer edit it."""
        self._cancel_autosave()
        self.read_only = True

    def release(self) -> None:
        """Editable again; a change not yet saved is saved soon."""
        self.read_only = False
        self._schedule_autosave()

    def recorded(self) -> None:
        """The text was recorded with a grade, which also dropped the card's draft: never write it back."""
        self._cancel_autosave()
        self._saved = self.text

    async def save_draft(self) -> None:
        """Write the text as the card's draft now, if it changed since it was last written."""
        self._cancel_autosave()
        card_id, text, previous = self.card_id, self.text, self._saved
        if card_id is None or text == previous:
            return
        self._saved = text
        try:
            await self.drafts.save_draft(card_id, text)
        except RecallError as error:
            if self.card_id == card_id and self._saved == text:
                self._saved = previous  # so the next save tries again
            self.notify(str(error), title="Your draft was not saved", severity="error")

    @on(TextArea.Changed)
    def _text_changed(self) -> None:
        """Typing goes on: save the draft once it pauses (the screen hears of the change too)."""
        self._schedule_autosave()

    async def on_unmount(self) -> None:
        """Leaving the session or quitting the app: keep what was typed."""
        await self.save_draft()

    def _schedule_autosave(self) -> None:
        self._cancel_autosave()
        if self.card_id is not None and self.text != self._saved and not self.read_only:
            self._autosave = self.set_timer(AUTOSAVE_DELAY_S, self.save_draft)

    def _cancel_autosave(self) -> None:
        if self._autosave is not None:
            self._autosave.stop()
            self._autosave = None
