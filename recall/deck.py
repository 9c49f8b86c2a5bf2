"""Deck files (TOML) -> Card objects, with every problem named by file and card.

A bad card is reported and left out; the rest of its file still loads. A file that cannot be read as a
deck at all (not UTF-8, not TOML, nested too deeply, no cards) is reported and skipped; the other files
still load. Scheduling state never lives here.
"""

from __future__ import annotations

import errno
import os
import re
import reprlib
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal, NamedTuple

from nn import DEMOS, split_demo
from recall.errors import RecallError
from recall.json_text import json_text

CARD_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*")
# A demo of the learner's own folders: a plain identifier, so the name cannot leave its folder.
USER_DEMO_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_KEY_POINTS = 8
MAX_MISCONCEPTIONS = 6
KNOWN_CARD_FIELDS = frozenset({"id", "prompt", "answer", "key_points", "tags", "demo", "core", "misconceptions"})
KNOWN_DECK_FIELDS = frozenset({"deck", "card"})


@dataclass(frozen=True)
class Card:
    id: str
    deck: str
    prompt: str
    answer: str
    key_points: tuple[str, ...]
    tags: tuple[str, ...] = ()
    demo: str | None = None
    source: Path | None = None
    # Its place among its file's [[card]] entries (0-based), so a problem found later (an id another
    # file owns) names the card as `recall check` counts them. Not content: not compared, not hashed.
    index: int | None = field(default=None, compare=False)
    # The 1-based number of the key point that carries the mechanism (the grader's line between 2 and 3
    # is drawn on it), or None; and the wrong ideas this concept breeds, for the grader to listen for.
    core: int | None = None
    misconceptions: tuple[str, ...] = ()

    @cached_property  # a sync compares it and stores it
    def content_hash(self) -> str:
        """Changes whenever anything a user sees changes, so a sync rewrites only edited cards. A card
        without `core` and `misconceptions` hashes as it did before they existed, so an upgrade rewrites
        only the cards that use them."""
        fields = [self.deck, self.prompt, self.answer, self.key_points, self.tags, self.demo,
                  str(self.source) if self.source else None]
        if self.core is not None or self.misconceptions:
            fields += [self.core, self.misconceptions]
        return digest(json_text(fields).encode())


def digest(data: bytes) -> str:
    """A 128-bit content hash (blake2b). hashlib is imported here: loading it (OpenSSL) would cost a
    start whose decks are unchanged 3 ms, and such a start hashes nothing."""
    import hashlib

    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Problem:
    path: Path
    message: str
    severity: Literal["error", "warning"] = "error"
    card_index: int | None = None
    card_id: str | None = None

    def __str__(self) -> str:
        """One printable line: a path that is not valid UTF-8 shows its undecodable bytes as \\xNN, so
        printing it or storing it as text never raises."""
        where = shown(self.path)
        if self.card_index is not None:
            where += f": card {self.card_index + 1}"
            if self.card_id:
                where += f" ({shown(self.card_id)})"
        return f"{where}: {self.severity}: {shown(self.message)}"


def shown(text: str | Path) -> str:
    """`text` (a path, or a message naming one) as valid UTF-8 text: the bytes of a file name that is
    not UTF-8 (which Python holds as lone surrogates) become \\xNN escapes."""
    text = str(text)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_text(path: Path) -> bool:
    """Whether the path's name is valid UTF-8 (no undecodable bytes held as surrogates)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass
class DeckSet:
    cards: list[Card] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class DeckPathError(RecallError):
    """A deck path the user named (`--cards`, RECALL_CARDS) that yields no deck file: syncing without it
    would retire every card it holds, so a caller that writes refuses instead. The message is one
    sentence naming the path."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(f"{problem.message}: {shown(problem.path)} (check --cards or RECALL_CARDS)")
        self.problem = problem


