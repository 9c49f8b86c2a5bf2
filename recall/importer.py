"""Anki's "Notes in Plain Text" export -> a new TOML deck, with a report of every note left out and why.

Reads the file the way Anki's own importer does: `#key:value` header lines at the top (`#separator:`,
`#html:`, `#tags:`, `#columns:`, `#deck:`, `#notetype:`, `#match scope:`, `#if matches:`, and
`#guid|notetype|deck|tags column:N`, 1-based), then one note per CSV record (quoted fields may hold the
separator, quotes and line breaks). Only those keys make a header line: a note whose front starts with `#`
(`#include <stdio.h>`, `#1 rule`) is a note, where Anki would take it for a comment and drop it unseen.
Without a `#separator:` header the separator is a tab if the notes' first 8 KiB hold one, else a comma.

Decisions, since recall cards are not Anki notes:
- prompt = the first field (Front), answer = the second (Back); further fields are not imported;
- key points: Anki has none. A back is usually a list of facts or a sentence or two, so each list item of
  the back is one key point when it has a list, else each sentence is; the first 8 (recall allows 1 to 8),
  while the answer keeps the whole back;
- ids are stable, `<deck slug>.<12 hex digits>` hashed from the note's guid when the file has a guid
  column, else from its front, so importing the same file again gives the same ids;
- HTML fields become plain text with light Markdown: <br>, <p>, <div> are line breaks, <li> a "- " item,
  <b>/<i>/<code> **, * and `, entities unescaped, other tags (images, audio) dropped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from recall.deck import MAX_KEY_POINTS
from recall.deck_writer import slug
from recall.errors import RecallError

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
# The keys of Anki's header lines, besides `#<name> column:N`; a `#` line with any other key is a note.
ANKI_HEADER_KEYS = frozenset({"separator", "html", "tags", "columns", "deck", "notetype", "match scope",
                              "if matches"})
COLUMN_HEADER_KEY = re.compile(r"[a-z]+ column")
SEPARATOR_SNIFF_CHARS = 8192
# Anki's test for HTML in a field when the file does not say (a tag, a comment or an entity).
LOOKS_LIKE_HTML = re.compile(r"<[a-zA-Z/!][^>]*>|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")
CLOZE = re.compile(r"\{\{c\d+::")
LIST_MARKER = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")
ID_HASH_BYTES = 6


class AnkiImportError(RecallError):
    """The file cannot be imported at all; the message is one sentence."""


@dataclass
class ImportResult:
    """The new deck as TOML text (empty when no note could be imported), how many cards it holds, and
    each note or header line left out as (line number, reason)."""

    toml_text: str
    cards: int
    skipped: list[tuple[int, str]] = field(default_factory=list)
    deck: str = ""

    @property
    def file_name(self) -> str:
        """A file name for the new deck, from its name."""
        return f"{_deck_slug(self.deck)}.toml"


@dataclass
class _Layout:
    """What the header lines say about the columns (1-based column numbers, 0 for none)."""

    separator: str | None = None
    html: bool | None = None
    global_tags: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    deck: str | None = None
    notetype: str | None = None
    guid_column: int = 0
    notetype_column: int = 0
    deck_column: int = 0
    tags_column: int = 0

    def meta_columns(self) -> set[int]:
        return {self.guid_column, self.notetype_column, self.deck_column, self.tags_column} - {0}


class _HtmlToText(HTMLParser):
    """Anki's editor wraps each line in a <div>; a block starts a new line only where one is not begun
    already, and a paragraph ends with a blank line."""

    BLOCKS = frozenset({"div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"})
    MARKS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def _new_line(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self._new_line()
            self.parts.append("- ")
        elif tag in self.BLOCKS or tag == "p":
            self._new_line()
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self._new_line()
        elif tag == "p":
            self._new_line()
            self.parts.append("\n")
        elif tag in self.MARKS:
            self.parts.append(self.MARKS[tag])
        elif tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    """A field's HTML as plain text with light Markdown, trailing spaces and extra blank lines removed."""
    parser = _HtmlToText()
    parser.feed(markup)
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.parts).replace("\xa0", " ").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _field_text(raw: str, html: bool | None) -> str:
    """Convert when the file says it holds HTML, or, when it does not say, when the field looks like it."""
    if html or (html is None and LOOKS_LIKE_HTML.search(raw)):
        return html_to_text(raw)
    return raw.strip()


