"""`recall demo`: run a NumPy demo by name or by a card that links to one."""

from __future__ import annotations

import click

from recall.cli.base import as_text, context, global_options
from recall.cli.output import say

@click.command()
@global_options
@click.argument("name_or_card_id", required=False, callback=as_text)
@click.option("--list", "list_demos", is_flag=True, help="List the demos and the cards that link to them.")
@click.pass_context
def demo(ctx: click.Context, name_or_card_id: str | None, list_demos: bool, **options: object) -> None:
    """Run a demo from nn/ or your demo folders, by name or by a card that links to one."""
    # Cards come from the store, whose sync parses only changed deck files, not from parsing every deck.
    import asyncio

    from nn import DEMOS
    from recall.demos import DemoError, stream_demo, user_demos

    state = context(ctx, **options)
    folders = state.settings.demo_paths
    if list_demos or not name_or_card_id:
        linked: dict[str, list[str]] = {}
        for card in state.store.cards():
            if card.demo:
                linked.setdefault(card.demo.split(" ", 1)[0], []).append(card.id)
        for name in [*DEMOS, *user_demos(folders)]:
            say(f"{name:<20} {', '.join(linked.get(name, [])) or '(no card links it)'}", hang=21)
        return
    name = name_or_card_id
    if name not in DEMOS and name not in user_demos(folders):
        card = state.store.card(name_or_card_id)
        if card is None or card.retired:
            raise DemoError(f"{name_or_card_id!r} is neither a demo nor a card id; `recall demo --list` shows them")
        if not card.demo:
            raise DemoError(f"card {card.id!r} links no demo")
        name = card.demo

    async def run() -> None:
        async for line in stream_demo(name, folders=folders):
            say(line)

    asyncio.run(run())

