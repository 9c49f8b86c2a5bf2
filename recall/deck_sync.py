"""Keeping the cards table in step with the deck files, reading only the files that changed.

Each loaded deck file is remembered in `deck_files` (size, mtime, content hash, how many cards, which
parser): at the next start a file with the same size and mtime is neither read nor written, one whose
mtime changed but whose content did not is only hashed, and only a changed file is parsed. `CardSync`
works on the store's connection and inside the store's write transaction; the store calls it from
`Store.sync_decks` and `Store.sync_cards`.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from itertools import groupby
from pathlib import Path
from typing import NamedTuple

from nn import CARD_OPTIONS
from recall import __version__
from recall.database_file import StoreError
from recall.deck import Card, Problem, claim_ids, deck_files, digest, parse_deck, parse_decks, unusable_path
from recall.json_text import json_text

# Each deck file owns a block of positions, so editing, adding or removing one file never moves the
# cards of another (a file holds far fewer than 2**32 cards; SQLite integers have 64 bits).
POSITION_STRIDE = 1 << 32
# A file modified this close to when its fingerprint was taken could change again within the same
# timestamp tick (coarse clocks, FAT's 2 s) without its size or mtime showing it: its content is
# hashed again at the next start instead of being trusted ("racy git").
RACY_MTIME_NS = 2_000_000_000
# A deck's cards depend on the file and on the parser (its release, the demos a card may name); a
# remembered file parsed by another parser is parsed again.
DECK_PARSER = f"recall {__version__}; demos {sorted(CARD_OPTIONS.items())}; user demos"
UNTRUSTED_HASH = ""  # the content hash remembered for a file with an error: no content hashes to it


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    retired: int
    unchanged: int


@dataclass(frozen=True)
class DeckSync:
    """What syncing the deck files did: the card changes, the problems in the files it had to read
    (a file with an error is parsed again at every sync, so its errors are always here), and how many
    files it parsed."""

    report: SyncReport
    problems: list[Problem]
    parsed_files: int


class _KnownCard(NamedTuple):
    """What a sync compares a card with."""

    source: str | None
    content_hash: str
    retired: int
    position: int


class _DeckFile(NamedTuple):
    """A row of `deck_files`: a deck file as it was when its cards were last synced."""

    path: str
    size: int
    mtime_ns: int | None  # None: modified too recently to trust (see RACY_MTIME_NS)
    content_hash: str
    cards: int
    parser: str
    ordinal: int

    def as_remembered(self, problems: list[Problem]) -> _DeckFile:
        """This entry, or, for a file that loaded with a card left out (an error, or an id another file
        holds), one whose fingerprint and hash match no file: it is parsed again at every sync, so its
        error is reported, and the card comes back, once it is fixed."""
        if any(problem.severity == "error" for problem in problems):
            return self._replace(mtime_ns=None, content_hash=UNTRUSTED_HASH)
        return self


@dataclass(frozen=True)
class _Scan:
    """One deck file at this sync: its fingerprint, and its cards if its content had to be parsed."""

    path: Path
    size: int
    mtime_ns: int | None
    content_hash: str | None
    parsed: list[Card] | None  # None: the content is the remembered one
    problems: list[Problem]
    fingerprint_matched: bool = False
    unparsed: bytes | None = None  # content that changed, read and hashed, waiting for `_parse_changed`


def known_holders(known: dict[str, _KnownCard]) -> dict[str, str]:
    """Card id -> the source file of each active card: the file that keeps an id another file defines
    too (`claim_ids`). A retired card's file no longer defines it, so it holds nothing."""
    return {card_id: card.source for card_id, card in known.items() if card.source and not card.retired}


def _position(ordinal: int, index: int) -> int:
    """The position of the `index`-th card of the `ordinal`-th deck file loaded."""
    return ordinal * POSITION_STRIDE + index


def _positioned(cards: Iterable[Card]) -> Iterator[tuple[int, Card]]:
    """(position, card) in the order given, each run of cards from one file a block of its own."""
    for ordinal, (_source, file_cards) in enumerate(groupby(cards, key=lambda card: card.source)):
        for index, card in enumerate(file_cards):
            yield _position(ordinal, index), card


