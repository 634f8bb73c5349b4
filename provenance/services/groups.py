"""Independence groups: the top of each actor's ``part_of`` chain.

``actors.group_id`` and ``assertions.group_id`` are derived columns kept here, so
that status queries group by a column instead of walking chains. Call ``refresh``
after any change to actors' ``part_of`` or kind, or to who an assertion names.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from provenance.db.models import Actor, Assertion
from provenance.errors import InvalidInput

CHUNK = 500


def tops(parents: dict[int, int | None]) -> dict[int, int]:
    """Each actor's top of chain; a cycle is refused, naming its members' ids."""
    result: dict[int, int] = {}
    for start in parents:
        path: list[int] = []
        node = start
        while node not in result and parents.get(node) is not None:
            if node in path:
                raise InvalidInput(f"part_of would make a cycle through actor ids {path}")
            path.append(node)
            node = parents[node]  # type: ignore[assignment]
        top = result.get(node, node)
        for member in (*path, node):
            result[member] = top
    return result


def refresh(session: Session, touched: Iterable[int] = ()) -> None:
    """Recompute actor groups, then the groups of assertions naming a changed actor
    or one of ``touched`` (actors whose kind changed, or that a merge removed)."""
    rows = session.execute(select(Actor.id, Actor.part_of_id, Actor.group_id)).all()
    new = tops({r.id: r.part_of_id for r in rows})
    changed = [r.id for r in rows if r.group_id != new[r.id]]
    if changed:
        session.execute(update(Actor), [{"id": i, "group_id": new[i]} for i in changed])
    ids = sorted({*changed, *touched})
    for i in range(0, len(ids), CHUNK):
        _refresh_assertions(session, ids[i : i + CHUNK])


def origin_group_sql():
    """SQL for an assertion's group: its origin's (cites, else speaker) unless unnamed."""
    origin = aliased(Actor)
    return (
        select(case((origin.kind == "unnamed", None), else_=origin.group_id))
        .where(origin.id == func.coalesce(Assertion.cites_id, Assertion.speaker_id))
        .scalar_subquery()
    )


def update_group(where):
    """An UPDATE setting the group of the assertions ``where`` selects."""
    return update(Assertion).where(where).values(group_id=origin_group_sql())


def _refresh_assertions(session: Session, actor_ids: list[int]) -> None:
    session.execute(
        update_group(or_(Assertion.speaker_id.in_(actor_ids), Assertion.cites_id.in_(actor_ids))),
        execution_options={"synchronize_session": False},
    )
