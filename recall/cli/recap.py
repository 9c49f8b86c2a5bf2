"""`recall recap`: explain a chapter in one text, get it corrected, and update every card it covers."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from recall.cli.base import UserError, as_text, context, global_options
from recall.cli.explain import read_answer
from recall.cli.output import emit_json, say, tell
from recall.config import GRADER_CHOICES


def confirmed_grades(assessments, given: dict[str, int]) -> dict[str, int]:  # noqa: ANN001 - CardAssessments
    """On a terminal: the suggested grades (and those given with --grades) are kept with enter, or changed
    by typing ID=GRADE pairs; a card with no sure suggestion is asked for on its own."""
    from recall.recap import RecapError, grades_to_record, parse_grades

    grades, missing = grades_to_record(assessments, given)
    for card_id in missing:
        grades[card_id] = click.prompt(f"{card_id}: your grade (0-5, no default: the grader is not sure)",
                                       type=click.IntRange(0, 5), err=True)
    say("\nGrades: " + ", ".join(f"{card_id}={quality}" for card_id, quality in grades.items()), err=True, hang=2)
    while True:
        changes = click.prompt("Enter keeps them all, or type changes as ID=GRADE,...", default="",
                               show_default=False, err=True)
        try:
            changed = parse_grades(changes)
        except RecapError as exc:
            tell(f"recall: {exc}")
            continue
        unknown = set(changed) - set(grades)
        if not unknown:
            return grades | changed
        tell(f"recall: {', '.join(sorted(unknown))}: not a card this recap addresses")


def can_ask(as_json: bool) -> bool:
    """Whether the learner can be asked for grades: a terminal on stdin, and no --json."""
    return not as_json and sys.stdin is not None and sys.stdin.isatty()


@click.command()
@global_options
@click.option("--deck", callback=as_text, help="Recap this deck's cards.")
@click.option("--tag", callback=as_text, help="Recap the cards with this tag.")
@click.option("--answer", callback=as_text, help="Your recap (default: read from stdin).")
@click.option("--grader", type=click.Choice(GRADER_CHOICES), help="auto: Claude when a key is set, else offline.")
@click.option("--model", callback=as_text, help="Claude model (env RECALL_MODEL).")
@click.option("--budget", type=click.IntRange(min=1), help="Token budget for the cards sent (default 12000).")
@click.option("--record", is_flag=True, help="Store an entry for every card the recap covers.")
@click.option("--grades", callback=as_text,
              help="Your grades as ID=GRADE,... (default: asked on a terminal; else the sure suggestions).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else on stdout.")
@click.pass_context
def recap(ctx: click.Context, deck: str | None, tag: str | None, answer: str | None, grader: str | None,
          model: str | None, budget: int | None, record: bool, grades: str | None, as_json: bool,
          **options: object) -> None:
    """Grade a recap of a deck (or a tag) and map it onto its cards; with --record, update them."""
    import asyncio

    from recall.grading.base import GradingError
    from recall.grading.recap import grade_recap
    from recall.recap import (
        DEFAULT_TOKEN_BUDGET, entry_effect, grades_to_record, parse_grades, recap_scope, record_recap,
    )

    if deck is not None and tag is not None:
        raise UserError("give --deck or --tag, not both")
    state = context(ctx, **options)
    if model:
        state.flags["model"] = model
    given = parse_grades(grades or "")
    store = state.store
    scope = recap_scope(store, deck, tag, budget or DEFAULT_TOKEN_BUDGET)
    text = read_answer(answer, f"Recap {scope.label} ({len(scope.sent)} cards).", as_json)
    if not text.strip():
        raise UserError("nothing to grade: the recap is empty (pass --answer or pipe it on stdin)")
    if record:
        store.save_draft(scope.draft_key, text)  # survives any failure until it is recorded
    if not as_json:
        say(f"Recap of {scope.label}: {len(scope.sent)} cards sent.", hang=2)
        if scope.left_out:
            say(f"Left out to stay within {scope.budget} tokens: {', '.join(c.id for c in scope.left_out)}.", hang=2)
        say("")

    async def show(chunk: str) -> None:
        if not as_json:
            say(chunk, nl=False)

    try:
        verdict = asyncio.run(grade_recap(state.settings, [c.to_card() for c in scope.sent], text, show, grader))
    except GradingError as exc:
        kept = record or store.keep_draft(scope.draft_key, text)
        raise UserError(f"{exc}" + (" Your recap is saved as its draft." if kept else "")) from None
    if not as_json:
        for notice in verdict.notices:
            tell(f"note: {notice}", hang=len("note: "))
    final: dict[str, int] = {}
    if record:
        if can_ask(as_json):
            final = confirmed_grades(verdict.assessments, given)
        else:
            final, missing = grades_to_record(verdict.assessments, given)
            if missing:
                raise UserError(f"nothing recorded, because the grader is not sure of {', '.join(missing)}: give "
                                "your grades with --grades ID=GRADE,... (your recap is kept as its draft)")
    records = record_recap(store, scope, text, verdict, final, state.today) if record else []
    if as_json:
        emit_json({
            "scope": scope.label, "budget": scope.budget, "sent": [c.id for c in scope.sent],
            "left_out": [c.id for c in scope.left_out], "grader": verdict.grader, "model": verdict.model,
            "feedback": verdict.feedback, "not_covered": list(verdict.not_covered), "notices": list(verdict.notices),
            "cards": [asdict(a) | {"quality": final.get(a.card_id)} for a in verdict.assessments],
            "recorded": bool(records),
            "entries": [{"card_id": r.card_id, "kind": r.kind, "quality": r.quality,
                         "next_due": r.due.isoformat() if r.due else None, "interval": r.interval} for r in records]})
        return
    say("")
    for entry in records:
        say(entry_effect(entry), hang=2)
