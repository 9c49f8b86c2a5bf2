"""Writing cards into deck files: append one `[[card]]` table, or replace one card's table, keeping
every other byte of the file (comments, blank lines, layout) as it was.

The text functions here are pure; `add_card` and `rewrite_card` read the file, check the new text with
the deck parser (the result must hold exactly the cards it held, plus or with the one changed) and
write it atomically. A change that would lose or alter any other card is refused, never written.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path

from recall.atomic_file import write_atomically
from recall.deck import MAX_KEY_POINTS, Card, parse_deck
from recall.errors import RecallError

CARD_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*card[ \t]*\]\][ \t]*(#.*)?$")
TABLE_HEADER = re.compile(r"^[ \t]*\[")
PROMPT_SLUG_WORDS = 6
SLUG_CHARS = 40
# Words that make an id longer without telling cards apart.
SLUG_SKIPPED = frozenset({"a", "an", "the", "of", "to", "in", "on", "is", "are", "what", "why", "how", "does",
                          "do", "and", "or", "for", "it", "its", "with", "explain", "describe"})
INLINE_LIST_CHARS = 100
FIELD_ORDER = ("id", "prompt", "answer", "key_points", "core", "tags", "demo", "misconceptions")


class DeckWriteError(RecallError):
    """A card that cannot be written where asked; the message is one sentence and nothing was written."""


@dataclass(frozen=True)
class NewCard:
    """What a learner writes for a card; `id` is made from the deck and the prompt when not given."""

    prompt: str
    answer: str
    key_points: tuple[str, ...]
    tags: tuple[str, ...] = ()
    demo: str | None = None
    id: str | None = None
    core: int | None = None

    @classmethod
    def from_card(cls, card: Card) -> NewCard:
        return cls(card.prompt, card.answer, card.key_points, card.tags, card.demo, card.id, card.core)

    def fields(self, card_id: str, misconceptions: tuple[str, ...] = ()) -> dict:
        """The card's TOML table as a dict, in the bundled deck's field order, empty fields left out."""
        values = {"id": card_id, "prompt": self.prompt.strip(), "answer": self.answer.strip(),
                  "key_points": [point.strip() for point in self.key_points], "core": self.core,
                  "tags": list(self.tags), "demo": self.demo, "misconceptions": list(misconceptions)}
        return {name: values[name] for name in FIELD_ORDER if values[name] not in (None, [])}


def slug(text: str, fallback: str = "card", limit: int = SLUG_CHARS) -> str:
    """Lowercase letters and digits joined by '-', at most `limit` long (deck files and card ids)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-") or fallback


def prompt_slug(prompt: str) -> str:
    """The prompt's first few telling words: "What does a softmax layer output?" -> softmax-layer-output."""
    words = re.findall(r"[a-z0-9]+", prompt.lower())
    telling = [word for word in words if word not in SLUG_SKIPPED] or words
    return slug(" ".join(telling[:PROMPT_SLUG_WORDS]))


def new_card_id(deck: str, prompt: str, taken: Collection[str]) -> str:
    """`<deck-slug>.<prompt-slug>`, with -2, -3... added when an id in `taken` (every id the collection
    has ever held, retired cards included, so a new card never inherits another's history) has it."""
    base = f"{slug(deck, 'deck')}.{prompt_slug(prompt)}"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def card_table(fields: Mapping) -> str:
    """One `[[card]]` table as TOML text, ending with a newline: tomli-w formats each value, and a list
    that fits on one line (tags, usually) is written on one line, as people write them."""
    import tomli_w

    lines = ["[[card]]"]
    for name, value in fields.items():
        line = tomli_w.dumps({name: value}, multiline_strings=True).rstrip("\n")
        if isinstance(value, list):
            items = [tomli_w.dumps({"v": item}).rstrip("\n")[len("v = "):] for item in value]
            inline = f"{name} = [{', '.join(items)}]"
            if len(inline) <= INLINE_LIST_CHARS and not any("\n" in item for item in items):
                line = inline
        lines.append(line)
    return "\n".join(lines) + "\n"


def deck_header(deck: str) -> str:
    import tomli_w

    return tomli_w.dumps({"deck": deck})


def appended(text: str, fields: Mapping, deck: str) -> str:
    """`text` (a deck file's, or "" for a new file) with one card table added at the end."""
    if not text.strip():
        return f"{text}{deck_header(deck)}\n{card_table(fields)}"
    separator = "\n" if text.endswith("\n") else "\n\n"
    return f"{text}{separator}{card_table(fields)}"