def _deck_slug(name: str) -> str:
    return slug(name, "anki", limit=32)


def _card_id(deck_slug: str, key: str) -> str:
    return f"{deck_slug}.{hashlib.blake2b(key.encode(), digest_size=ID_HASH_BYTES).hexdigest()}"


def key_points_from_answer(answer: str) -> list[str]:
    """The back's list items when it has a list, else its sentences: the first MAX_KEY_POINTS."""
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    items = [LIST_MARKER.sub("", line) for line in lines if LIST_MARKER.match(line)]
    points = items or SENTENCE_END.split(" ".join(lines))
    return [point.strip() for point in points if point.strip()][:MAX_KEY_POINTS]


def _read_header(lines: list[str], skipped: list[tuple[int, str]]) -> tuple[_Layout, int]:
    """Parse the leading header lines; returns the layout and how many lines they take."""
    layout = _Layout()
    count = 0
    if lines and lines[0].startswith("tags:"):  # Anki's older style, first line only
        layout.global_tags = lines[0][len("tags:"):].split()
        count = 1
    for line in lines[count:]:
        key, value = _header_key_value(line)
        if key is None:
            break
        count += 1
        if not _apply_header(layout, key, value):
            skipped.append((count, f"header '#{key}' is not used by recall (ignored)"))
    return layout, count


def _header_key_value(line: str) -> tuple[str | None, str]:
    """(key, value) of one of Anki's `#key:value` header lines; (None, "") for any other line."""
    if not line.startswith("#"):
        return None, ""
    key, colon, value = line[1:].rstrip("\r\n").partition(":")
    key = key.strip().lower()
    if colon and (key in ANKI_HEADER_KEYS or COLUMN_HEADER_KEY.fullmatch(key)):
        return key, value
    return None, ""


def _apply_header(layout: _Layout, key: str, value: str) -> bool:
    """Record one `#key:value` header; False for a key recall does not use."""
    column_keys = {"guid column": "guid_column", "notetype column": "notetype_column",
                   "deck column": "deck_column", "tags column": "tags_column"}
    if key == "separator":
        layout.separator = SEPARATORS.get(value.strip().lower(), value if len(value) == 1 else None)
    elif key == "html":
        layout.html = {"true": True, "false": False}.get(value.strip().lower())
    elif key == "tags":
        layout.global_tags = value.split()
    elif key == "columns":
        labels = next(csv.reader([value], delimiter=layout.separator or "\t"))
        layout.labels = [label.strip().lower() for label in labels]
    elif key == "deck":
        layout.deck = value.strip()
    elif key == "notetype":
        layout.notetype = value.strip()
    elif key in column_keys and value.strip().isdigit():
        setattr(layout, column_keys[key], int(value))
    else:
        return False
    return True


def _guessed_separator(body: list[str]) -> str:
    """Anki's guess when no header names the separator: a tab if the notes' first 8 KiB hold one (a `#`
    note or a one-field line may come first), else a comma."""
    sample = ""
    for line in body:
        sample += line
        if "\t" in sample[:SEPARATOR_SNIFF_CHARS]:
            return "\t"
        if len(sample) >= SEPARATOR_SNIFF_CHARS:
            break
    return ","


def _field_columns(layout: _Layout, width: int) -> tuple[int, int, int]:
    """(front, back, tags) column numbers. Named columns win; otherwise the note's fields are the
    columns that are not guid/notetype/deck/tags, in order, and, as Anki assumes for Basic notes, the
    column after front and back holds the tags when no header names one."""
    fields = [number for number in range(1, width + 1) if number not in layout.meta_columns()]
    named = {label: number for number, label in enumerate(layout.labels, 1)}
    front = named.get("front", fields[0] if fields else 0)
    back = named.get("back", fields[1] if len(fields) > 1 else 0)
    tags = layout.tags_column or named.get("tags", 0)
    if not tags and not layout.notetype_column and len(fields) > 2:
        tags = fields[2]
    return front, back, tags


