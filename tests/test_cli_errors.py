"""A user's mistake about files and databases ends as `Error: …`, never a traceback."""

from __future__ import annotations

from typer.testing import CliRunner

from provenance.cli.app import app

runner = CliRunner()


def assert_clean_error(result, *fragments: str, code: int = 1) -> None:
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr


def test_a_folder_given_as_the_database(tmp_path):
    result = runner.invoke(app, ["--db", str(tmp_path), "claims", "--format", "csv"])
    assert_clean_error(result, "cannot use the database")


def test_a_url_of_no_known_database(tmp_path):
    result = runner.invoke(app, ["--db", "nosuchdb://x/y", "claims"])
    assert_clean_error(result, "not a database path or URL")


def test_an_unreachable_server(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = runner.invoke(app, ["--db", url, "db", "current"])
    assert_clean_error(result, "cannot use the database")


def test_exporting_into_a_missing_folder(db_url, tmp_path):
    target = tmp_path / "missing" / "desk.yaml"
    result = runner.invoke(app, ["--db", db_url, "export", str(target)])
    assert_clean_error(result, "No such file or directory", str(target))


def test_a_listing_into_a_missing_folder(db_url, tmp_path):
    target = tmp_path / "missing" / "claims.csv"
    result = runner.invoke(app, ["--db", db_url, "claims", "--output", str(target)])
    assert_clean_error(result, str(target))