def unusable_path(problems: Iterable[Problem]) -> DeckPathError | None:
    """The error to refuse with if `deck_files` found a named path that yields no deck file, else None."""
    for problem in problems:
        if problem.severity == "error":
            return DeckPathError(problem)
    return None


def deck_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """The deck files under the paths the user named: a file as given, a directory's *.toml files at any
    depth (sorted; symlinked directories are not followed); each file once, where first named.

    Every error is about a named path that yields no deck file: it does not exist, cannot be read, is a
    directory with no *.toml file in it (an unmounted drive, a typo that happens to exist), or its name
    is not valid UTF-8. Syncing without such a path would retire every card it holds, so a caller that
    writes must refuse when there is any error (see `unusable_path`); `recall check` lists them.

    Warnings are about what a named directory holds: a subdirectory that cannot be read, and a file or
    subdirectory whose name is not valid UTF-8, are named and skipped (their cards are not loaded), and
    the rest loads. Such names are skipped rather than loaded because a deck file is named by its path
    in every message and, as text, in the database; the warning shows the undecodable bytes as \\xNN
    (see `shown`) and asks for a rename."""
    files: list[Path] = []
    problems: list[Problem] = []
    listed: set[Path] = set()
    for path in paths:
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            missing = exc.errno in (errno.ENOENT, errno.ENOTDIR)
            problems.append(Problem(path, "no such deck file or directory" if missing
                                    else f"cannot read this deck path ({exc.strerror or exc})"))
            continue
        if not _is_text(path):
            problems.append(Problem(path, "the deck path's name is not valid UTF-8: rename it"))
            continue
        if path.is_dir():
            found, found_problems = _files_under(path)
            problems.extend(found_problems)
            if not found and not any(p.severity == "error" for p in found_problems):
                problems.append(Problem(path, "no deck files (*.toml) in this directory"))
        elif path.is_file():
            found = [path]
        else:
            problems.append(Problem(path, f"not a deck file or directory (mode {mode:o})"))
            continue
        for file in found:
            if file not in listed:
                listed.add(file)
                files.append(file)
    return files, problems


def _files_under(folder: Path) -> tuple[list[Path], list[Problem]]:
    """The *.toml files at any depth under `folder`, sorted as `sorted(folder.rglob("*.toml"))` sorts
    them; a subdirectory that cannot be read, or a name that is not UTF-8, is a warning."""
    files: list[Path] = []
    problems: list[Problem] = []

    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        if where == folder:
            problems.append(Problem(folder, f"cannot read this directory ({exc.strerror or exc})"))
        else:
            problems.append(Problem(where, f"cannot read this directory ({exc.strerror or exc}); its decks "
                                    "were skipped", "warning"))

    for top, dirnames, filenames in os.walk(folder, onerror=unreadable):
        top_path = Path(top)
        for name in list(dirnames):
            if not _is_text(top_path / name):
                dirnames.remove(name)
                problems.append(Problem(top_path / name, "directory name is not valid UTF-8: rename it; its "
                                        "decks were skipped", "warning"))
        for name in filenames:
            if not name.endswith(".toml"):
                continue
            file = top_path / name
            if not _is_text(file):
                problems.append(Problem(file, "file name is not valid UTF-8: rename it; this deck was skipped",
                                        "warning"))
            elif file.is_file():
                files.append(file)
    return sorted(files), problems


def _text_field(raw: dict, name: str) -> tuple[str | None, str | None]:
    value = raw.get(name)
    if value is None:
        return None, f"missing `{name}`"
    if not isinstance(value, str):
        return None, f"`{name}` must be a string"
    if not value.strip():
        return None, f"`{name}` is empty"
    return value.strip(), None


