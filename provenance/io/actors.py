"""Resolve and create actors, their aliases and their part_of links.

Decisions (PRODUCT.md section 4 is the authority; where it is silent):

- Actors are matched by ``name_key`` of their name or any alias. New aliases listed
  for an existing actor are added (aliases only add names; nothing is overwritten).
  ``part_of`` is checked for cycles among the new actors (existing actors never
  change, so only they can close one); ``groups.refresh`` then sets the groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from typing import Any

from sqlalchemy import select, update

from provenance.db.models import Actor, ActorAlias
from provenance.io.readers import Batch, Mention
from provenance.io.resolve import (
    NAME,
    UNRESOLVED,
    _chunks,
    _Known,
    _Resolver,
    _same,
    name_key,
)
from provenance.services import groups

ACTOR_FIELDS = {"kind": _same, "part_of": name_key, "aliases": _same}


def NAME_KEY(v: dict[str, Any]) -> str:  # an actor mention's key
    return name_key(v["name"])


class _Actors(_Resolver):
    """Actors of a batch, with aliases and part_of."""

    def _actors(self, batch: Batch) -> None:
        merged = self._merge("actor", batch.actors, NAME_KEY, ACTOR_FIELDS, NAME)
        self._load_actors(_actor_keys(merged.values()))
        fresh = {key: m for key, m in merged.items() if key not in self.actors}
        rows = [
            {"name": m.values["name"], "kind": m.values.get("kind", "other")}
            for m in fresh.values()
        ]
        for key, row, id_ in zip(fresh, rows, self._insert(Actor, rows, ("name",)), strict=True):
            self.actors[key] = _Known(id_, row | {"part_of_id": None})
        for key, m in merged.items():
            if key not in fresh:
                self._check("actor", m, self.actors[key].values, {"kind": _same}, NAME)
        self._aliases(merged, fresh)
        linked = self._part_of(merged, fresh)
        self.added["actors"] += len(fresh)
        if linked:
            groups.refresh(self.session)
        elif fresh:  # part of nothing: each is its own group, and no assertion names it yet
            ids = [self.actors[key].id for key in fresh]
            for chunk in _chunks(ids):
                stmt = update(Actor.__table__).where(Actor.id.in_(chunk))
                self.session.connection().execute(stmt.values(group_id=Actor.id))

    def _aliases(self, merged: dict[str, Mention], fresh: dict[str, Mention]) -> None:
        """Every name an actor answers to, its own included, is one alias row."""
        rows = [
            {"actor_id": self.actors[key].id, "alias": m.values["name"], "key": key}
            for key, m in fresh.items()
        ]
        for key, m in merged.items():
            me = self.actors[key]
            for alias in m.values.get("aliases", []):
                owner = self.actors.get(name_key(alias))
                if owner is None:
                    rows.append({"actor_id": me.id, "alias": alias, "key": name_key(alias)})
                    self.actors[name_key(alias)] = me
                elif owner.id != me.id:
                    why = f"{alias!r} already names actor {owner.values['name']!r}"
                    self.problem(m, "aliases", why)
        if rows:
            rows.sort(key=itemgetter("key"))
            self._execute(self._upsert(ActorAlias.__table__), rows)
        self.added["aliases"] += len(rows)

    def _part_of(self, merged: dict[str, Mention], fresh: dict[str, Mention]) -> bool:
        """Set the part_of of new actors; whether any was set."""
        edges: dict[str, str] = {}  # new actor's key -> its parent's key
        for key, m in merged.items():
            parent = m.values.get("part_of")
            target = self.actors.get(name_key(parent)) if parent else None
            if parent and target is None:
                self._missing(m, "part_of", "actor", parent, f"no actor is named {parent!r}")
            elif target is not None and key in fresh:
                edges[key] = name_key(target.values["name"])
            elif target is not None and target.id != self.actors[key].values["part_of_id"]:
                was = self._actor_name(self.actors[key].values["part_of_id"])
                why = f"actor {m.values['name']!r} is recorded as part of {was}, not {parent!r}"
                self.problem(m, "part_of", why)
        for cycle in _cycles(edges):
            chain = " → ".join(merged[k].values["name"] for k in [*cycle, cycle[0]])
            self.problem(merged[cycle[0]], "part_of", f"part_of makes a cycle: {chain}")
            for key in cycle:
                del edges[key]
        updates = [
            {"id": self.actors[k].id, "part_of_id": self.actors[p].id} for k, p in edges.items()
        ]
        if updates:
            self.session.execute(update(Actor), updates)
        for key, parent in edges.items():
            self.actors[key].values["part_of_id"] = self.actors[parent].id
        return bool(updates)

    def _actor_name(self, actor_id: int | None) -> str:
        if actor_id is None:
            return "nothing"
        return repr(self._select(select(Actor.name).where(Actor.id == actor_id)).scalar())

    def _load_actors(self, keys: Iterable[str]) -> None:
        columns = (ActorAlias.key, Actor.id, Actor.name, Actor.kind, Actor.part_of_id)
        by_id: dict[int, _Known] = {}
        for chunk in _chunks(k for k in keys if k not in self.actors):
            stmt = select(*columns).join(Actor, ActorAlias.actor_id == Actor.id)
            for r in self._select(stmt.where(ActorAlias.key.in_(chunk))):
                values = {"name": r.name, "kind": r.kind, "part_of_id": r.part_of_id}
                self.actors[r.key] = by_id.setdefault(r.id, _Known(r.id, values))

    def _actor_id(self, m: Mention, role: str) -> int | object | None:
        name = m.values.get(role)
        if name is None:
            return None
        known = self.actors.get(name_key(name))
        if known is None:
            self._missing(m, role, "actor", name, f"no actor is named or aliased {name!r}")
            return UNRESOLVED
        return known.id


def _actor_keys(mentions: Iterable[Mention]) -> set[str]:
    """Every actor name a batch of actor mentions uses: names, aliases, parents."""
    keys = set()
    for m in mentions:
        v = m.values
        keys |= {name_key(n) for n in [v["name"], v.get("part_of"), *v.get("aliases", ())] if n}
    return keys


def _cycles(edges: dict[str, str]) -> list[list[str]]:
    """The cycles among new part_of edges (each listed once, from where it was entered)."""
    done: set[str] = set()
    found = []
    for start in edges:
        path: list[str] = []
        node = start
        while node in edges and node not in done and node not in path:
            path.append(node)
            node = edges[node]
        if node in path:
            found.append(path[path.index(node) :])
        done.update(path)
    return found
