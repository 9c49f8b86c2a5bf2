"""`recall explain`: grade one explanation from the command line, and record it on request."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import datetime

import click

from recall.cli.base import UserError, as_text, context, global_options
from recall.cli.markdown import streamed_markdown
from recall.cli.output import emit_json, say, tell
from recall.config import GRADER_CHOICES

def read_answer(answer: str | None, prompt: str, quiet: bool) -> str:
    """The explanation from --answer, else stdin; bytes that are not UTF-8 become U+FFFD, never an error."""
    if answer is not None:
        return answer
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty() and not quiet:
        say(f"{prompt}\n\nExplain in your own words; end with Ctrl-D on an empty line:", err=True)
    raw = getattr(sys.stdin, "buffer", None)
    return raw.read().decode("utf-8", "replace") if raw is not None else sys.stdin.read()


def learners_grade(verdict, can_ask: bool) -> int:  # noqa: ANN001 - Verdict, imported lazily
    """The grade to record when no --quality was given. The learner has the last word: on a terminal they
    are asked, with the suggestion as the default only when the grader is confident of it. Without a
    terminal only a confident suggestion is recorded; otherwise nothing is, and they are told to pass
    --quality (the explanation stays the card's draft)."""
    from recall.grading.base import doubt

    suggested = verdict.suggested_quality
    if can_ask and verdict.confident:
        return click.prompt(f"\nYour grade (0-5, enter accepts {suggested})", type=click.IntRange(0, 5),
                            default=suggested, err=True)
    if can_ask:
        return click.prompt(f"\nYour grade (0-5; {doubt(verdict)}, so there is no default)",
                            type=click.IntRange(0, 5), err=True)
    if verdict.confident:
        return suggested
    raise UserError(f"not recorded, because {doubt(verdict)} (it suggests {suggested}): give your own grade with "
                    "--quality 0-5; your explanation is kept as the card's draft")


@click.command()
@global_options
@click.argument("card_id", callback=as_text)
@click.option("--answer", callback=as_text, help="Your explanation (default: read from stdin).")
@click.option("--grader", type=click.Choice(GRADER_CHOICES), help="auto: Claude when a key is set, else offline.")
@click.option("--model", callback=as_text, help="Claude model (env RECALL_MODEL).")
@click.option("--record", is_flag=True, help="Store the review and schedule the card.")
@click.option("--quality", type=click.IntRange(0, 5),
              help="Your grade 0-5 (default: asked on a terminal; else the suggestion, if the grader is sure of it).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else on stdout.")
@click.pass_context
def explain(ctx: click.Context, card_id: str, answer: str | None, grader: str | None, model: str | None,
            record: bool, quality: int | None, as_json: bool, **options: object) -> None:
    """Grade your explanation of CARD_ID; with --record, store the review."""
    import asyncio

    from recall.grading import grade_with_fallback
    from recall.grading.base import GradingError, doubt
    from recall.study import record_explanation

    state = context(ctx, **options)
    if model:
        state.flags["model"] = model
    row = state.card(card_id)
    text = read_answer(answer, row.prompt, as_json)
    if record and not text.strip():
        raise UserError("nothing to record: the explanation is empty (pass --answer or pipe it on stdin)")
    store = state.store
    if record:
        store.save_draft(row.id, text)  # a review attempt: it survives any failure until it is recorded

    streamed: list[str] = []
    started = datetime.now()
    try:
        with streamed_markdown(quiet=as_json) as write:
            async def show(chunk: str) -> None:
                streamed.append(chunk)
                write(chunk)

            verdict = asyncio.run(grade_with_fallback(state.settings, row.to_card(), text, show, grader))
    except GradingError as exc:
        kept = record or (text.strip() and store.keep_draft(row.id, text))
        raise UserError(f"{exc}" + (" Your explanation is saved as the card's draft." if kept else "")) from None
    duration_ms = int((datetime.now() - started).total_seconds() * 1000)
    if not as_json:
        feedback = "".join(streamed)
        for notice in verdict.notices:
            if notice not in feedback:  # the feedback may already say it (the offline check's notice)
                tell(f"note: {notice}", hang=len("note: "))
        say(f"\nSuggested grade: {verdict.suggested_quality}"
            + ("" if verdict.confident else f" ({doubt(verdict)}; your grade decides)"))
    if record and quality is None:
        quality = learners_grade(verdict, not as_json and sys.stdin is not None and sys.stdin.isatty())
    final_quality = verdict.suggested_quality if quality is None else quality
    result = {"card_id": row.id, "grader": verdict.grader, "model": verdict.model,
              "suggested_quality": verdict.suggested_quality, "confident": verdict.confident,
              "quality": final_quality if record else quality,
              "key_points": [asdict(k) for k in verdict.key_points], "feedback": verdict.feedback,
              "follow_up_question": verdict.follow_up_question,
              "notices": list(verdict.notices), "recorded": False, "next_due": None, "interval": None}
    if record:
        saved = record_explanation(store, row.id, final_quality, text, verdict, duration_ms, state.today)
        result.update(recorded=True, next_due=saved.due.isoformat(), interval=saved.interval)
        if not as_json:
            kind = " as a same-day drill (the schedule is unchanged)" if saved.kind == "drill" else ""
            say(f"Recorded grade {final_quality}{kind}. Next review {saved.due.isoformat()} "
                f"(in {saved.interval} day{'s' if saved.interval != 1 else ''}).")
    if as_json:
        emit_json(result)

