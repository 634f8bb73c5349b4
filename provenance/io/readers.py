"""Read import sources into batches of checked, located mentions.

A source is a file path, or ``-`` for stdin. Its format comes from ``fmt`` when given
(for every source: the caller's word wins over an extension), else from the extension
(``.csv``, ``.yaml``/``.yml``, ``.json``). A document (YAML or JSON) becomes one
``Batch``; a CSV file is read a row at a time by ``flat`` (in chunks of ``CHUNK`` rows),
which checks each row's cells as ``_row`` does and asks ``_row`` to report a bad one.
Every field is checked (by ``fields``, with ``services.validate``); a bad
field is a ``Problem`` and its record is left out of the batch (its key goes to
``Batch.failed`` so that records referring to it are not reported a second time).

Decisions (the lead's, or ours where PRODUCT.md is silent):

- Locations: CSV ``line N``, the physical line where the row starts (the header is
  line 1); documents a path such as ``claims[3].assertions[0]``; ``file`` for a source
  that cannot be read at all.
- Unknown keys in documents and unknown CSV columns are problems, and so are duplicate
  keys in a YAML/JSON mapping: a typo must not vanish silently. A CSV row with more
  cells than the header is a problem; fewer cells mean the missing ones are empty.
- CSV accepts the extra columns ``low_open`` and ``high_open`` (the exporter writes
  them only when a figure needs them to round-trip exactly). UTF-8 with or without a
  BOM, RFC 4180 quoting (strict: a stray quote is a problem).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import yaml

from provenance.errors import InvalidInput
from provenance.io.fields import CLEANERS, REQUIRED, SECTIONS, _Checker, _identity

FORMATS = ("csv", "yaml", "json")
EXTENSIONS = {".csv": "csv", ".yaml": "yaml", ".yml": "yaml", ".json": "json"}
CHUNK = 500  # rows a chunk: a dozen fit in the reading process's pipe (ahead.PIPE_BYTES)
STDIN = "<stdin>"


@dataclass(slots=True)
class Mention:
    """One record as a source gives it: clean values of the fields it gives."""

    where: str
    values: dict[str, Any]
    names: Mapping[str, str] | None = None  # field -> name in the source, where it differs

    def name(self, field_name: str) -> str:
        return self.names.get(field_name, field_name) if self.names else field_name


@dataclass
class Batch:
    implicit: bool  # CSV: outlets, actors, articles and claims named are created when new
    size: int = 0  # records read
    outlets: list[Mention] = field(default_factory=list)
    actors: list[Mention] = field(default_factory=list)
    articles: list[Mention] = field(default_factory=list)
    claims: list[Mention] = field(default_factory=list)
    assertions: list[Mention] = field(default_factory=list)
    relations: list[Mention] = field(default_factory=list)
    failed: dict[str, set] = field(default_factory=lambda: {k: set() for k in SECTIONS.values()})


CSV_COLUMNS = {
    "claim_key": ("claim", "key"),
    "claim_text": ("claim", "text"),
    **{c: ("claim", c) for c in ("topic", "quantity", "low", "low_open", "high", "high_open")},
    **{c: ("claim", c) for c in ("unit", "as_of", "since", "cumulative")},
    **{c: ("assertion", c) for c in ("stance", "speaker", "cites", "wording", "confidence")},
    "quote": ("assertion", "quote"),
    "outlet": ("article", "outlet"),
    "via": ("article", "via"),
    "article_url": ("article", "url"),
    "article_title": ("article", "title"),
    "published": ("article", "published"),
}
REQUIRED_COLUMNS = ("claim_key", "outlet")
# how CSV names the fields of each kind, where it differs from the document
CSV_NAMES = {
    "claim": {"key": "claim_key", "text": "claim_text"},
    "article": {"url": "article_url", "title": "article_title"},
    "assertion": {},
}


# ---- sources --------------------------------------------------------------------------


def detect_format(source: str, fmt: str | None) -> str:
    if fmt:
        if fmt.lower() not in FORMATS:
            raise InvalidInput(f"format {fmt!r} is not one of: {', '.join(FORMATS)}")
        return fmt.lower()
    if source == "-":
        raise InvalidInput("reading stdin ('-') needs a format: csv, yaml or json")
    found = EXTENSIONS.get(Path(source).suffix.lower())
    if found is None:
        raise InvalidInput("cannot tell the format from the extension (.csv, .yaml, .json)")
    return found


@contextmanager
def opened(
    source: str, *, fmt: str | None, stdin: TextIO | None, check: _Checker
) -> Iterator[tuple[str, TextIO] | None]:
    """(format, stream) of one source, closed after; None (and a problem) if unreadable."""
    try:
        kind = detect_format(source, fmt)
        stream = _open(source, stdin)
    except InvalidInput as exc:
        check.report("file", "", str(exc))
        yield None
        return
    except OSError as exc:
        check.report("file", "", f"cannot be read: {exc.strerror or exc}")
        yield None
        return
    try:
        yield kind, stream
    finally:
        if source != "-":
            stream.close()


def _open(source: str, stdin: TextIO | None) -> TextIO:
    # utf-8-sig drops a BOM; newline="" is what the csv module asks for
    if source != "-":
        return open(source, encoding="utf-8-sig", newline="")
    if stdin is not None:
        return stdin
    import io

    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")


# ---- documents ------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Dates stay text for validate.date: PyYAML's own reading raises on "2024-13-45" and would
# end the whole document instead of reporting one field.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(f"key {key!r} appears twice in one object")
    return dict(pairs)


def _parse(stream: TextIO, kind: str, check: _Checker) -> object:
    try:
        text = stream.read().lstrip("\ufeff")
        if kind == "json":
            return json.loads(text, object_pairs_hook=_unique_pairs) if text.strip() else None
        return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except UnicodeDecodeError:
        check.report("file", "", "is not UTF-8 text")
    except json.JSONDecodeError as exc:
        check.report(f"line {exc.lineno}", "", f"not valid JSON: {exc.msg}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        check.report(where, "", f"not valid YAML: {getattr(exc, 'problem', None) or exc}")
    except ValueError as exc:  # a key given twice in one JSON object
        check.report("file", "", f"not valid {kind.upper()}: {exc}")
    return None


def read_document(stream: TextIO, kind: str, check: _Checker) -> Batch:
    batch = Batch(implicit=False)
    data = _parse(stream, kind, check)
    if data is None:
        return batch
    if not isinstance(data, dict):
        check.report("document", "", f"must be a mapping with {', '.join(SECTIONS)}")
        return batch
    for section, entries in data.items():
        if section not in SECTIONS:
            known = ", ".join(SECTIONS)
            check.report("document", str(section), f"unknown section (known: {known})")
        elif not isinstance(entries, list | None):
            check.report(section, "", "must be a list")
        else:
            for i, entry in enumerate(entries or ()):
                _entry(batch, check, SECTIONS[section], entry, f"{section}[{i}]")
    return batch


def _record(check: _Checker, kind: str, entry: object, where: str) -> dict[str, Any] | None:
    """Clean values of one document entry, or None (its problems reported)."""
    if not isinstance(entry, dict):
        check.report(where, "", "must be a mapping of fields")
        return None
    check.bad = False
    known = CLEANERS[kind]
    for key in entry:
        if key not in known and not (kind == "claim" and key == "assertions"):
            check.report(where, str(key), f"unknown field (known: {', '.join(known)})")
    raw = {k: v for k, v in entry.items() if k in known}
    values = check.clean(kind, raw, where, {}, REQUIRED[kind])
    return None if check.bad else values


def _entry(batch: Batch, check: _Checker, kind: str, entry: object, where: str) -> None:
    batch.size += 1
    values = _record(check, kind, entry, where)
    if values is not None:
        getattr(batch, f"{kind}s").append(Mention(where, values))
    elif isinstance(entry, dict):
        batch.failed[kind].add(_quiet_identity(kind, entry))
    nested = entry.get("assertions") if kind == "claim" and isinstance(entry, dict) else None
    if nested is None:
        return
    if not isinstance(nested, list):
        check.report(where, "assertions", "must be a list")
        return
    for j, item in enumerate(nested):
        batch.size += 1
        found = _record(check, "assertion", item, f"{where}.assertions[{j}]")
        if found is not None and values is not None:
            found["claim"] = values["key"]
            batch.assertions.append(Mention(f"{where}.assertions[{j}]", found))


def _quiet_identity(kind: str, entry: dict) -> object:
    """The key of a bad entry, so that references to it are not reported again."""
    wanted = {k: v for k, v in entry.items() if k in ("name", "url", "title", "key")}
    try:
        return _identity(kind, _Checker("", [], 0.1).clean(kind, wanted, "", {}))
    except (InvalidInput, TypeError):
        return None


# ---- CSV ------------------------------------------------------------------------------


def _header(check: _Checker, header: list[str] | None) -> list | None:
    if not header:
        check.report("line 1", "", "a header row is required")
        return None
    names = [h.strip() for h in header]
    names[0] = names[0].lstrip("\ufeff")  # a BOM on stdin, where no codec dropped it
    columns: list[tuple[str, str] | None] = []
    for i, name in enumerate(names):
        if name in names[:i]:
            check.report("line 1", name, "the column appears twice")
        elif name not in CSV_COLUMNS:
            check.report("line 1", name, f"unknown column (known: {', '.join(CSV_COLUMNS)})")
        columns.append(CSV_COLUMNS.get(name) if name not in names[:i] else None)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    for name in missing:
        check.report("line 1", name, "the column is required")
    return None if missing else columns


def _row(batch: Batch, check: _Checker, columns: list, where: str, cells: list[str]) -> None:
    if len(cells) > len(columns):
        check.report(where, "", f"the row has {len(cells)} cells, the header {len(columns)}")
        return
    raw: dict[str, dict[str, str]] = {"claim": {}, "article": {}, "assertion": {}}
    for column, cell in zip(columns, cells, strict=False):
        if column is not None and cell:
            raw[column[0]][column[1]] = cell
    check.bad = False
    claim = check.clean("claim", raw["claim"], where, CSV_NAMES["claim"], ("key",))
    article = check.clean("article", raw["article"], where, CSV_NAMES["article"], ("outlet",))
    assertion = check.clean("assertion", raw["assertion"], where, {})
    if check.bad:
        batch.failed["claim"].add(claim.get("key"))
        return
    batch.outlets.append(Mention(where, {"name": article["outlet"]}))
    if "via" in article:
        batch.outlets.append(Mention(where, {"name": article["via"], "new_kind": "wire"}))
    for role in ("speaker", "cites"):
        if role in assertion:
            batch.actors.append(Mention(where, {"name": assertion[role]}))
    batch.articles.append(Mention(where, article, CSV_NAMES["article"]))
    batch.claims.append(Mention(where, claim, CSV_NAMES["claim"]))
    assertion["claim"], assertion["article"] = claim["key"], article
    batch.assertions.append(Mention(where, assertion))
