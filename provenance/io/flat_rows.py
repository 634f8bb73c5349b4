"""Reading the rows of a flat CSV into staged tuples, for ``flat``.

Each row's cells are checked by the same cleaners as a document's fields
(``fields.CLEANERS``), remembered per distinct value for the columns that repeat
(dates, stances, confidence levels, wordings, figures). A row whose cells pass becomes
one tuple in the order of ``flat.STAGED``, with its outlets and actors by id; one that
names an outlet or actor not resolved yet waits for ``resolve()`` (the caller creates
them a chunk at a time). A row with a bad cell is read again by ``readers._row``, which
reports every problem as it always has, and is not staged.
"""

from __future__ import annotations

from collections.abc import Callable
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


class Rows:
    """The rows of one CSV source, checked and turned into staged tuples a chunk at a time."""

    def __init__(self, run: Any, check: _Checker, columns: list) -> None:
        self.run, self.check, self.columns = run, check, columns
        self.width = len(columns)
        named = {column: name for name, column in CSV_COLUMNS.items()}
        at = {named[c]: i for i, c in enumerate(columns) if c is not None}
        self.at = [at.get(name, self.width) for name in READ]  # width: an empty cell
        self.quiet = _Checker("", [], check.tolerance)  # figures: problems reported again
        self.cells = itemgetter(*self.at)
        self.pending: list[tuple] = []  # staged rows of this chunk
        self.unresolved: list[tuple] = []  # rows naming an outlet or actor not resolved yet
        self.new_outlets: dict[str, Mention] = {}
        self.new_actors: dict[str, Mention] = {}
        self.outlet_ids: dict[str, int] = {}
        self.actor_ids: dict[str, tuple[int, int | None]] = {}  # key -> (id, origin group)
        self.memo: dict[str, dict] = {c: {} for c in ("date", "flag", "stance", "confidence")}
        self.figures: dict[tuple, Any] = {}
        self.levels: dict[str, str] = {}
        self.failed: set = set()  # keys of claims on rows refused for a bad cell
        self.seen = self.read = self.staged = 0

    def add(self, line: int, cells: list[str]) -> None:
        self.seen += 1
        self.read += 1
        n = len(cells)
        row = None
        if n <= self.width:
            cells.extend([""] * (self.width + 1 - n))
            row = self._clean(line, list(map(str.strip, self.cells(cells))))
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

    def _clean(self, line: int, c: list[str]) -> bool | None:
        """Stage the row's clean values (pending its new outlets' and actors' ids); None
        if a cell fails its check."""
        (key, text_, topic, quantity, low, low_open, high, high_open, unit, as_of, since) = c[:11]
        (cumulative, stance, speaker, cites, wording, confidence, quote, outlet, via) = c[11:20]
        url, title, published = c[20:]
        if not key or not outlet or not (url or title) or not SLUG(key):
            return None
        dates = self.memo["date"]
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
        ok, vk = outlet_key(outlet), (outlet_key(via) if via else None)
        sk, ck = (name_key(speaker) if speaker else None), (name_key(cites) if cites else None)
        outlets, actors = self.outlet_ids, self.actor_ids
        o, v = outlets.get(ok), (outlets.get(vk) if vk else None)
        s, k = (actors.get(sk) if sk else None), (actors.get(ck) if ck else None)
        row = (line, key, text_ or None, topic or None, quantity or None, unit or None)
        row += (as_of or None, since or None, flag, *figure)
        if o is None or (vk and v is None) or (sk and s is None) or (ck and k is None):
            self._name(line, ok, outlet, vk, via, sk, speaker, ck, cites)
            article = (url or None, url or None, title or None, published or None, ok, vk)
            said = (sk, ck, None, stance, wording or None, quote or None, level, manual)
            self.unresolved.append((*row, *article, *said))
            return True
        akey = url or f"\x1f{o}\x1f{published}\x1f{title}"
        origin = k or s
        ids = (s and s[0], k and k[0], origin and origin[1])
        article = (akey, url or None, title or None, published or None, o, v)
        said = (*ids, stance, wording or None, quote or None, level, manual)
        self.pending.append((*row, *article, *said))
        return True

    def _name(self, line, ok, outlet, vk, via, sk, speaker, ck, cites) -> None:
        """Outlets and actors to resolve before the chunk is staged."""
        where = f"line {line}"
        if ok not in self.outlet_ids and ok not in self.new_outlets:
            self.new_outlets[ok] = Mention(where, {"name": outlet})
        if vk and vk not in self.outlet_ids:
            known = self.new_outlets.get(vk)
            if known is None:
                self.new_outlets[vk] = Mention(where, {"name": via, "new_kind": "wire"})
            else:
                known.values.setdefault("new_kind", "wire")
        for k, name in ((sk, speaker), (ck, cites)):
            if k and k not in self.actor_ids and k not in self.new_actors:
                self.new_actors[k] = Mention(where, {"name": name})

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

    def tuples(self) -> list[tuple]:
        """The chunk's rows as staged, their outlets and actors resolved by now."""
        outlets, actors = self.outlet_ids, self.actor_ids
        for r in self.unresolved:
            outlet, via = outlets[r[18]], (outlets[r[19]] if r[19] else None)
            speaker, cites = (actors[r[20]] if r[20] else None), (actors[r[21]] if r[21] else None)
            origin = cites or speaker
            akey = r[15] or f"\x1f{outlet}\x1f{r[17] or ''}\x1f{r[16] or ''}"
            ids = (speaker and speaker[0], cites and cites[0], origin and origin[1])
            self.pending.append((*r[:14], akey, *r[15:18], outlet, via, *ids, *r[23:]))
        self.staged += len(self.pending)
        return self.pending

    def next_chunk(self) -> None:
        self.pending, self.unresolved, self.read = [], [], 0
        self.new_outlets, self.new_actors = {}, {}
        for ids in (self.outlet_ids, self.actor_ids):
            if len(ids) > MEMO_LIMIT:
                ids.clear()


# ---- cells ----------------------------------------------------------------------------


def _iso(cell: str) -> str:
    return validate.date(cell, "date").isoformat()  # type: ignore[union-attr]


def _flag(cell: str) -> int:
    return int(validate.flag(cell, "cumulative"))


_stance = CLEANERS["assertion"]["stance"]
_confidence = CLEANERS["assertion"]["confidence"]