def _read_regular_file(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file: reading a FIFO waits for a writer forever and
    a device may never end. Opened without blocking and checked on the open descriptor, so what is checked
    is what is read."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise AnkiImportError(f"{path} is a directory; give the exported .txt file")
        if not stat.S_ISREG(mode):
            raise AnkiImportError(f"{path} is not a regular file (a pipe or a device); give the exported .txt file")
        with open(descriptor, "rb", closefd=False) as file:
            return file.read()
    finally:
        os.close(descriptor)


def _read_text(path: Path) -> str:
    try:
        return _read_regular_file(path).decode("utf-8-sig")
    except FileNotFoundError:
        raise AnkiImportError(f"{path} does not exist") from None
    except OSError as exc:
        raise AnkiImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise AnkiImportError(f"{path} is not UTF-8 text (bad byte at offset {exc.start}); export it from "
                              "Anki again as Notes in Plain Text") from None


def import_anki_notes(path: Path, deck_name: str | None = None) -> ImportResult:
    """Read an Anki plain-text notes export and build a recall deck from it. The deck is named
    `deck_name`, else the file's `#deck:` header, else the one deck of its deck column, else the file's
    stem."""
    text = _read_text(path)
    lines = io.StringIO(text, newline="").readlines()
    skipped: list[tuple[int, str]] = []
    layout, header_lines = _read_header(lines, skipped)
    body = lines[header_lines:]
    with _csv_field_size_limit(len(text)):
        notes = _read_notes(body, layout.separator or _guessed_separator(body), header_lines)

    anki_decks = {record[layout.deck_column - 1].strip() for _, record in notes
                  if 0 < layout.deck_column <= len(record)}
    deck = deck_name or layout.deck or (anki_decks.pop() if len(anki_decks) == 1 else path.stem)
    deck_slug = _deck_slug(deck)
    built = ((line, _note_to_card(record, layout, deck_slug)) for line, record in notes)
    return _deck_result(path, "Anki notes in plain text", deck, built, skipped)


def _deck_result(path: Path, kind: str, deck: str, built: Iterable[tuple[int, tuple[dict | None, str]]],
                 skipped: list[tuple[int, str]]) -> ImportResult:
    """The deck made of each (number, (card or None, reason)) of `built`: a card whose id came before is
    left out as a duplicate, as is every note without a card, with its reason."""
    import tomli_w

    cards: list[dict] = []
    first_seen: dict[str, int] = {}
    for line, (card, reason) in built:
        if card is not None and card["id"] in first_seen:
            card, reason = None, f"duplicate of the note on line {first_seen[card['id']]}"
        if card is None:
            skipped.append((line, reason))
            continue
        first_seen[card["id"]] = line
        cards.append(card)
    skipped.sort()
    if not cards:
        return ImportResult("", 0, skipped, deck)
    header = f"# Imported from {path.name} ({kind}) by `recall import`.\n"
    return ImportResult(header + tomli_w.dumps({"deck": deck, "card": cards}, multiline_strings=True),
                        len(cards), skipped, deck)


def _read_notes(body: list[str], separator: str, header_lines: int) -> list[tuple[int, list[str]]]:
    """Each non-blank CSV record of the body with the line it starts on."""
    notes: list[tuple[int, list[str]]] = []
    reader = csv.reader(body, delimiter=separator)
    first_line = header_lines + 1
    for record in reader:
        if any(cell.strip() for cell in record):
            notes.append((first_line, record))
        first_line = header_lines + reader.line_num + 1
    return notes


@contextmanager
def _csv_field_size_limit(at_least: int) -> Iterator[None]:
    """Lift csv's field size limit (128 KiB: a long Anki field, an embedded image, fails with "field larger
    than field limit") to the file's length, which no field can exceed. The limit is global to the
    process, so it is put back afterwards."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, at_least))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _note_to_card(record: list[str], layout: _Layout, deck_slug: str) -> tuple[dict | None, str]:
    """A card's TOML table for one note, or None and the reason it is left out."""
    front_column, back_column, tags_column = _field_columns(layout, len(record))

    def cell(number: int) -> str:
        return record[number - 1] if 0 < number <= len(record) else ""

    notetype = cell(layout.notetype_column) or layout.notetype or ""
    if not back_column and not ("cloze" in notetype.lower() or CLOZE.search(cell(front_column))):
        return None, "only one field: a card needs a front and a back"
    tags = [*layout.global_tags, *(tag for tag in cell(tags_column).split() if tag not in layout.global_tags)]
    return _card(_field_text(cell(front_column), layout.html), _field_text(cell(back_column), layout.html), tags,
                 cell(layout.guid_column).strip(), notetype, deck_slug)


def _card(front: str, back: str, tags: list[str], guid: str, notetype: str, deck_slug: str) -> tuple[dict | None, str]:
    """A card's TOML table from a note's front and back as text, or None and the reason it is left out."""
    if "cloze" in notetype.lower() or CLOZE.search(front):
        return None, "cloze note: recall cards need a prompt and a separate answer"
    if not front:
        return None, "empty front field (images and sounds are not imported)"
    if not back:
        return None, "empty back field: there is nothing to check an explanation against"
    card = {"id": _card_id(deck_slug, guid or front), "prompt": front, "answer": back,
            "key_points": key_points_from_answer(back)}
    if tags:
        card["tags"] = tags
    return card, ""


# -- Anki's own packages ----------------------------------------------------------------------------

PACKAGE_SUFFIXES = (".apkg", ".colpkg")


def import_anki_package(path: Path, deck_name: str | None = None) -> ImportResult:
    """Read the notes of an Anki package (.apkg: decks shared or exported; .colpkg: a whole collection)
    through the `anki` package, into a temporary collection, and build a recall deck with the same rules
    as a plain-text export. Each note's front and back are its first two fields. The deck is named
    `deck_name`, else the package's one deck holding notes, else the file's stem. Numbers in `skipped`
    count the notes in the order Anki created them."""
    import tempfile

    try:
        from anki.collection import Collection
    except ImportError:
        raise AnkiImportError(f"reading {path.name} needs the anki package: pip install \"recall[anki]\" (or "
                              "export the notes from Anki as Notes in Plain Text)") from None
    if not path.is_file():
        raise AnkiImportError(f"{path} is not a file; give an Anki package (.apkg or .colpkg)")
    with tempfile.TemporaryDirectory(prefix="recall-anki-") as folder:
        collection = _open_package(Collection, path, Path(folder))
        try:
            notes = [collection.get_note(note_id) for note_id in sorted(collection.find_notes(""))]
            note_decks = [{collection.decks.name(card.did) for card in note.cards()} for note in notes]
            anki_decks = set().union(*note_decks) if note_decks else set()
            deck = deck_name or (anki_decks.pop() if len(anki_decks) == 1 else path.stem)
            deck_slug = _deck_slug(deck)
            built = [(number, _package_note_card(note, deck_slug)) for number, note in enumerate(notes, 1)]
        finally:
            collection.close()
    return _deck_result(path, "Anki package", deck, built, [])


def _open_package(collection_class: type, path: Path, folder: Path):  # noqa: ANN202 - anki's Collection
    """A collection in `folder` holding the package's notes."""
    from anki.errors import AnkiException
    from anki.import_export_pb2 import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    target = folder / "collection.anki2"
    try:
        if path.suffix.lower() == ".colpkg":
            from anki._backend import RustBackend  # Anki's own way to unpack a whole collection

            RustBackend().import_collection_package(col_path=str(target), backup_path=str(path),
                                                    media_folder=str(folder / "media"),
                                                    media_db=str(folder / "media.db"))
            return collection_class(str(target))
        collection = collection_class(str(target))
        try:
            collection.import_anki_package(ImportAnkiPackageRequest(package_path=str(path),
                                                                    options=ImportAnkiPackageOptions()))
        except BaseException:
            collection.close()
            raise
        return collection
    except AnkiException as exc:
        raise AnkiImportError(f"{path} is not an Anki package Anki can read ({exc})") from None


def _package_note_card(note, deck_slug: str) -> tuple[dict | None, str]:  # noqa: ANN001 - anki's Note
    fields = list(note.fields)
    notetype = note.note_type()["name"] if note.note_type() else ""
    if len(fields) < 2 and "cloze" not in notetype.lower():
        return None, "only one field: a card needs a front and a back"
    back = fields[1] if len(fields) > 1 else ""
    return _card(html_to_text(fields[0]), html_to_text(back), list(note.tags), note.guid, notetype, deck_slug)