_REMEMBERED = "SELECT path, size, mtime_ns, content_hash, cards, parser, ordinal FROM deck_files ORDER BY ordinal"


def _same_files(scans: list[_Scan], remembered: dict[str, _DeckFile]) -> bool:
    """Whether the deck files found are the remembered ones, in the remembered order."""
    return len(scans) == len(remembered) and all(
        str(scan.path) in remembered and remembered[str(scan.path)].ordinal == ordinal
        for ordinal, scan in enumerate(scans))


def _card_values(card: Card, position: int) -> tuple:
    """The cards table's columns from deck to misconceptions, for a card at `position`."""
    return (card.deck, card.prompt, card.answer, json_text(card.key_points), json_text(card.tags),
            card.demo, str(card.source) if card.source else None, position, card.content_hash, card.core,
            json_text(card.misconceptions))


def _parse_changed(scans: list[_Scan]) -> list[_Scan]:
    """The scans with every changed file's content parsed, all in one batch (see `parse_decks`)."""
    changed = [index for index, scan in enumerate(scans) if scan.unparsed is not None]
    parsed = parse_decks([(scans[index].path, scans[index].unparsed) for index in changed])
    scans = list(scans)
    for index, (cards, problems) in zip(changed, parsed):
        scans[index] = replace(scans[index], parsed=cards, problems=problems, unparsed=None)
    return scans


