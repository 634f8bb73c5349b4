"""The shared machinery of resolving a batch's mentions against the database.

``_Resolver`` holds what every entity kind uses: merging repeated mentions, checking a
mention against a stored record, inserting new rows, reporting dangling references.
The entity kinds (``outlets``, ``actors``, ``articles``, ``claims``, ``assertions``)
are mixins on it that ``importer._Run`` puts together.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Existing records are matched, never changed. A value given for an existing record
  that differs from the stored one is a problem naming both, and so is a value where
  the stored record has none (a value must not vanish silently). Repeated mentions in
  one import must agree the same way; the first fills what a later one leaves empty.
- Outlets, actors, aliases, articles and claims are inserted with ON CONFLICT DO
  NOTHING, in the order of their unique column, and re-selected, for writers that take
  no turn on the import lock (see ``importer``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import select

from provenance.analysis import names
from provenance.analysis.quantity import Interval, format_number
from provenance.errors import Problem
from provenance.io.readers import Mention

# memoised: a CSV names the same outlets and actors on row after row
name_key = lru_cache(maxsize=1 << 16)(names.name_key)
outlet_key = lru_cache(maxsize=1 << 16)(names.outlet_key)
PAGE = 250  # rows per many-row INSERT … RETURNING: small prepared statements
IN_CHUNK = 1_000  # names per IN (...): well under SQLite's bound-parameter limit
UNRESOLVED = object()  # a reference to nothing (already reported)


class _Known(NamedTuple):
    id: int
    values: dict[str, Any]


def _same(value: object) -> object:
    return value


def _show(value: object) -> str:
    if value is None:
        return "no value"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, tuple):
        return str(Interval(*value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def _chunks(items: Iterable) -> Iterable[list]:
    items = list(items)
    for i in range(0, len(items), IN_CHUNK):
        yield items[i : i + IN_CHUNK]


NAME = itemgetter("name")

# the unique column each created record is matched back on after ON CONFLICT DO NOTHING
UNIQUE = {"outlets": "name_key", "actors": "name", "articles": "url", "claims": "key"}


class _Resolver:
    """Shared methods of ``importer._Run``; its ``__init__`` sets the state they use."""

    def problem(self, m: Mention, field: str, why: str) -> None:
        self.problems.append(Problem(self.source, m.where, m.name(field), why))

    def _merge(self, what: str, mentions: list[Mention], keyf, fields: dict, label) -> dict:
        """One mention per key; later mentions fill gaps and must agree with the first."""
        merged: dict[object, Mention] = {}
        for m in mentions:
            key = keyf(m.values)
            first = merged.get(key)
            if first is None:
                merged[key] = Mention(m.where, dict(m.values), m.names)
                continue
            for field, new in m.values.items():
                old = first.values.get(field)
                if old is None:
                    first.values[field] = new
                elif isinstance(old, list):
                    old.extend(x for x in new if x not in old)
                elif field in fields and fields[field](old) != fields[field](new):
                    name = label(first.values)
                    why = f"{what} {name!r}: {_show(new)} here, {_show(old)} at {first.where}"
                    self.problem(m, field, why)
        return merged

    def _check(self, what: str, m: Mention, stored: dict, fields: dict, label) -> None:
        """A mention of an existing record: every value it gives must be the stored one."""
        for field, norm in fields.items():
            new, old = m.values.get(field), stored.get(field)
            if new is None or isinstance(new, list):
                continue
            if old is None or norm(new) != norm(old):
                why = f"{what} {label(m.values)!r} is recorded with {_show(old)}, not {_show(new)}"
                self.problem(m, field, why)

    def _insert(self, model, rows: list[dict], key: tuple[str, ...]) -> list[int]:
        """The ids of new rows, by Core executemany (the ORM bulk path runs one per row).

        ON CONFLICT DO NOTHING, in the order of the unique column, then a re-select: a
        writer outside this import may have added the same record since it was looked up.
        """
        if not rows:
            return []
        table = model.__table__
        unique = table.c[UNIQUE[table.name]]
        # matched back on `key`: SQLite batches RETURNING only when order need not be kept
        stmt = self._upsert(table).returning(table.c.id, *(table.c[k] for k in key))
        ordered = sorted(rows, key=lambda r: (r[unique.key] is None, r[unique.key] or ""))
        stmt = stmt.execution_options(insertmanyvalues_page_size=PAGE)
        ids = {tuple(r[1:]): r[0] for r in self._execute(stmt, ordered)}
        lost = {r[unique.key]: r for r in rows if tuple(r[k] for k in key) not in ids}
        for chunk in _chunks(lost):
            for r in self._select(select(table.c.id, unique).where(unique.in_(chunk))):
                ids[tuple(lost[r[1]][k] for k in key)] = r[0]
        return [ids[tuple(row[k] for k in key)] for row in rows]

    def _upsert(self, table):
        """INSERT … ON CONFLICT DO NOTHING in this database's dialect."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        return dialect_insert(table).on_conflict_do_nothing()

    def _select(self, stmt):
        """Core rows, without the ORM's loading layer."""
        return self.session.connection().execute(stmt)

    def _execute(self, stmt, rows: list[dict]):
        return self.session.connection().execute(stmt, rows)

    def _missing(self, m: Mention, field: str, kind: str, ref: str, why: str) -> None:
        """A dangling reference is a problem, unless it names a record already refused."""
        failed = self.failed.get(kind, ())
        if ref not in failed and _key(kind, ref) not in failed:
            self.problem(m, field, why)


def _key(kind: str, ref: str) -> object:
    """A reference as Batch.failed holds it."""
    return {"outlet": outlet_key, "actor": name_key}.get(kind, _same)(ref)