def card_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) line numbers of each `[[card]]` table: from its header to the next table header (or
    the end), without the comments and blank lines just before that (they introduce what follows)."""
    lines = text.splitlines(keepends=True)
    starts = [number for number, line in enumerate(lines) if CARD_HEADER.match(line)]
    spans = []
    for start in starts:
        end = next((n for n in range(start + 1, len(lines)) if TABLE_HEADER.match(lines[n])), len(lines))
        while end - 1 > start and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
            end -= 1
        spans.append((start, end))
    return spans


def replaced(text: str, index: int, fields: Mapping) -> str:
    """`text` with the `index`-th card table (0-based) replaced by `fields`; the rest kept byte for byte."""
    import tomllib

    spans = card_spans(text)
    cards = tomllib.loads(text).get("card", [])
    if len(spans) != len(cards) or not 0 <= index < len(spans):  # a header inside a multi-line string
        raise DeckWriteError("cannot find the card's table in its deck file (edit the file with `e` instead)")
    lines = text.splitlines(keepends=True)
    start, end = spans[index]
    return "".join(lines[:start]) + card_table(fields) + "".join(lines[end:])


def _check(path: Path, new_text: str, expected: list[Card]) -> None:
    """Refuse a text whose parsed cards are not exactly `expected` (ids and content, in order)."""
    cards, problems = parse_deck(path, new_text.encode("utf-8"))
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise DeckWriteError(f"the card is not valid: {errors[0].message}")
    if [(c.id, c.content_hash) for c in cards] != [(c.id, c.content_hash) for c in expected]:
        raise DeckWriteError(f"writing the card would change other cards of {path}; nothing was written")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise DeckWriteError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def parsed_alone(card: NewCard, deck: str, card_id: str, path: Path | None = None) -> Card:
    """The card as the deck parser reads it on its own (as if in `path`), or its first error as a sentence:
    checked before any file is touched."""
    if not 1 <= len(card.key_points) <= MAX_KEY_POINTS:
        raise DeckWriteError(f"a card needs 1 to {MAX_KEY_POINTS} key points, not {len(card.key_points)}")
    text = appended("", card.fields(card_id), deck)
    cards, problems = parse_deck(path or Path(f"{slug(deck)}.toml"), text.encode("utf-8"))
    if not cards:
        raise DeckWriteError(f"the card is not valid: {next(p for p in problems if p.severity == 'error').message}")
    return cards[0]


def add_cards(path: Path, cards: list[NewCard], deck: str, taken: Collection[str]) -> list[str]:
    """Append `cards` to the deck file at `path` (created, with its folder, when missing) in one atomic
    write; returns their ids. A file whose `deck` names another deck, or that does not parse, is refused."""
    text = _read(path)
    old_cards: list[Card] = []
    file_deck = deck
    if text.strip():
        old_cards, problems = parse_deck(path, text.encode("utf-8"))
        unreadable = [p for p in problems if p.severity == "error" and p.card_index is None]
        if unreadable:
            raise DeckWriteError(f"{path} is not a valid deck file ({unreadable[0].message}); fix it first")
        file_deck = old_cards[0].deck if old_cards else deck
    if file_deck != deck:
        raise DeckWriteError(f"{path} holds the deck {file_deck!r}, not {deck!r}; choose its deck or "
                             "another file with --deck-file")
    taken = {*taken, *(card.id for card in old_cards)}
    ids, new_cards, new_text = [], [], text
    for card in cards:
        if card.id and card.id in taken:
            raise DeckWriteError(f"the id {card.id!r} is already used by another card; choose another with --id")
        card_id = card.id or new_card_id(deck, card.prompt, taken)
        taken.add(card_id)
        new_cards.append(parsed_alone(card, deck, card_id, path))
        new_text = appended(new_text, card.fields(card_id), deck)
        ids.append(card_id)
    _check(path, new_text, [*old_cards, *new_cards])
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda handle: handle.write(new_text.encode("utf-8")))
    return ids


def rewrite_card(card: Card, edited: NewCard) -> None:
    """Replace `card`'s table in its own file by `edited`, keeping its id (so its history stays) and its
    misconceptions, atomically."""
    if card.source is None or card.index is None:
        raise DeckWriteError(f"card {card.id!r} has no deck file to write to")
    path = card.source
    text = _read(path)
    old_cards, _ = parse_deck(path, text.encode("utf-8"))
    new_card = parsed_alone(edited, card.deck, card.id, path)
    new_text = replaced(text, card.index, edited.fields(card.id, card.misconceptions))
    _check(path, new_text, [new_card if old.id == card.id else old for old in old_cards])
    write_atomically(path, lambda handle: handle.write(new_text.encode("utf-8")))


def edit_card_in_file(path: Path, card_id: str, edited: NewCard) -> None:
    """`rewrite_card` for the card `card_id` as its file holds it now (found by id, so an edit made to the
    file since it was loaded is neither lost nor overwritten by position)."""
    cards, _ = parse_deck(path)
    card = next((card for card in cards if card.id == card_id), None)
    if card is None:
        raise DeckWriteError(f"{path} no longer holds the card {card_id!r}; nothing was written")
    rewrite_card(card, edited)


def file_deck(path: Path) -> str | None:
    """The deck an existing deck file holds, or None (no file, or no valid card to tell)."""
    if not path.is_file():
        return None
    cards, _ = parse_deck(path)
    return cards[0].deck if cards else None


def deck_file_for(deck: str | None, deck_file: Path | None, decks_folder: Path,
                  default: str | None = None) -> tuple[str, Path]:
    """The deck's name and the file new cards go to: `deck_file` (its deck when `deck` is not given),
    else `<decks_folder>/<deck-slug>.toml`. Checked before anything is asked or typed: an existing file
    must hold that deck."""
    deck = (deck or (file_deck(deck_file) if deck_file else None) or default or "").strip()
    if not deck:
        raise DeckWriteError("name the deck (or an existing deck file)")
    path = deck_file or decks_folder / f"{slug(deck)}.toml"
    holds = file_deck(path)
    if holds is not None and holds != deck:
        raise DeckWriteError(f"{path} holds the deck {holds!r}, not {deck!r}; choose its deck or another file")
    return deck, path
