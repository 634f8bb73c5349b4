"""The declarative base shared by every model, on the metadata of ``db.tables``."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from provenance.db import tables


class Base(DeclarativeBase):
    metadata = tables.metadata
