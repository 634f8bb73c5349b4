"""Reading the rows of a flat CSV into chunks of checked tuples, for ``flat``.

Each row's cells are checked by the same cleaners as a document's fields
(``fields.CLEANERS``), remembered per distinct value for the columns that repeat
(dates, stances, confidence levels, wordings, figures). A row whose cells pass becomes
one tuple naming its outlets and actors by key; a row with a bad cell is read again by
``readers._row``, which reports every problem as it always has, and is not staged.

The reading needs nothing from the database, so ``chunks`` can run in a process of its
own (``ahead``) while this one stages the chunk before: a ``Chunk`` carries everything
the reading found (rows, the outlets and actors first named, problems, warnings). Here,
``Ids`` turns a chunk's keys into the ids of the records ``flat`` resolved, giving the
tuples of ``flat.STAGED``.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from provenance.errors import InvalidInput
from provenance.io import readers
from provenance.io.fields import CLEANERS, _Checker
from provenance.io.readers import CSV_COLUMNS, Batch, Mention
from provenance.io.resolve import name_key, outlet_key
from provenance.services import validate

# the CSV columns, in the order a row is read
READ = ("claim_key", "claim_text", "topic", "quantity", "low", "low_open", "high", "high_open")
READ += ("unit", "as_of", "since", "cumulative", "stance", "speaker", "cites", "wording")
READ += ("confidence", "quote", "outlet", "via", "article_url", "article_title", "published")
FIGURE = ("quantity", "low", "low_open", "high", "high_open")
MEMO_LIMIT = 1 << 16  # distinct values remembered per map before it is cleared
BAD = object()  # a remembered cell that fails its check
NO_FIGURE = (None, None, None, None, None)
SLUG = validate._SLUG.match


@dataclass
class Chunk:
    """What reading a chunk of rows found; ``flat`` applies it in order."""

    rows: list[tuple]  # checked rows, outlets and actors by key (see ``Ids.staged``)
    claim_rows: list[tuple]  # the claim fields of the rows that give any (``flat.CLAIM_STAGED``)
    outlets: dict[str, Mention]  # outlets and actors named for the first time
    actors: dict[str, Mention]
    forget: bool  # the reader forgot the names it announced: forget their ids too
    problems: list  # the chunk's problems and warnings, in the order found
    warnings: list[str]
    failed: set  # keys of claims on rows refused for a bad cell
    read: int  # rows read
    warned: set[str] = field(default_factory=set)  # the last chunk: wordings warned of


def chunks(reader: Iterator[list[str]], rows: Rows, line: int) -> Iterator[Chunk]:
    """The chunks of a CSV source whose header ended at ``line``."""
    try:
        for cells in reader:
            # line_num counts physical lines read so far: a row starts after the last one
            start, line = line + 1, reader.line_num  # type: ignore[attr-defined]
            if any(cells):
                rows.add(start, cells)
                if rows.read >= readers.CHUNK:
                    yield rows.take()
    except csv.Error as exc:
        rows.check.report(f"line {reader.line_num}", "", f"not valid CSV: {exc}")  # type: ignore[attr-defined]
    except UnicodeDecodeError:
        rows.check.report(f"line {reader.line_num + 1}", "", "is not UTF-8 text")  # type: ignore[attr-defined]
    yield rows.take(last=True)


class Rows:
    """The rows of one CSV source, checked and turned into chunks of tuples."""

    def __init__(self, run: Any, check: _Checker, columns: list) -> None:
        self.run, self.check, self.columns = run, check, columns
        # problems and warnings found before this source are not this reading's
        self.problems_before, self.warnings_before = len(check.problems), len(run.warnings)
        self.width = len(columns)
        named = {column: name for name, column in CSV_COLUMNS.items()}
        at = {named[c]: i for i, c in enumerate(columns) if c is not None}
        self.at = [at.get(name, self.width) for name in READ]  # width: an empty cell
        self.quiet = _Checker("", [], check.tolerance)  # figures: problems reported again
        self.cells = itemgetter(*self.at)
        self.pending: list[tuple] = []  # checked rows of this chunk
        self.claim_rows: list[tuple] = []  # their claim fields, where given
        self.new_outlets: dict[str, Mention] = {}  # named for the first time in this chunk
        self.new_actors: dict[str, Mention] = {}
        self.outlets_named: set[str] = set()  # keys announced in an earlier chunk or this
        self.actors_named: set[str] = set()
        self.forget = False
        self.memo: dict[str, dict] = {
            c: {} for c in ("date", "flag", "stance", "confidence", "key", "name")
        }
        self.figures: dict[tuple, Any] = {}
        self.levels: dict[str, str] = {}
        self.failed: set = set()  # keys of claims on rows refused for a bad cell
        self.read = 0

    def add(self, line: int, cells: list[str]) -> None:
        self.read += 1
        n = len(cells)
        row = None
        if n <= self.width:
            cells.extend([""] * (self.width + 1 - n))
            row = self._clean(line, map(str.strip, self.cells(cells)))
            del cells[n:]
        if row is None:
            self._refuse(line, cells)

    def _refuse(self, line: int, cells: list[str]) -> None:
        """Read the row again as ``readers`` does, which reports every bad cell."""
        scratch = Batch(implicit=True)
        before = len(self.check.problems)
        readers._row(scratch, self.check, self.columns, f"line {line}", cells)
        self.failed |= scratch.failed["claim"]
        # the checks here are those of readers, remembered: what they refuse, it refuses
        assert len(self.check.problems) > before, f"line {line} was refused without a reason"

    def _clean(self, line: int, c: Iterator[str]) -> bool | None:
        """Add the row's clean values to the chunk, its outlets and actors by key; None
        if a cell fails its check."""
        (key, text_, topic, quantity, low, low_open, high, high_open, unit, as_of, since,
         cumulative, stance, speaker, cites, wording, confidence, quote, outlet, via,
         url, title, published) = c  # fmt: skip
        if not key or not outlet or not (url or title) or not SLUG(key):
            return None
        dates, names = self.memo["date"], self.memo["name"]
        if as_of:
            as_of = dates.get(as_of) or self._memo("date", as_of, _iso)
        if since:
            since = dates.get(since) or self._memo("date", since, _iso)
        if published:
            published = dates.get(published) or self._memo("date", published, _iso)
        flag = None
        if cumulative:
            flag = self.memo["flag"].get(cumulative)
            if flag is None:
                flag = self._memo("flag", cumulative, _flag)
        stance = (
            (self.memo["stance"].get(stance) or self._memo("stance", stance, _stance))
            if stance
            else "asserts"
        )
        if confidence:
            level, manual = (
                self.memo["confidence"].get(confidence)
                or self._memo("confidence", confidence, _confidence),
                1,
            )
        else:
            level, manual = self.levels.get(wording) or self._level(line, wording), 0
        if BAD in (as_of, since, published, flag, stance, level):
            return None
        figure: Any = NO_FIGURE
        if quantity or low or high or low_open or high_open:
            figure = self._figure(line, (quantity, low, low_open, high, high_open))
            if figure is BAD:
                return None
        # the keys by a dict of their own: lru_cache's bookkeeping cost a tenth of a row
        keys = self.memo["key"]
        ok = keys.get(outlet) or self._memo("key", outlet, outlet_key)
        vk = (keys.get(via) or self._memo("key", via, outlet_key)) if via else None
        sk = (names.get(speaker) or self._memo("name", speaker, name_key)) if speaker else None
        ck = (names.get(cites) or self._memo("name", cites, name_key)) if cites else None
        named = self.outlets_named
        if ok not in named or (vk and (vk not in named or vk in self.new_outlets)):
            self._outlet_names(line, ok, outlet, vk, via)
        named = self.actors_named
        if (sk and sk not in named) or (ck and ck not in named):
            self._actor_names(line, sk, speaker, ck, cites)
        self.pending.append(
            (line, key, not url, url or None, title or None, published or None, ok, vk, sk,
             ck, ck or sk, stance, wording or None, quote or None, level, manual)
        )  # fmt: skip
        # most rows name their claim only: its fields are staged apart, when given
        if (
            text_
            or topic
            or quantity
            or unit
            or as_of
            or since
            or flag is not None
            or (figure is not NO_FIGURE)
        ):
            self.claim_rows.append(
                (line, key, text_ or None, topic or None, quantity or None, unit or None,
                 as_of or None, since or None, flag, *figure)
            )  # fmt: skip
        return True

    def _outlet_names(self, line: int, ok: str, outlet: str, vk: str | None, via: str) -> None:
        """Announce outlets named for the first time: an outlet first named as ``via``
        is a wire (the first chunk naming it decides)."""
        where, named = f"line {line}", self.outlets_named
        if ok not in named:
            named.add(ok)
            self.new_outlets[ok] = Mention(where, {"name": outlet})
        if vk:
            known = self.new_outlets.get(vk)
            if known is not None:
                known.values.setdefault("new_kind", "wire")
            elif vk not in named:
                named.add(vk)
                self.new_outlets[vk] = Mention(where, {"name": via, "new_kind": "wire"})

    def _actor_names(self, line: int, sk, speaker: str, ck, cites: str) -> None:
        for k, name in ((sk, speaker), (ck, cites)):
            if k and k not in self.actors_named:
                self.actors_named.add(k)
                self.new_actors[k] = Mention(f"line {line}", {"name": name})

    def _memo(self, column: str, cell: str, clean: Callable[[str], Any]) -> Any:
        memo = self.memo[column]
        found = memo.get(cell)
        if found is None:
            if len(memo) > MEMO_LIMIT:
                memo.clear()
            try:
                found = memo[cell] = clean(cell)
            except InvalidInput:
                found = memo[cell] = BAD
        return found

    def _figure(self, line: int, cells: tuple[str, ...]) -> Any:
        """(token, low, high, low_open, high_open) as ``fields`` reads them, or BAD."""
        found = self.figures.get(cells)
        if found is None:
            if len(self.figures) > MEMO_LIMIT:
                self.figures.clear()
            self.quiet.bad = False
            raw = {name: cell for name, cell in zip(FIGURE, cells, strict=True) if cell}
            out = self.quiet.clean("claim", raw, f"line {line}", {})
            given, derived = out.get("interval"), out.get("derived")
            if self.quiet.bad:
                found = BAD
            elif given:
                lo, hi, lo_open, hi_open = given
                found = (
                    f"{lo!r}|{hi!r}|{lo_open:d}|{hi_open:d}",
                    lo,
                    hi,
                    int(lo_open),
                    int(hi_open),
                )
            elif derived:
                lo, hi, lo_open, hi_open = derived
                found = (None, lo, hi, int(lo_open), int(hi_open))
            else:
                found = (None, None, None, None, None)
            self.figures[cells] = found
        return found

    def _level(self, line: int, wording: str) -> str:
        level = self.levels.get(wording)
        if level is None:
            level = self.levels[wording] = self.run._level(Mention(f"line {line}", {}), wording)
        return level

    def take(self, last: bool = False) -> Chunk:
        """The chunk read since the last one; the reading goes on with an empty one."""
        problems = self.check.problems[self.problems_before :]
        del self.check.problems[self.problems_before :]
        warnings = self.run.warnings[self.warnings_before :]
        del self.run.warnings[self.warnings_before :]
        chunk = Chunk(
            self.pending, self.claim_rows, self.new_outlets, self.new_actors, self.forget,
            problems, warnings, self.failed, self.read,
            set(self.run.warned) if last else set(),
        )  # fmt: skip
        self.pending, self.claim_rows = [], []
        self.new_outlets, self.new_actors, self.failed = {}, {}, set()
        self.read = 0
        self.forget = len(self.outlets_named) + len(self.actors_named) > MEMO_LIMIT
        if self.forget:
            self.outlets_named.clear()
            self.actors_named.clear()
        return chunk


class Ids:
    """The ids of the outlets and actors ``flat`` resolved, by key, for staging rows."""

    def __init__(self) -> None:
        self.outlets: dict[str, int] = {}
        self.actors: dict[str, int] = {}
        self.groups: dict[str, int | None] = {}  # actor key -> its group as an origin

    def staged(self, rows: list[tuple]) -> Iterator[tuple]:
        """A chunk's rows in the order of ``flat.STAGED``: the outlets and actors by
        id, the statement's origin (its cited source, else its speaker) by group.
        Column by column: ``map`` and ``zip`` look the keys up without a Python loop,
        a third of the importing process's work when it went row by row."""
        if not rows:
            return iter(())
        columns = zip(*rows, strict=True)
        (line, key, untitled, url, title, published, ok, vk, sk, ck, origin, *says) = columns
        outlets, actors = self.outlets, self.actors
        akey: Sequence = (None,) * len(rows)
        if any(untitled):  # an article without URL is known by its outlet, date and title
            akey = [
                f"\x1f{outlets[o]}\x1f{p or ''}\x1f{t or ''}" if u else None
                for u, o, p, t in zip(untitled, ok, published, title, strict=True)
            ]
        return zip(
            line, key, akey, url, title, published,
            map(outlets.__getitem__, ok), map(outlets.get, vk),
            map(actors.get, sk), map(actors.get, ck), map(self.groups.get, origin),
            *says,
            strict=True,
        )  # fmt: skip


# ---- cells ----------------------------------------------------------------------------


def _iso(cell: str) -> str:
    return validate.date(cell, "date").isoformat()  # type: ignore[union-attr]


def _flag(cell: str) -> int:
    return int(validate.flag(cell, "cumulative"))


_stance = CLEANERS["assertion"]["stance"]
_confidence = CLEANERS["assertion"]["confidence"]
