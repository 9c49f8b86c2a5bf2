"""Commands that read the collection: study, check, cards, due, doctor."""

from __future__ import annotations

from collections import Counter

import click

from recall.cli.base import Context, UserError, as_text, context, global_options, run_app
from recall.cli.output import emit_json, emit_json_text, fitted, say, terminal_width

def plan_options(command):  # noqa: ANN001, ANN201
    """--deck and --tag: what `study` and `due` ask."""
    command = click.option("--tag", callback=as_text, help="Only the cards with this tag.")(command)
    return click.option("--deck", callback=as_text, help="Only this deck's cards.")(command)


def more_options(command):  # noqa: ANN001, ANN201
    """--ahead and --extra-new: studying more than today's queue."""
    command = click.option("--extra-new", type=click.IntRange(0, 10_000), default=0, metavar="N",
                           help="N new cards past today's allowance (tomorrow's stays whole).")(command)
    return click.option("--ahead", type=click.IntRange(0, 365), default=0, metavar="DAYS",
                        help="Also the reviews due in the next DAYS days.")(command)


def study_plan(state: Context, deck: str | None, tag: str | None, ahead: int = 0, extra_new: int = 0):  # noqa: ANN201
    """The StudyPlan the options ask for, its deck and tag checked against the collection."""
    from recall.study import StudyPlan, check_scope

    plan = StudyPlan(deck, tag, ahead, extra_new)
    if deck is not None or tag is not None:
        check_scope(state.store, plan)
    return plan


@click.command()
@global_options
@plan_options
@more_options
@click.pass_context
def study(ctx: click.Context, deck: str | None, tag: str | None, ahead: int, extra_new: int,
          **options: object) -> None:
    """Open the study app straight into today's session (of one deck or tag)."""
    state = context(ctx, **options)
    run_app(state, start="study", plan=study_plan(state, deck, tag, ahead, extra_new))


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


def card_marks(row, leech_lapses: int) -> str:  # noqa: ANN001 - CardRow
    """"L" for a leech, "S" for a suspended card, in a column of two (letters, not colour)."""
    from recall.scheduler import is_leech

    return ("L" if is_leech(row.lapses, leech_lapses) else " ") + ("S" if row.suspended else " ")


@click.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.option("--leeches", is_flag=True, help="Only the leeches (cards lapsed leech_lapses times).")
@click.pass_context
def cards(ctx: click.Context, as_json: bool, leeches: bool, **options: object) -> None:
    """List cards with their scheduling state (L: leech, S: suspended)."""
    from recall.scheduler import is_leech

    state = context(ctx, **options)
    threshold = state.settings.leech_lapses
    if as_json:
        emit_json_text(state.store.card_summaries_json(threshold, leeches_only=leeches))
        return
    rows = [row for row in state.store.cards() if not leeches or is_leech(row.lapses, threshold)]
    width = terminal_width()
    table = [fitted(f"{row.id:<26}{card_marks(row, threshold)} {row.due.isoformat() if row.due else 'new':<10} "
                    f"{row.interval:>4}d EF {row.easiness_centi / 100:.2f} {row.reviews:>3}r", row.prompt, width)
             for row in rows]
    if table:
        say("\n".join(table))  # one write: a line at a time costs 0.1 ms each at 100,000 cards
    say(f"{len(rows)} {'leeches (suspend: recall suspend ID)' if leeches else 'cards'}", err=True)


@click.command()
@global_options
@plan_options
@more_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def due(ctx: click.Context, as_json: bool, deck: str | None, tag: str | None, ahead: int, extra_new: int,
        **options: object) -> None:
    """What a session would ask today, in order (of one deck or tag)."""
    from recall.study import todays_queue

    state = context(ctx, **options)
    plan = study_plan(state, deck, tag, ahead, extra_new)
    queue = todays_queue(state.store, state.today, state.settings.new_per_day, state.settings.deck_new_per_day,
                         plan)
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

