"""The closed vocabularies as Typer choices, so --help lists them and a typo is a
usage error."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import typer

from provenance import vocabulary as v


def _choices(name: str, values: tuple[str, ...]) -> type[Enum]:
    return Enum(name, {value: value for value in values}, type=str)  # type: ignore[return-value]


OutletKind = _choices("OutletKind", v.OUTLET_KINDS)
ActorKind = _choices("ActorKind", v.ACTOR_KINDS)
Stance = _choices("Stance", v.STANCES)
RelationKind = _choices("RelationKind", v.RELATION_KINDS)
Confidence = _choices("Confidence", v.CONFIDENCE_LEVELS)
Reliability = _choices("Reliability", v.RELIABILITY)
Status = _choices("Status", v.STATUSES)


def value(choice: Enum | None) -> str | None:
    return None if choice is None else choice.value


def day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


DateOption = Annotated[dt.datetime | None, typer.Option(formats=["%Y-%m-%d"], metavar="YYYY-MM-DD")]
