"""What a command imports: the commands that only read run on Core tables and a Core
connection, so on an up-to-date database they import neither ``sqlalchemy.orm`` (and
the mapped models) nor Alembic; a command that writes does import the ORM."""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
import textwrap

import pytest

from provenance.cli import context
from provenance.db.engine import session_scope
from provenance.services import actors, articles, claims, outlets

HEAVY = ("sqlalchemy.orm", "provenance.db.models", "alembic")

PROBE = textwrap.dedent(
    """
    import json
    import sys

    from provenance.cli.app import app

    try:
        app(["--db", sys.argv[1], *json.loads(sys.argv[2])], standalone_mode=False)
    finally:
        heavy = json.loads(sys.argv[3])
        print(json.dumps([m for m in heavy if m in sys.modules]))
    """
)


def imported_by(db_url: str, *args: str) -> list[str]:
    """The heavy modules that one prov command, run in a fresh interpreter, imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, db_url, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def desk(engine, db_url) -> str:
    """A database at head with two claims whose figures conflict, and a relation."""
    with session_scope(engine, write=True) as s:
        outlets.add_outlet(s, name="Yonhap", kind="wire")
        actors.add_actor(s, name="South Korea", kind="government")
        actors.add_actor(s, name="Ukraine", kind="government")
        day = dt.date(2024, 11, 1)
        article = articles.add_article(s, outlet="Yonhap", title="Briefing", published=day)
        for key, (quantity, speaker) in {
            "nk-troops-10k": ("10,000", "South Korea"),
            "nk-troops-12k": ("12,000", "Ukraine"),
        }.items():
            figure = claims.Figure(quantity=quantity, unit="troops")
            claims.add_claim(s, key=key, text=key, topic="nk-troops", figure=figure)
            claims.add_assertion(s, claim=key, article=f"#{article.id}", speaker=speaker)
        claims.relate(s, a="nk-troops-10k", kind="contradicts", b="nk-troops-12k")
    return db_url


@pytest.mark.parametrize(
    "command",
    [
        ["claims", "--format", "json"],
        ["claims", "--speaker", "Ukraine", "--outlet", "Yonhap", "--format", "csv"],
        ["claims", "show", "nk-troops-10k", "--format", "json"],
        ["claims", "show", "nk-troops-10k"],
        ["contradictions", "--format", "csv"],
        ["contradictions", "--topic", "nk-troops", "--format", "json"],
        ["outlet", "list", "--format", "csv"],
        ["actor", "list", "--format", "json"],
        ["article", "list", "--outlet", "Yonhap", "--format", "csv"],
        ["db", "path"],
        ["db", "current"],
    ],
    ids=" ".join,
)
def test_a_read_command_imports_neither_the_orm_nor_alembic(desk, command):
    assert imported_by(desk, *command) == []


def test_a_command_that_writes_does_import_the_orm(desk):
    # the probe above can fail: a write goes through an ORM session
    assert imported_by(desk, "outlet", "add", "AFP", "--kind", "wire") == [
        "sqlalchemy.orm",
        "provenance.db.models",
    ]


def test_the_collector_is_off_during_start_up_then_on_less_often():
    assert gc.isenabled()
    before = gc.get_threshold()
    try:
        context.quiet_start_up()
        assert not gc.isenabled()
        context.work_starts()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # what start-up made is left alone
        assert gc.get_threshold() == (context.WORK_GC_THRESHOLD, *before[1:])
        context.work_starts()  # a second engine in one process changes nothing
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()
        gc.set_threshold(*before)


def test_the_collector_is_left_alone_without_start_up():
    # the library, and the suite's CliRunner, do not go through cli.app.main
    before = gc.get_threshold()
    context.work_starts()
    assert gc.isenabled()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
