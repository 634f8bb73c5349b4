"""Actors: people and bodies who make, or are cited for, statements."""

from __future__ import annotations

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from provenance.analysis.names import name_key
from provenance.db.models import Actor, ActorAlias, Assertion
from provenance.errors import Conflict, InvalidInput
from provenance.services import groups, validate
from provenance.services.record import actor_id
from provenance.vocabulary import ACTOR_KINDS


def find_actor(session: Session, name: str) -> Actor:
    """The actor with this name or alias (ignoring case, spaces and punctuation)."""
    return session.get_one(Actor, actor_id(session, name))


def add_actor(
    session: Session,
    *,
    name: str,
    kind: str | None = None,
    part_of: str | None = None,
    aliases: list[str] = (),  # type: ignore[assignment]
) -> Actor:
    clean = validate.text(name, "name", required=True)
    assert clean is not None
    holder = session.scalar(
        select(Actor.name).join(ActorAlias).where(ActorAlias.key == name_key(clean))
    )
    if holder is not None:
        raise Conflict(f"{clean!r} already names the actor {holder!r}")
    parent = find_actor(session, part_of) if part_of else None
    actor = Actor(
        name=clean,
        kind=validate.choice(kind, ACTOR_KINDS, "kind", "other"),
        part_of_id=parent.id if parent else None,
    )
    session.add(actor)
    _claim_names(session, actor, [clean, *aliases])
    groups.refresh(session)
    return actor


def add_aliases(session: Session, *, actor: str, aliases: list[str]) -> Actor:
    target = find_actor(session, actor)
    _claim_names(session, target, aliases)
    return target


def _claim_names(session: Session, actor: Actor, names: list[str]) -> None:
    """Register names as aliases of the actor; a name another actor holds is refused."""
    keys: dict[str, str] = {}
    for alias in names:
        key = name_key(alias)
        if not key:
            raise InvalidInput(f"alias {alias!r} has no letters or digits")
        keys.setdefault(key, alias.strip())
    session.flush()
    held = session.execute(
        select(ActorAlias.key, ActorAlias.actor_id, Actor.name)
        .join(Actor, Actor.id == ActorAlias.actor_id)
        .where(ActorAlias.key.in_(keys))
    ).all()
    for key, holder_id, holder in held:
        if holder_id != actor.id:
            raise Conflict(f"{keys[key]!r} already names the actor {holder!r}")
        keys.pop(key)
    session.add_all(ActorAlias(actor_id=actor.id, alias=a, key=k) for k, a in keys.items())
    session.flush()


def merge_actors(session: Session, *, keep: str, gone: str) -> Actor:
    """Move every statement and alias of ``gone`` onto ``keep``, then delete ``gone``."""
    a, b = find_actor(session, keep), find_actor(session, gone)
    if a.id == b.id:
        raise InvalidInput(f"{keep!r} and {gone!r} are the same actor")
    if a.part_of_id == b.id:  # the child keeps its grandparent
        a.part_of_id = b.part_of_id
        session.flush()
    _drop_colliding_assertions(session, a.id, b.id)
    for column in (Assertion.speaker_id, Assertion.cites_id):
        session.execute(update(Assertion).where(column == b.id).values({column: a.id}))
    session.execute(update(ActorAlias).where(ActorAlias.actor_id == b.id).values(actor_id=a.id))
    session.execute(update(Actor).where(Actor.part_of_id == b.id).values(part_of_id=a.id))
    session.execute(update(Actor).where(Actor.group_id == b.id).values(group_id=None))
    session.execute(update(Assertion).where(Assertion.group_id == b.id).values(group_id=None))
    session.flush()
    session.execute(delete(Actor).where(Actor.id == b.id))
    groups.refresh(session, touched=[a.id])
    return a


def _drop_colliding_assertions(session: Session, keep: int, gone: int) -> None:
    """A statement of ``gone`` that ``keep`` already made in the same article would
    become a duplicate once renamed: the copy goes, the original stays."""
    rows = session.execute(
        select(
            Assertion.id,
            Assertion.claim_id,
            Assertion.article_id,
            Assertion.speaker_id,
            Assertion.cites_id,
            Assertion.stance,
        ).where(
            or_(
                Assertion.speaker_id.in_([keep, gone]),
                Assertion.cites_id.in_([keep, gone]),
            )
        )
    ).all()

    def renamed(actor_id: int | None) -> int | None:
        return keep if actor_id == gone else actor_id

    seen: set[tuple] = set()
    duplicates = []
    # keep's own statements first, so that they are the ones kept
    for row in sorted(rows, key=lambda r: (gone in (r.speaker_id, r.cites_id), r.id)):
        identity = (
            row.claim_id,
            row.article_id,
            renamed(row.speaker_id),
            renamed(row.cites_id),
            row.stance,
        )
        if identity in seen:
            duplicates.append(row.id)
        seen.add(identity)
    if duplicates:
        session.execute(delete(Assertion).where(Assertion.id.in_(duplicates)))
