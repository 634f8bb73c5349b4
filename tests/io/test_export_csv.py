"""The CSV export writes what ``csv.writer`` writes, in the documents' order, the same
bytes on every backend: awkward values, empty and missing values, code point order."""

from __future__ import annotations

import csv
import io

from sqlalchemy import Engine, update
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.db.engine import session_scope
from provenance.db.models import Article, Assertion
from tests.io.test_export import exported, load, round_trip

AWKWARD = """
outlets:
  - {name: "Smith, Jones & Co"}
  - {name: 'The "Daily"'}
actors:
  - {name: "Kim, Jr."}
  - {name: Lee}
articles:
  - url: "https://example.org/x?a=1,2"
    outlet: 'The "Daily"'
    via: "Smith, Jones & Co"
    published: 2024-10-18
    title: "Two\\nlines"
  - {outlet: 'The "Daily"', title: "Undated, \\"quoted\\""}
  - {outlet: 'The "Daily"', title: Earlier, published: 2024-01-02}
claims:
  - key: n_b
    text: "Line one\\r\\nline two"
    topic: "a,b"
    unit: "per \\"day\\""
    assertions:
      - {article: "Undated, \\"quoted\\"", speaker: "Kim, Jr.", wording: "said, \\"maybe\\"",
         quote: "He said:\\n\\"yes\\""}
      - {article: Earlier, speaker: Lee, wording: said}
      - {article: "https://example.org/x?a=1,2", speaker: Lee, cites: "Kim, Jr.",
         stance: denies, wording: may, confidence: likely}
      - {article: "https://example.org/x?a=1,2", speaker: Lee, wording: said}
  - key: n-b
    text: Nobody has stated it.
  - key: nb
    text: Last by code point.
    quantity: more than 3,000
    assertions:
      - {article: Earlier}
  - key: n.b
    text: First by code point.
    quantity: about 10
    assertions:
      - {article: Earlier}
"""

# claim_key, claim_text, topic, quantity, low, high, unit, as_of, since, cumulative
N_B = ["n_b", "Line one\r\nline two", "a,b", None, None, None, 'per "day"', None, None, ""]
FIRST = ["n.b", "First by code point.", None, "about 10", "9", "11", None, None, None, ""]
LAST = ["nb", "Last by code point.", None, "more than 3,000", None, None, None, None, None, ""]
# outlet, via, article_url, article_title, published
X = ['The "Daily"', "Smith, Jones & Co", "https://example.org/x?a=1,2", "Two\nlines", "2024-10-18"]
EARLIER = ['The "Daily"', None, None, "Earlier", "2024-01-02"]
UNDATED = ['The "Daily"', None, None, 'Undated, "quoted"', None]


def row(claim: list, stance: str, speaker, cites, article: list, *rest) -> list:
    """A CSV row as cells: ``rest`` is wording, confidence and quote."""
    return [*claim, stance, speaker, cites, *article, *rest, *[None] * (3 - len(rest))]


ROWS = [  # by key ("-" < "." < "_" < letters), then by date (undated last), cites, ...
    row(FIRST, "asserts", None, None, EARLIER),
    row(N_B, "asserts", "Lee", None, EARLIER, "said"),
    row(N_B, "asserts", "Lee", None, X, "said"),
    row(N_B, "denies", "Lee", "Kim, Jr.", X, "may", "likely"),
    row(N_B, "asserts", "Kim, Jr.", None, UNDATED, 'said, "maybe"', None, 'He said:\n"yes"'),
    row(LAST, "asserts", None, None, EARLIER),
]


def written_by_csv_module(rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(exported_header())
    writer.writerows(rows)
    return out.getvalue()


def exported_header() -> list[str]:
    from provenance.io.exporters import CSV_COLUMNS, OPEN_ENDS

    return [c for c in CSV_COLUMNS if c not in OPEN_ENDS]


def test_csv_cells_are_what_the_csv_module_writes(engine: Engine) -> None:
    load(engine, AWKWARD)
    # the same literal on every backend under test: SQLite and PostgreSQL give these bytes
    assert exported(engine, "csv") == written_by_csv_module(ROWS)


def test_an_awkward_csv_export_round_trips(engine: Engine) -> None:
    load(engine, AWKWARD)
    first, second = round_trip(engine, "csv")
    assert first == second == written_by_csv_module(ROWS)


def test_empty_and_missing_text_are_both_an_empty_cell(engine: Engine) -> None:
    load(engine, AWKWARD)
    before = exported(engine, "csv")
    with session_scope(engine, write=True) as session:
        session.execute(update(Assertion).where(Assertion.quote.is_(None)).values(quote=""))
        session.execute(update(Assertion).where(Assertion.wording.is_(None)).values(wording=""))
        session.execute(update(Article).where(Article.via_id.is_(None)).values(byline=""))
    assert exported(engine, "csv") == before


def test_prov_export_writes_these_bytes_to_a_file(db_url: str, engine: Engine, tmp_path) -> None:
    load(engine, AWKWARD)
    target = tmp_path / "desk.csv"

    result = CliRunner().invoke(app, ["--db", db_url, "export", str(target)])

    assert result.exit_code == 0, result.output
    assert "exported 6 records" in result.stderr
    assert target.read_bytes() == written_by_csv_module(ROWS).encode()