def demo_problem(demo: object) -> str | None:
    """What is wrong with a card's `demo` ("NAME" or "NAME --option VALUE", options from
    `nn.CARD_OPTIONS`; or the bare name of one of the learner's demos), or None."""
    not_a_demo = "is not a demo in nn/ (`recall demo --list` lists them)"
    if isinstance(demo, str) and USER_DEMO_NAME.fullmatch(demo) and demo not in DEMOS:
        return None  # one of the learner's demos: `recall check` looks for it in their demo folders
    if not isinstance(demo, str) or demo.split(" ", 1)[0] not in DEMOS:
        if isinstance(demo, str) and USER_DEMO_NAME.fullmatch(demo.split(" ", 1)[0]):
            return f"demo {reprlib.repr(demo)} {not_a_demo}, and one of yours takes no options from a card"
        return f"demo {reprlib.repr(demo)} {not_a_demo}"  # reprlib: a value nested 300 deep is shown short
    try:
        split_demo(demo)
    except ValueError as error:
        return f"demo {reprlib.repr(demo)}: {error}"
    return None


def _string_list(raw: dict, name: str) -> tuple[tuple[str, ...] | None, str | None]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None, f"`{name}` must be a list of strings"
    return tuple(item.strip() for item in value), None


def _core(raw: dict, key_points: tuple[str, ...] | None) -> tuple[int | None, str | None]:
    """The card's optional `core`: the 1-based number of one of its key points."""
    core = raw.get("core")
    if core is None:
        return None, None
    if isinstance(core, bool) or not isinstance(core, int):
        return None, "`core` must be an integer: the number of the key point that carries the mechanism"
    count = len(key_points) if key_points and all(key_points) and len(key_points) <= MAX_KEY_POINTS else None
    if count is not None and not 1 <= core <= count:  # (with bad key points, only they are reported)
        points, allowed = ("1 key point", "1") if count == 1 else (f"{count} key points", f"1 to {count}")
        return None, f"`core` is {core}, but the card has {points}: use {allowed}"
    return core, None


def _misconceptions(raw: dict) -> tuple[tuple[str, ...], str | None]:
    """The card's optional `misconceptions`: 1 to MAX_MISCONCEPTIONS non-empty strings."""
    if "misconceptions" not in raw:
        return (), None
    misconceptions, error = _string_list(raw, "misconceptions")
    if error:
        return (), error
    if not misconceptions or not all(misconceptions):
        return (), (f"`misconceptions` is empty or has an empty entry (1 to {MAX_MISCONCEPTIONS} are allowed; "
                    "leave the field out for none)")
    if len(misconceptions) > MAX_MISCONCEPTIONS:
        return (), f"{len(misconceptions)} misconceptions: at most {MAX_MISCONCEPTIONS} are allowed"
    return misconceptions, None


def _parse_card(raw: object, index: int, deck: str, path: Path) -> tuple[Card | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(path, "a [[card]] entry must be a table", card_index=index)]
    card_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    problems: list[Problem] = []

    def report(message: str, severity: Literal["error", "warning"] = "error") -> None:
        problems.append(Problem(path, message, severity, index, card_id))

    if card_id is None:
        report("missing `id`" if "id" not in raw else "`id` must be a string")
    elif not CARD_ID_PATTERN.fullmatch(card_id):
        report(f"malformed id {card_id!r}: use lowercase letters, digits, '.', '_' and '-', "
               "starting with a letter or digit")
    prompt, error = _text_field(raw, "prompt")
    if error:
        report(error)
    answer, error = _text_field(raw, "answer")
    if error:
        report(error)
    key_points, error = _string_list(raw, "key_points")
    if error:
        report(error)
    elif not key_points or not all(key_points):
        report("`key_points` is missing or has an empty entry (1 to 8 are required)")
    elif len(key_points) > MAX_KEY_POINTS:
        report(f"{len(key_points)} key points: at most {MAX_KEY_POINTS} are allowed")
    tags, error = _string_list(raw, "tags")
    if error:
        report(error)
    core, error = _core(raw, key_points)
    if error:
        report(error)
    misconceptions, error = _misconceptions(raw)
    if error:
        report(error)
    demo = raw.get("demo")
    if demo is not None:
        problem = demo_problem(demo)
        if problem:
            report(problem)
    for unknown in sorted(set(raw) - KNOWN_CARD_FIELDS):
        report(f"unknown field `{unknown}` (ignored)", "warning")
    if any(p.severity == "error" for p in problems):
        return None, problems
    card = Card(card_id, deck, prompt, answer, key_points, tags, demo, path, index, core, misconceptions)
    return card, problems


