"""`recall suspend ID` and `recall unsuspend ID`: keep a card out of sessions, or bring it back. A
suspended card keeps its history and its schedule, and deck syncs leave it suspended."""

from __future__ import annotations

import click

from recall.cli.base import as_text, context, global_options
from recall.cli.output import say


def _set_suspended(ctx: click.Context, card_id: str, suspended: bool, options: dict) -> None:
    state = context(ctx, **options)
    card = state.card(card_id)
    changed = state.store.set_suspended(card.id, suspended)
    if suspended:
        say(f"{card.id}: suspended; no session asks it until `recall unsuspend {card.id}`" if changed
            else f"{card.id} was already suspended")
    else:
        say(f"{card.id}: back in sessions" + (f", due {card.due.isoformat()}" if card.due else ", as a new card")
            if changed else f"{card.id} was not suspended")


@click.command()
@global_options
@click.argument("card_id", callback=as_text)
@click.pass_context
def suspend(ctx: click.Context, card_id: str, **options: object) -> None:
    """Keep card CARD_ID out of every session; its history stays (undo: recall unsuspend)."""
    _set_suspended(ctx, card_id, True, options)


@click.command()
@global_options
@click.argument("card_id", callback=as_text)
@click.pass_context
def unsuspend(ctx: click.Context, card_id: str, **options: object) -> None:
    """Bring a suspended card back into sessions, with the schedule it had."""
    _set_suspended(ctx, card_id, False, options)