class CardSync:
    """Card sync on a store's connection: `transaction()` is the store's write transaction; `parser`
    names the deck parser, so files remembered from another one are parsed again."""

    def __init__(self, conn: sqlite3.Connection, transaction: Callable[[], AbstractContextManager[None]],
                 parser: str | None = None) -> None:
        self.conn = conn
        self.transaction = transaction
        self.parser = parser or DECK_PARSER

    def sync_cards(self, cards: Iterable[Card], stamp: str) -> SyncReport:
        """Make the cards table match `cards` (every deck, in order): insert new cards, rewrite only
        edited or moved ones, retire cards that are gone. History and scheduling state are never touched.
        Changing anything forgets the deck-file cache, since these cards need not come from those files."""
        cards = list(cards)
        with self.transaction():
            known = self._known_cards()
            added, updated = self._write_cards(_positioned(cards), known, stamp)
            seen = {card.id for card in cards}
            retired = self._retire(card_id for card_id in known if card_id not in seen)
            if added or updated or retired:
                self.conn.execute("DELETE FROM deck_files")
        return SyncReport(added, updated, retired, len(seen) - added - updated)

    def sync_decks(self, paths: Iterable[Path], stamp: str) -> DeckSync:
        """Make the cards match the deck files under `paths`, as `sync_cards(load_decks(paths, known=
        <each active card's source>).cards)` would, but parse only files whose size or mtime changed and
        whose content hash changed too, and write nothing when no file changed. The ids of unchanged
        files come from the cards they left.

        A named path that yields no deck file (it does not exist, cannot be read, or is a directory with
        no *.toml file in it: a typo, an unmounted drive) is refused before anything is read or written:
        syncing without it would retire every card it holds."""
        files, problems = deck_files(paths)
        refusal = unusable_path(problems)
        if refusal is not None:
            raise StoreError(str(refusal))
        remembered = {row[0]: _DeckFile(*row) for row in self.conn.execute(_REMEMBERED)}
        scans = [self._scan(path, remembered.get(str(path))) for path in files]
        if (len(remembered) == len(scans) and all(scan.fingerprint_matched for scan in scans)
                and [remembered[str(scan.path)].ordinal for scan in scans] == list(range(len(scans)))):
            unchanged = sum(entry.cards for entry in remembered.values())
            return DeckSync(SyncReport(0, 0, 0, unchanged), problems, 0)
        scans = _parse_changed(scans)
        with self.transaction():
            in_place = self._apply_in_place(scans, remembered, stamp) if _same_files(scans, remembered) else None
            report, file_problems = in_place or self._apply_scans(scans, stamp)
        parsed = sum(scan.parsed is not None for scan in scans)
        return DeckSync(report, problems + file_problems, parsed)

    def _scan(self, path: Path, remembered: _DeckFile | None) -> _Scan:
        """Stat the file; read and hash it only if its fingerprint changed; parse it only if its
        content changed (a `touch` or a checkout that rewrote it identically costs a hash, no parse)."""
        try:
            status = path.stat()
        except OSError:
            return _Scan(path, 0, None, None, *parse_deck(path))
        usable = remembered is not None and remembered.parser == self.parser
        if usable and remembered.mtime_ns is not None and (remembered.size, remembered.mtime_ns) == (
                status.st_size, status.st_mtime_ns):
            return _Scan(path, status.st_size, status.st_mtime_ns, remembered.content_hash, None, [], True)
        trusted_mtime = status.st_mtime_ns if time.time_ns() - status.st_mtime_ns > RACY_MTIME_NS else None
        try:
            data = path.read_bytes()
        except OSError:
            return _Scan(path, status.st_size, None, None, *parse_deck(path))
        content_hash = digest(data)
        if usable and remembered.content_hash == content_hash:
            return _Scan(path, status.st_size, trusted_mtime, content_hash, None, [])
        return _Scan(path, status.st_size, trusted_mtime, content_hash, None, [], unparsed=data)

    def _apply_in_place(self, scans: list[_Scan], remembered: dict[str, _DeckFile],
                        stamp: str) -> tuple[SyncReport, list[Problem]] | None:
        """What `_apply_scans` does, in time proportional to the changed files rather than to the
        collection, when the deck files are the remembered ones in the remembered order and each changed
        file still loads a card (so no file's block of positions moves); None, writing nothing, otherwise.

        It reads only the cards of the changed files' position blocks and those with the ids they define.
        Every other file is trusted (an entry with an error is never trusted), so its cards are exactly
        the active cards of its block: an id it holds shows up among the cards read by id."""
        if [row for row in self.conn.execute(_REMEMBERED)] != list(remembered.values()):
            return None  # another recall synced in between
        changed = [scan for scan in scans if scan.parsed is not None]
        ids = [card.id for scan in changed for card in scan.parsed]
        known = {row[0]: _KnownCard(*row[1:]) for row in self.conn.execute(
            "SELECT id, source, content_hash, retired, position FROM cards "
            "WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(ids)])}
        for scan in changed:
            start = _position(remembered[str(scan.path)].ordinal, 0)
            known.update((row[0], _KnownCard(*row[1:])) for row in self.conn.execute(
                "SELECT id, source, content_hash, retired, position FROM cards "
                "WHERE retired = 0 AND position >= ? AND position < ?", [start, start + POSITION_STRIDE]))
        holders = known_holders(known)
        held_elsewhere: dict[str, list[str]] = {}
        for card_id in ids:
            if holders.get(card_id) is not None:
                held_elsewhere.setdefault(holders[card_id], []).append(card_id)
        claims = claim_ids([(scan.path, scan.parsed if scan.parsed is not None
                             else held_elsewhere.get(str(scan.path), [])) for scan in scans], holders)
        problems: list[Problem] = []
        placed: list[tuple[int, Card]] = []
        entries: list[_DeckFile] = []
        for scan, kept, clashes in zip(scans, claims.kept, claims.clashes):
            entry = remembered[str(scan.path)]
            if scan.parsed is not None:
                if not kept:
                    return None  # the files after this one move up a block
                problems.extend(scan.problems + clashes)
                placed.extend((_position(entry.ordinal, index), card) for index, card in enumerate(kept))
                entry = entry._replace(cards=len(kept))
            if not scan.fingerprint_matched:
                entries.append(entry._replace(size=scan.size, mtime_ns=scan.mtime_ns, content_hash=scan.content_hash,
                                              parser=self.parser).as_remembered(scan.problems + clashes))
        added, updated = self._write_cards(placed, known, stamp)
        changed_paths = {str(scan.path) for scan in changed}
        retired = self._retire(card_id for card_id, card in known.items()
                               if card.source in changed_paths and card_id not in claims.owner)
        self.conn.executemany("UPDATE deck_files SET size = ?, mtime_ns = ?, content_hash = ?, cards = ?, parser = ? "
                              "WHERE path = ?", [(*entry[1:6], entry.path) for entry in entries])
        loaded = sum(entry.cards for entry in remembered.values() if entry.path not in changed_paths) + len(placed)
        return SyncReport(added, updated, retired, loaded - added - updated), problems

    def _apply_scans(self, scans: list[_Scan], stamp: str) -> tuple[SyncReport, list[Problem]]:
        """Inside the sync's transaction: apply the cross-file id rule (`claim_ids`: an id defined in
        two files stays with the file the store holds it from; only the other file's card is left out),
        write the parsed files' cards, move unchanged files' cards to their files' new places, retire
        what is gone, and remember every file that loaded (one with a card left out, untrusted).
        Returns the report and each file's problems, in file order."""
        known = self._known_cards()
        remembered_ids: dict[str, list[str]] = {}
        for card_id, card in sorted(known.items(), key=lambda item: item[1].position):
            if not card.retired and card.source:
                remembered_ids.setdefault(card.source, []).append(card_id)
        claims = claim_ids([(scan.path, scan.parsed if scan.parsed is not None
                             else remembered_ids.get(str(scan.path), [])) for scan in scans],
                           known_holders(known))
        problems: list[Problem] = []
        placed: list[tuple[int, Card]] = []
        moved: list[tuple[int, str]] = []
        loaded: list[_DeckFile] = []
        for scan, kept, clashes in zip(scans, claims.kept, claims.clashes):
            problems.extend(scan.problems + clashes)
            if not kept:
                continue
            ordinal = len(loaded)
            if scan.parsed is not None:
                placed.extend((_position(ordinal, index), card) for index, card in enumerate(kept))
            else:
                moved.extend((_position(ordinal, index), card_id) for index, card_id in enumerate(kept)
                             if known[card_id].position != _position(ordinal, index))
            loaded.append(_DeckFile(str(scan.path), scan.size, scan.mtime_ns, scan.content_hash,
                                    len(kept), self.parser, ordinal).as_remembered(scan.problems + clashes))
        added, updated = self._write_cards(placed, known, stamp)
        self.conn.executemany("UPDATE cards SET position = ? WHERE id = ?", moved)
        seen = set(claims.owner)
        retired = self._retire(card_id for card_id in known if card_id not in seen)
        self.conn.execute("DELETE FROM deck_files")
        self.conn.executemany("INSERT INTO deck_files (path, size, mtime_ns, content_hash, cards, parser, "
                              "ordinal) VALUES (?, ?, ?, ?, ?, ?, ?)", loaded)
        rewritten = updated + len(moved)
        return SyncReport(added, rewritten, retired, len(seen) - added - rewritten), problems

    def _known_cards(self) -> dict[str, _KnownCard]:
        return {row[0]: _KnownCard(*row[1:]) for row in self.conn.execute(
            "SELECT id, source, content_hash, retired, position FROM cards")}

    def _write_cards(self, placed: Iterable[tuple[int, Card]], known: dict[str, _KnownCard],
                     stamp: str) -> tuple[int, int]:
        """Insert new cards and rewrite those whose content or position changed (un-retiring them);
        returns (added, updated)."""
        inserts, updates = [], []
        for position, card in placed:
            previous = known.get(card.id)
            if previous is None:
                inserts.append((card.id, *_card_values(card, position), stamp))
            elif (previous.content_hash, previous.retired, previous.position) != (card.content_hash, 0, position):
                updates.append((*_card_values(card, position), card.id))
        self.conn.executemany(
            "INSERT INTO cards (id, deck, prompt, answer, key_points, tags, demo, source, position, "
            "content_hash, core, misconceptions, added_at, retired) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", inserts)
        self.conn.executemany(
            "UPDATE cards SET deck = ?, prompt = ?, answer = ?, key_points = ?, tags = ?, demo = ?, "
            "source = ?, position = ?, content_hash = ?, core = ?, misconceptions = ?, retired = 0 "
            "WHERE id = ?", updates)
        return len(inserts), len(updates)

    def _retire(self, card_ids: Iterable[str]) -> int:
        """Retire the active ones among `card_ids`; returns how many."""
        cursor = self.conn.executemany("UPDATE cards SET retired = 1 WHERE id = ? AND retired = 0",
                                       ((card_id,) for card_id in card_ids))
        return cursor.rowcount
