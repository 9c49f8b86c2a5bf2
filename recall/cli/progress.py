"""`recall stats`: the collection's totals, then charts of progress (drawn with plotext, in plain
characters: no colour is needed to read them) and the hardest cards."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from recall.cli.base import context, global_options
from recall.cli.markdown import colour_wanted, show_markdown
from recall.cli.output import emit_json, say, terminal_width

if TYPE_CHECKING:
    from recall.progress_charts import BarSeries

CHART_HEIGHT = 10
WIDEST_CHART = 100  # wider terminals leave the rest blank: bars as wide as a screen are harder to compare


@click.command()
@global_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool, **options: object) -> None:
    """Totals, retention, streak, due forecast, token use, and charts of your progress."""
    from recall.stats import collection_stats, progress_stats

    state = context(ctx, **options)
    summary = collection_stats(state.store, state.today)
    progress = progress_stats(state.store, state.today)
    if as_json:
        emit_json({**summary, **progress})
        return
    show_totals(summary)
    if summary["reviews"]:
        for text in progress_charts(progress, min(terminal_width(), WIDEST_CHART), colour_wanted()):
            click.echo("\n" + text)
    else:
        say("\nNo reviews yet: the charts of your progress start with your first session.")
    if progress["hardest"]:
        show_markdown("\n" + hardest_cards_markdown(progress["hardest"]))


def show_totals(summary: dict) -> None:
    retention = summary["retention_30d"]
    say(f"cards        {summary['cards']} ({summary['new']} new, {summary['retired']} retired)")
    say(f"due today    {summary['due_today']}")
    say(f"reviews      {summary['reviews']} ({summary['reviewed_today']} today)")
    say(f"streak       {summary['streak_days']} day(s)")
    say("retention    " + (f"{retention:.0%} of {summary['retention_reviews_30d']} reviews in 30 days"
                           if retention is not None else "no reviews of learned cards yet"))
    say("next 7 days  " + " ".join(str(n) for n in summary["due_forecast"][:7]))
    for deck in summary["decks"]:
        say(f"deck         {deck['deck']}: {deck['cards']} cards, {deck['due']} due, {deck['new']} new", hang=13)
    for usage in summary["token_usage"]:
        say(f"tokens       {usage['model']}: {usage['input_tokens']} in, {usage['output_tokens']} out "
            f"({usage['cache_read_tokens']} cache read) over {usage['reviews']} reviews, {cost_text(usage)}",
            hang=13)
    for usage in summary["drafting_token_usage"]:
        say(f"tokens       {usage['model']}: {usage['input_tokens']} in, {usage['output_tokens']} out "
            f"drafting {usage['purpose']} ({usage['requests']} requests), {cost_text(usage)}", hang=13)


def cost_text(usage: dict) -> str:
    cost = usage["estimated_cost_usd"]
    return f"~${cost:.4f}" if cost is not None else "cost unknown"


def progress_charts(progress: dict, width: int, color: bool) -> list[str]:
    """Each chart as text `width` columns wide; with `color`, the bars are coloured (never needed)."""
    from recall.progress_charts import progress_series

    return [bar_chart(series, width, color) for series in progress_series(progress).values()]


def bar_chart(series: BarSeries, width: int, color: bool) -> str:
    import plotext

    from recall.progress_charts import draw_bars

    plotext.clear_figure()
    plotext.plotsize(width, CHART_HEIGHT)
    plotext.theme("clear")
    draw_bars(plotext, series, width, "cyan" if color else None)
    text = plotext.build()
    return text if color else plotext.uncolorize(text)


def hardest_cards_markdown(hardest: list[dict]) -> str:
    lines = ["**Hardest cards** (most lapses, then lowest easiness)", ""]
    for number, card in enumerate(hardest, 1):
        prompt = " ".join(card["prompt"].split())  # one paragraph: a line break would end the list item
        lines.append(f"{number}. {prompt}  \n   {card['lapses']} lapses, easiness {card['easiness']:.2f}, "
                     f"{card['reviews']} reviews, `{card['id']}`")
    return "\n".join(lines)