def parse_deck(path: Path, data: bytes | None = None) -> tuple[list[Card], list[Problem]]:
    """One deck file (`data`: its bytes, when the caller has read them already): its valid cards, and
    every problem. A card with an error (and the second card with an id used earlier in the file) is
    reported, naming its index and id, and left out; the file's other cards load. A file that cannot
    be read as a deck at all gives no cards: unreadable, binary, not UTF-8, a TOML syntax error, values
    nested so deeply that reading them would exhaust the stack, `card` that is not an array of tables,
    no [[card]] entries. A bad `deck` name is an error and the file's stem is used."""
    import tomli  # here, not at the top: a start whose decks are unchanged parses none of them

    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return [], [Problem(path, f"cannot read: {exc.strerror or exc}")]
    if b"\x00" in data:
        return [], [Problem(path, "binary file, not a TOML deck")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [Problem(path, f"not UTF-8 text (bad byte at offset {exc.start})")]
    try:
        document = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        return [], [Problem(path, f"TOML syntax error: {exc}")]
    except RecursionError:  # tomli reads nested arrays and inline tables recursively
        return [], [Problem(path, TOO_DEEP)]
    try:
        return _deck_cards(document, path)
    except RecursionError:  # anything that walks a deeply nested value (a repr, a comparison)
        return [], [Problem(path, TOO_DEEP)]


# Below this many bytes of TOML (about 10,000 cards), parsing in one process is quicker than starting
# worker processes (each imports recall afresh) and sending them the files and the cards back.
PARALLEL_PARSE_BYTES = 8 << 20


def parse_decks(files: Sequence[tuple[Path, bytes | None]],
                parallel_bytes: int = PARALLEL_PARSE_BYTES) -> list[tuple[list[Card], list[Problem]]]:
    """`parse_deck` of each (path, bytes or None), in order. A batch of `parallel_bytes` or more (a first
    sync) is spread over the CPUs: checking the cards is Python work that one process does on one core."""
    workers = min(len(files), os.cpu_count() or 1)
    if workers < 2 or sum(len(data or b"") for _path, data in files) < parallel_bytes or not _workers_can_start():
        return [parse_deck(path, data) for path, data in files]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: the study app syncs on a thread of its own, and forking a threaded process can
    # leave a lock held forever in the child.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(parse_deck, *zip(*files), chunksize=max(1, len(files) // (4 * workers))))


def _workers_can_start() -> bool:
    """Whether worker processes can be spawned here. multiprocessing's resource tracker hands its process
    the descriptor of `sys.stderr`; while the study app runs, Textual's stand-in for it has none (fileno()
    is -1) and spawning raised ValueError, so a first start of the app with 8 MB of decks crashed."""
    try:
        return sys.stderr is not None and sys.stderr.fileno() >= 0
    except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is both of the last two
        return False


TOO_DEEP = "values nested too deeply to read (arrays or tables inside one another hundreds of levels deep)"


def _deck_cards(document: dict, path: Path) -> tuple[list[Card], list[Problem]]:
    """The valid cards of a parsed deck file, and its problems."""
    problems: list[Problem] = []
    deck = document.get("deck", path.stem)
    if not isinstance(deck, str) or not deck.strip():
        problems.append(Problem(path, f"`deck` must be a non-empty string (using {path.stem!r})"))
        deck = path.stem
    for unknown in sorted(set(document) - KNOWN_DECK_FIELDS):
        problems.append(Problem(path, f"unknown top-level field `{unknown}` (ignored)", "warning"))
    raw_cards = document.get("card", [])
    if not isinstance(raw_cards, list):
        return [], problems + [Problem(path, "`card` must be an array of tables: write [[card]]")]
    if not raw_cards:
        return [], problems + [Problem(path, "deck has no cards: add [[card]] entries")]
    cards: list[Card] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_cards):
        card, card_problems = _parse_card(raw, index, deck.strip(), path)
        problems.extend(card_problems)
        if card is None:
            continue
        if card.id in seen:
            problems.append(Problem(path, f"duplicate id {card.id!r} (also card {seen[card.id] + 1})",
                                    card_index=index, card_id=card.id))
            continue
        seen[card.id] = index
        cards.append(card)
    return cards, problems


