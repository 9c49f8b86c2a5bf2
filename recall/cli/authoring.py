"""Writing cards: `recall add` (one card, from options or in $EDITOR) and `recall draft` (cards proposed
by the grader's model from the learner's notes, each accepted, edited or rejected).

Both write through `recall.deck_writer` (one atomic append, every other byte of the deck file kept). A
card being written in the editor is kept in a draft file until it is added, so nothing typed is lost.
"""

from __future__ import annotations

import asyncio
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from recall.cli.base import UserError, as_text, context, global_options
from recall.cli.output import emit_json, say

SECTIONS = ("prompt", "answer", "key points", "tags", "demo")
SECTION_LINE = re.compile(r"^## (prompt|answer|key points|tags|demo)[ \t]*$")
TEMPLATE_HELP = """\
# Write the card under the headings below; lines starting with "# " are ignored.
# Key points: one a line ("- " optional); leave them empty to have them proposed.
# Tags: separated by spaces. Demo: a demo's name (`recall demo --list`), or empty.
# Save and quit to add the card; quit without saving (or empty the prompt) to stop.
"""
PROPOSAL_CHOICES = ("a", "e", "r", "q")


def interactive() -> bool:
    """Whether a person is at the keyboard (stdin and stdout are terminals): only then are they asked."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@dataclass
class CardText:
    """A card as typed: what the template holds."""

    prompt: str = ""
    answer: str = ""
    key_points: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    demo: str | None = None


def card_template(card: CardText, error: str | None = None) -> str:
    """The text the editor opens on: an error first (when reopening), the help, then each section."""
    values = {"prompt": card.prompt, "answer": card.answer,
              "key points": "\n".join(f"- {point}" for point in card.key_points),
              "tags": " ".join(card.tags), "demo": card.demo or ""}
    head = f"# error: {error}\n# Fix it below, then save and quit again.\n" if error else ""
    body = "".join(f"\n## {name}\n" + (f"{values[name]}\n" if values[name] else "") for name in SECTIONS)
    return head + TEMPLATE_HELP + body


def parse_card_text(text: str) -> CardText:
    """The sections of an edited template; text outside them and "# " comment lines are ignored."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = SECTION_LINE.match(line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
        elif current is not None and not line.startswith("# ") and line != "#":
            current.append(line)
    value = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    points = tuple(re.sub(r"^\s*[-*]\s+", "", line).strip() for line in value.get("key points", "").splitlines())
    return CardText(value.get("prompt", ""), value.get("answer", ""), tuple(p for p in points if p),
                    tuple(value.get("tags", "").split()), value.get("demo") or None)


def draft_file(purpose: str) -> Path:
    """Where a card typed in the editor waits until it is added (so quitting loses nothing)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("recall")) / f"{purpose}-draft.txt"


def edit_card(card: CardText, check, saved: Path) -> CardText | None:  # noqa: ANN001 - check(CardText) -> str | None
    """Open $VISUAL/$EDITOR on the card (or on the text `saved` kept from an earlier try) until `check`
    finds nothing wrong, each time with its message at the top; None when the learner quits without saving
    or empties the prompt. What they typed stays in `saved` until the card is added."""
    text = saved.read_text(encoding="utf-8") if saved.is_file() else card_template(card)
    error = None
    while True:
        shown = card_template(parse_card_text(text), error) if error else text
        edited = click.edit(shown, extension=".md", require_save=True)
        if edited is None:
            break
        text = edited
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(text, encoding="utf-8")
        typed = parse_card_text(text)
        if not typed.prompt:
            break
        error = check(typed)
        if error is None:
            saved.unlink(missing_ok=True)
            return typed
    if saved.is_file():
        say(f"recall: what you typed is kept in {saved}", err=True, hang=8)
    return None


def show_points(points: tuple[str, ...], origin: str) -> None:
    say(f"Key points ({origin}):", err=True)
    for number, point in enumerate(points, 1):
        say(f"  {number}. {point}", err=True, hang=5)


def review_points(points: tuple[str, ...]) -> tuple[str, ...]:
    """On a terminal: accept the points, or edit them in $EDITOR (one a line)."""
    if not interactive():
        return points
    choice = click.prompt("Key points: [a]ccept or [e]dit", type=click.Choice(["a", "e"]), default="a",
                          err=True)
    if choice == "a":
        return points
    edited = click.edit("\n".join(points) + "\n", extension=".txt")
    lines = tuple(re.sub(r"^\s*[-*\d.]+\s+", "", line).strip() for line in (edited or "").splitlines())
    return tuple(line for line in lines if line) or points


def proposed_points(state, prompt: str, answer: str) -> tuple[tuple[str, ...], int | None]:  # noqa: ANN001
    """Key points for a card given none, and its core: the model's (the core one first) when one is
    available, else the answer's sentences; shown, then accepted or edited on a terminal."""
    from recall.drafting import Drafter, DraftingError, llm_available, sentence_key_points

    if llm_available(state.settings):
        drafter = Drafter(state.settings)
        try:
            points = run_drafter(state, drafter, "key points", drafter.key_points(prompt, answer))
        except DraftingError as error:
            say(f"recall: could not draft key points: {str(error).rstrip('.')}; proposing the answer's "
                "sentences", err=True, hang=8)
        else:
            show_points(points, f"drafted by {state.settings.model}, the core one first")
            return review_points(points), 1
    points = sentence_key_points(answer)
    show_points(points, "the answer's sentences; edit them to one idea each")
    return review_points(points), None


