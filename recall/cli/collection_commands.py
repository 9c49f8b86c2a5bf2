"""Commands that read the collection: study, check, cards, due, doctor."""

from __future__ import annotations

from collections import Counter

import click

from recall.cli.base import UserError, context, global_options, run_app
from recall.cli.output import emit_json, emit_json_text, fitted, say, terminal_width

@click.command()
@global_options
@click.pass_context
def study(ctx: click.Context, **options: object) -> None:
    """Open the study app straight into today's session."""
    run_app(context(ctx, **options), start="study")


@click.command()
@global_options
@click.pass_context
def check(ctx: click.Context, **options: object) -> None:
    """Validate every deck; exit 1 listing each problem with its file and card."""
    from recall.demos import demo_link_problems

    state = context(ctx, **options)
    decks = state.decks
    problems = decks.problems + demo_link_problems(decks.cards, state.settings.demo_paths)
    for problem in problems:
        say(str(problem), err=problem.severity == "error")
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if errors:
        raise UserError(f"{errors} error(s), {warnings} warning(s) in {len(decks.files)} deck file(s); cards with "
                        "errors are left out, files that cannot be parsed are skipped")
    deck_names = {card.deck for card in decks.cards}
    say(f"OK: {len(decks.cards)} cards in {len(deck_names)} deck(s) from {len(decks.files)} file(s)"
        + (f", {warnings} warning(s)" if warnings else ""))


@click.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def cards(ctx: click.Context, as_json: bool, **options: object) -> None:
    """List cards with their scheduling state."""
    store = context(ctx, **options).store
    if as_json:
        emit_json_text(store.card_summaries_json())
        return
    rows = store.cards()
    width = terminal_width()
    table = [fitted(f"{row.id:<28} {row.due.isoformat() if row.due else 'new':<10} {row.interval:>4}d "
                    f"EF {row.easiness_centi / 100:.2f} {row.reviews:>3}r", row.prompt, width) for row in rows]
    if table:
        say("\n".join(table))  # one write: a line at a time costs 0.1 ms each at 100,000 cards
    say(f"{len(rows)} cards", err=True)


@click.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def due(ctx: click.Context, as_json: bool, **options: object) -> None:
    """What a session would ask today, in order."""
    from recall.study import todays_queue

    state = context(ctx, **options)
    queue = todays_queue(state.store, state.today, state.settings.new_per_day)
    items = [{"id": item.card.id, "deck": item.card.deck, "prompt": item.card.prompt, "kind": item.kind,
              "due": item.card.due.isoformat() if item.card.due else None} for item in queue]
    if as_json:
        emit_json(items)
        return
    width = terminal_width()
    if items:
        say("\n".join(fitted(f"{item['kind']:<6} {item['due'] or '':<10} {item['id']:<28}", item["prompt"], width)
                      for item in items))
    kinds = Counter(item["kind"] for item in items)
    say(f"{kinds['review']} due, {kinds['new']} new" + (f", {kinds['drill']} drill(s)" if kinds["drill"] else ""),
        err=True)


@click.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, **options: object) -> None:
    """Check that every card's state equals a replay of its reviews; exit 1 naming each card that differs."""
    from recall.doctor import check_collection

    report = check_collection(context(ctx, **options).store)
    if as_json:
        emit_json({"cards": report.cards, "reviews": report.reviews,
                   "inconsistent": [{"card_id": item.card_id, "problem": str(item)}
                                    for item in report.inconsistencies]})
    else:
        for item in report.inconsistencies:
            say(str(item), hang=4)
    if report.inconsistencies:
        raise UserError(f"{len(report.inconsistencies)} of {report.cards} card(s) differ from a replay of their "
                        "reviews (a hand edit, or a bug: please report it)")
    if not as_json:
        say(f"OK: {report.cards} cards, {report.reviews} reviews; each card's state equals a replay of "
            "its reviews")