def load_decks(paths: list[Path], known: Mapping[str, Path | str] | None = None) -> DeckSet:
    """Every deck under `paths`. A card with an error is left out; a file that cannot be parsed is
    skipped whole. An id defined in more than one file loads from one of them (see `claim_ids`: the
    file `known` says holds it, else the first) and is reported and left out of the others."""
    files, problems = deck_files(paths)
    result = DeckSet(files=files, problems=problems)
    parsed = [(path, *parse_deck(path)) for path in files]
    claims = claim_ids([(path, cards) for path, cards, _problems in parsed], known)
    for (_path, _cards, file_problems), kept, clashes in zip(parsed, claims.kept, claims.clashes):
        result.problems.extend(file_problems + clashes)
        result.cards.extend(kept)
    return result


class Claims(NamedTuple):
    """What `claim_ids` decided: the file each id loads from, and for each file (in the order given)
    the cards it keeps and the problems naming the cards it loses."""

    owner: dict[str, Path]
    kept: list[list]  # each file's entries (Card or id) that load, in their order
    clashes: list[list[Problem]]


def claim_ids(files: Sequence[tuple[Path, Sequence[Card | str]]],
              known: Mapping[str, Path | str] | None = None) -> Claims:
    """The rule for ids across files. An id defined in more than one file stays with the file that
    already holds it (`known`: card id -> the source file of each card the store holds), as long as
    that file still defines it; otherwise it goes to the first of them, in the order given. Each other
    file's card with that id is reported, naming the file that keeps it, and left out; every other card
    of every file loads, so a newcomer reusing an id can neither take over that card's history nor
    knock out the other cards of the file that has it.

    A file's entries are Cards (named in problems by their index in the file) or bare ids (a file the
    caller did not parse again, named by their place in the list); the ids within one file are distinct
    (`parse_deck` sees to that)."""
    paths = [Path(path) for path, _entries in files]
    ids = [[_card_id(entry) for entry in entries] for _path, entries in files]
    holders: dict[str, list[int]] = {}
    for number, file_ids in enumerate(ids):
        for card_id in file_ids:
            holders.setdefault(card_id, []).append(number)
    keeper: dict[str, int] = {}
    for card_id, numbers in holders.items():
        keeper[card_id] = numbers[0]
        holder = known.get(card_id) if known and len(numbers) > 1 else None
        if holder is not None:
            keeper[card_id] = next((n for n in numbers if paths[n] == Path(holder)), numbers[0])
    kept: list[list] = []
    clashes: list[list[Problem]] = []
    for number, (path, entries) in enumerate(files):
        kept.append([])
        clashes.append([])
        for place, (entry, card_id) in enumerate(zip(entries, ids[number])):
            if keeper[card_id] == number:
                kept[-1].append(entry)
                continue
            index = entry.index if isinstance(entry, Card) and entry.index is not None else place
            clashes[-1].append(Problem(path, f"duplicate id {card_id!r}: already defined in "
                                             f"{paths[keeper[card_id]]}", card_index=index, card_id=card_id))
    return Claims({card_id: paths[number] for card_id, number in keeper.items()}, kept, clashes)


def _card_id(entry: Card | str) -> str:
    return entry.id if isinstance(entry, Card) else entry