def run_drafter(state, drafter, purpose: str, request):  # noqa: ANN001, ANN201
    """Run one drafting coroutine; its tokens are stored and their cost shown whatever the outcome."""
    from recall.clock import utc_now
    from recall.drafting import record_usage

    async def run():  # noqa: ANN202
        try:
            return await request
        finally:
            await drafter.aclose()

    try:
        return asyncio.run(run())
    finally:
        if drafter.cost.usages:
            record_usage(state.store, purpose, drafter.cost, utc_now())
            say(f"cost: {drafter.cost.summary()}", err=True, hang=6)


def deck_target(deck: str | None, deck_file: Path | None, default: str | None = None) -> tuple[str, Path]:
    """The deck's name and its file (see `deck_file_for`), in the user decks folder by default."""
    from recall.config import user_decks_dir
    from recall.deck_writer import deck_file_for, file_deck

    if not (deck or default or (deck_file and file_deck(deck_file))):
        raise UserError("name the deck with --deck NAME (or an existing deck file with --deck-file)")
    return deck_file_for(deck, deck_file, user_decks_dir(), default)


def taken_ids(state) -> set[str]:  # noqa: ANN001
    """Every id a new card must not take: the store's (retired cards too) and every deck file's."""
    return {row.id for row in state.store.cards(include_retired=True)} | {card.id for card in state.decks.cards}


def write_cards(state, path: Path, cards: list, deck: str) -> list[str]:  # noqa: ANN001
    """Append the cards in one atomic write; says so when the file is not among the decks recall loads."""
    from recall.config import bundled_cards_dir, default_card_paths
    from recall.deck_writer import add_cards

    ids = add_cards(path, cards, deck, taken_ids(state))
    folders = state.settings.card_paths
    if folders == (bundled_cards_dir(),):  # the defaults, from before the user decks folder existed
        folders = default_card_paths()
    if not any(path.resolve().is_relative_to(folder.resolve()) for folder in folders):
        say(f"recall: {path} is not among your decks; study it with: recall --cards {path}", err=True, hang=8)
    return ids


def card_problem(state, deck: str, path: Path):  # noqa: ANN001, ANN201
    """A check for the editor loop: the deck parser's first error on the typed card, or None."""
    from recall.deck_writer import DeckWriteError, NewCard, parsed_alone

    def check(typed: CardText) -> str | None:
        if not typed.answer:
            return "the answer is empty"
        try:
            parsed_alone(NewCard(typed.prompt, typed.answer, typed.key_points or ("-",), typed.tags, typed.demo),
                         deck, "draft.card", path)
        except DeckWriteError as error:
            return str(error)
        return None

    return check


@click.command()
@global_options
@click.option("--deck", callback=as_text, help="The deck's name (its file in the user decks folder by default).")
@click.option("--prompt", callback=as_text, help="The question the card asks.")
@click.option("--answer", callback=as_text, help="The reference answer.")
@click.option("--key-point", "key_points", multiple=True, callback=lambda c, p, v: tuple(as_text(c, p, x) for x in v),
              help="A key point; repeatable (none: proposed, then shown).")
