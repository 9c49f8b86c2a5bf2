"""The study app's layers: screens navigate by posting messages (recall.tui.navigation) to the app, the
one module that knows them all, so no screen imports another screen or the app at run time."""

from __future__ import annotations

import ast
from pathlib import Path

import recall.tui.screens

SCREENS = Path(recall.tui.screens.__file__).parent


def runtime_imports(path: Path) -> set[str]:
    """Modules a file imports when it runs (anything under `if TYPE_CHECKING:` is left out)."""
    tree = ast.parse(path.read_text())
    type_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                 and ast.unparse(block.test) == "TYPE_CHECKING" for stmt in block.body for node in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update({node.module, *(f"{node.module}.{alias.name}" for alias in node.names)})
    return found


def test_no_screen_imports_another_screen_or_the_app():
    for path in sorted(SCREENS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        own = f"recall.tui.screens.{path.stem}"
        wrong = {name for name in runtime_imports(path)
                 if name == "recall.tui.app" or (name.startswith("recall.tui.screens.") and not name.startswith(own))}
        assert not wrong, f"{path.name} imports {sorted(wrong)}: post a recall.tui.navigation message instead"

