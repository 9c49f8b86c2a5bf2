"""The command palette's list before anything is typed, in the app's order (`RecallApp.get_system_commands`:
recall's actions, then Textual's, then the focused widget's own). Textual's provider sorts that list by
name, which put a text box's Copy and Cursor down before Submit."""

from __future__ import annotations

from textual.command import DiscoveryHit, Hits
from textual.system_commands import SystemCommandsProvider


class RecallCommands(SystemCommandsProvider):
    """Typed text still searches every command by fuzzy match, as Textual's provider does."""

    async def discover(self) -> Hits:
        for name, help_text, callback, discover in self.app.get_system_commands(self.screen):
            if discover:
                yield DiscoveryHit(name, callback, help=help_text)