@click.option("--tag", "tags", multiple=True, help="A tag; repeatable.")
@click.option("--demo", callback=as_text, help="A demo the card links (`recall demo --list`).")
@click.option("--id", "card_id", callback=as_text, help="The card's id (default: <deck>.<prompt words>).")
@click.option("--deck-file", type=click.Path(dir_okay=False, path_type=Path), help="The deck file to append to.")
@click.pass_context
def add(ctx: click.Context, deck: str | None, prompt: str | None, answer: str | None, key_points: tuple[str, ...],
        tags: tuple[str, ...], demo: str | None, card_id: str | None, deck_file: Path | None,
        **options: object) -> None:
    """Add one card to a deck file and print its id. Without --prompt and --answer, on a terminal, write
    the card in $VISUAL or $EDITOR."""
    from recall.deck_writer import NewCard

    state = context(ctx, **options)
    deck, path = deck_target(deck, deck_file)
    typed = CardText(prompt or "", answer or "", key_points, tags, demo)
    if not (prompt and answer):
        if not interactive():
            raise UserError("give the card with --prompt and --answer (or run `recall add` on a terminal to "
                            "write it in your editor)")
        typed = edit_card(typed, card_problem(state, deck, path), draft_file("add"))
        if typed is None:
            raise UserError("no card was added")
    core = None
    if not typed.key_points:
        typed.key_points, core = proposed_points(state, typed.prompt, typed.answer)
    card = NewCard(typed.prompt, typed.answer, typed.key_points, typed.tags, typed.demo, card_id, core)
    [new_id] = write_cards(state, path, [card], deck)
    say(new_id)


def show_proposal(number: int, total: int, proposal) -> None:  # noqa: ANN001
    say(f"\n[{number}/{total}] {proposal.prompt}", hang=2)
    say(f"  answer: {proposal.answer}", hang=4)
    for point_number, point in enumerate(proposal.key_points, 1):
        say(f"  {point_number}. {point}{' (core)' if point_number == 1 else ''}", hang=5)
    extras = [f"tags: {' '.join(proposal.tags)}" if proposal.tags else "", f"demo: {proposal.demo}" if proposal.demo else ""]
    if any(extras):
        say("  " + "; ".join(extra for extra in extras if extra), hang=4)
    if proposal.duplicate_of:
        say(f"  duplicate of {proposal.duplicate_of}: not added", hang=4)


@click.command()
@global_options
@click.argument("notes", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--deck", callback=as_text, help="The deck's name (default: the notes file's name).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The deck file to append to (default: the deck's file in the user decks folder).")
@click.option("--max", "max_cards", type=click.IntRange(1, 100), default=10, show_default=True,
              help="At most this many proposals.")
@click.option("--json", "as_json", is_flag=True, help="Print the proposals as JSON and write nothing.")
@click.option("--yes", is_flag=True, help="Accept every proposal (duplicates excepted).")
@click.pass_context
def draft(ctx: click.Context, notes: Path, deck: str | None, output: Path | None, max_cards: int, as_json: bool,
          yes: bool, **options: object) -> None:
    """Propose cards from your notes (Markdown or text) with the grader's model; accept, edit or reject
    each."""
    from recall.deck_writer import NewCard
    from recall.demos import demo_summaries
    from recall.drafting import Drafter

    state = context(ctx, **options)
    if not (as_json or yes or interactive()):
        raise UserError("not a terminal: pass --yes to accept every proposal, or --json to print them")
    text = read_notes(notes)
    deck, path = deck_target(deck, output, default=notes.stem)
    drafter = Drafter(state.settings)
    existing = {row.id: row.prompt for row in state.store.cards()}
    proposals = run_drafter(state, drafter, "cards",
                            drafter.cards(text, max_cards, demo_summaries(state.settings.demo_paths), existing))
    if as_json:
        cost = drafter.cost
        emit_json({"proposals": [proposal.as_json() for proposal in proposals],
                   "cost": {"model": cost.model, "requests": len(cost.usages), "input_tokens": cost.total.input_tokens,
                            "output_tokens": cost.total.output_tokens, "estimated_cost_usd": cost.estimated_usd}})
        return
    accepted = []
    for number, proposal in enumerate(proposals, 1):
        show_proposal(number, len(proposals), proposal)
        if proposal.duplicate_of:
            continue
        typed = CardText(proposal.prompt, proposal.answer, proposal.key_points, proposal.tags, proposal.demo)
        choice = "a" if yes else click.prompt("[a]ccept, [e]dit, [r]eject, [q]uit", type=click.Choice(PROPOSAL_CHOICES),
                                              default="a")
        if choice == "q":
            break
        if choice == "e":
            saved = draft_file("proposal")
            saved.unlink(missing_ok=True)  # the editor opens on this proposal, not an earlier one
            typed = edit_card(typed, card_problem(state, deck, path), saved)
        if choice != "r" and typed is not None:
            core = 1 if typed.key_points == proposal.key_points else None
            accepted.append(NewCard(typed.prompt, typed.answer, typed.key_points, typed.tags, typed.demo, core=core))
    if not accepted:
        say(f"no card added ({len(proposals)} proposed)")
        return
    ids = write_cards(state, path, accepted, deck)
    say(f"added {len(ids)} card(s) to {path}: {', '.join(ids)}", hang=2)


def read_notes(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{path} does not exist") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not text.strip():
        raise UserError(f"{path} is empty")
    return text
