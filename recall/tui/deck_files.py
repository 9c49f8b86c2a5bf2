"""Editing a card's deck file from the app: hand the terminal to $VISUAL or $EDITOR, take it back, and
bring the store up to date with the file; and making sure a deck file the app has just written loads."""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported

from recall.errors import RecallError

if TYPE_CHECKING:
    from recall.store import CardRow
    from recall.tui.app import RecallApp


def editor_command() -> list[str] | None:
    """The user's editor from $VISUAL or $EDITOR (which may carry arguments, e.g. `code -w`)."""
    for variable in ("VISUAL", "EDITOR"):
        if os.environ.get(variable, "").strip():
            return shlex.split(os.environ[variable])
    return None


def edit_deck_file(app: RecallApp, path: str) -> bool:
    """Run the editor on a deck file, the app suspended meanwhile. False, once the user has been told
    why, when no editor is set, the terminal cannot be handed over (a web terminal), or it fails."""
    command = editor_command()
    if command is None:
        app.notify(f"Set $EDITOR (or $VISUAL) to edit decks from here. This card is in {path}.",
                   severity="warning", timeout=10)
        return False
    try:
        with app.suspend():
            subprocess.run([*command, path], check=False)
    except SuspendNotSupported:
        app.notify(f"This terminal cannot hand over to an editor; edit {path} yourself.", severity="warning",
                   timeout=10)
        return False
    except OSError as error:
        app.notify(f"Could not start {command[0]}: {error.strerror or error}", severity="error")
        return False
    return True


async def reload_card(app: RecallApp, card_id: str) -> CardRow | None:
    """Sync the decks (only changed files are parsed) and read the card back: None, once the user has
    been told why, when a deck file has an error or the card is gone."""
    from recall.collection import sync_decks

    try:
        problems = await app.database.query(sync_decks, app.settings)
        fresh = await app.database.query(lambda store: store.card(card_id))
    except RecallError as error:
        app.notify(str(error), title="Cannot reload the decks", severity="error")
        return None
    if problems:
        app.notify(f"{problems[0]}\nThe file was skipped until it is fixed; run `recall check`.",
                   title="Deck problem", severity="warning", timeout=15)
        return None
    if fresh is None or fresh.retired:
        return None
    app.notify("Deck reloaded.", timeout=3)
    return fresh


def load_written_deck(app: RecallApp, path: Path) -> None:
    """After a card was written to `path` (in the user decks folder): when the app runs on the default
    decks, which left that folder out if it did not exist yet, add it; otherwise say how to load it."""
    from recall.config import bundled_cards_dir, default_card_paths

    settings = app.settings
    if settings.card_paths == (bundled_cards_dir(),):
        app.settings = replace(settings, card_paths=default_card_paths())
    elif not any(path.resolve().is_relative_to(folder.resolve()) for folder in settings.card_paths):
        app.notify(f"{path} is not among the decks recall loads: start it with --cards {path}",
                   severity="warning", timeout=10)
