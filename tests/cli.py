"""Helpers for driving `prov` through typer's CliRunner on a test database."""

from __future__ import annotations

import json
import shlex

from typer.testing import CliRunner

from provenance.cli.app import app

runner = CliRunner()


def prov(db_url: str, *args: str):
    return runner.invoke(app, ["--db", db_url, *args])


def ok(db_url: str, *args: str):
    result = prov(db_url, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
    return result


def build(db_url: str, *commands: str) -> None:
    """Run each command line (shell-quoted, without `prov`), all of which must succeed."""
    for command in commands:
        ok(db_url, *shlex.split(command))


def rows(db_url: str, *args: str) -> list[dict]:
    return json.loads(ok(db_url, *args, "--format", "json").stdout)
