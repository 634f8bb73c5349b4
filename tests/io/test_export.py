"""The export: readable documents, flat CSV, and exact round trips through the import."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, delete, update

from provenance.db.engine import session_scope
from provenance.db.models import Actor, ActorAlias, Article, Assertion, Claim, Outlet, Relation
from provenance.errors import InvalidInput
from provenance.io.exporters import EXPORTERS, export
from provenance.io.importer import import_sources
from tests.io.test_import import DOCUMENT, SAMPLE, counts

SMALL = """
outlets:
  - {name: Yonhap, kind: wire, reliability: B}
  - {name: afp}
actors:
  - {name: NIS, kind: agency, part_of: South Korea}
  - {name: South Korea, kind: government, aliases: [Seoul]}
articles:
  - {url: "https://example.org/a", outlet: Yonhap, via: afp, published: 2024-10-18}
claims:
  - key: c-more
    text: More than 1.5 million.
    quantity: more than 1.5 million
    cumulative: true
  - key: c-about
    text: About ten.
    quantity: about 10
    assertions:
      - {article: "https://example.org/a", speaker: Seoul, stance: denies, wording: may,
         confidence: likely}
      - {article: "https://example.org/a", speaker: NIS, wording: said}
relations:
  - {a: c-more, kind: supports, b: c-about}
"""

SMALL_YAML = """\
outlets:
- name: afp
- name: Yonhap
  kind: wire
  reliability: B
actors:
- name: South Korea
  kind: government
  aliases:
  - Seoul
- name: NIS
  kind: agency
  part_of: South Korea
articles:
- url: https://example.org/a
  outlet: Yonhap
  via: afp
  published: 2024-10-18
claims:
- key: c-about
  text: About ten.
  quantity: about 10
  low: 9
  high: 11
  assertions:
  - article: https://example.org/a
    speaker: NIS
    wording: said
  - article: https://example.org/a
    speaker: South Korea
    stance: denies
    wording: may
    confidence: likely
- key: c-more
  text: More than 1.5 million.
  quantity: more than 1.5 million
  cumulative: true
relations:
- a: c-more
  kind: supports
  b: c-about
"""

SMALL_CSV = (
    "claim_key,claim_text,topic,quantity,low,high,unit,as_of,since,cumulative,stance,"
    "speaker,cites,outlet,via,article_url,article_title,published,wording,confidence,quote\r\n"
    "c-about,About ten.,,about 10,9,11,,,,,asserts,NIS,,Yonhap,afp,https://example.org/a,,"
    "2024-10-18,said,,\r\n"
    "c-about,About ten.,,about 10,9,11,,,,,denies,South Korea,,Yonhap,afp,"
    "https://example.org/a,,2024-10-18,may,likely,\r\n"
)


def load(engine: Engine, content: str, fmt: str = "yaml") -> None:
    with session_scope(engine, write=True) as session:
        import_sources(session, ["-"], fmt=fmt, stdin=io.StringIO(content))


def exported(engine: Engine, fmt: str, **options) -> str:
    out = io.StringIO()
    with session_scope(engine) as session:
        export(session, out, fmt, **options)
    return out.getvalue()


def wipe(engine: Engine) -> None:
    """Empty every table: the database an export is imported into is a fresh one."""
    with session_scope(engine, write=True) as session:
        session.execute(update(Actor).values(part_of_id=None, group_id=None))
        for model in (Assertion, Relation, ActorAlias, Article, Claim, Outlet, Actor):
            session.execute(delete(model))
    assert set(counts(engine).values()) == {0}


def round_trip(engine: Engine, fmt: str) -> tuple[str, str]:
    first = exported(engine, fmt)
    wipe(engine)
    load(engine, first, fmt)
    return first, exported(engine, fmt)


@pytest.mark.parametrize("fmt", ["csv", "yaml", "json"])
@pytest.mark.parametrize("source", ["sample", "hand-built", "small"])
def test_export_import_export_gives_the_same_bytes(engine: Engine, fmt: str, source: str) -> None:
    content = {"sample": SAMPLE.read_text(encoding="utf-8"), "hand-built": DOCUMENT}
    load(engine, content.get(source, SMALL))

    first, second = round_trip(engine, fmt)

    assert first == second
    assert len(first.splitlines()) >= 3


def test_a_csv_export_round_trips_through_a_file(engine: Engine, tmp_path: Path) -> None:
    load(engine, DOCUMENT)
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as out, session_scope(engine) as s:
        written = export(s, out, "csv")
    wipe(engine)
    with session_scope(engine, write=True) as session:
        report = import_sources(session, [str(path)])

    assert written == report.seen == report.added["assertions"] == 6
    assert path.read_bytes().decode() == exported(engine, "csv")


def test_a_document_export_leaves_out_empty_and_default_values(engine: Engine) -> None:
    load(engine, SMALL)
    assert exported(engine, "yaml") == SMALL_YAML


def test_json_has_the_document_structure_with_integral_numbers(engine: Engine) -> None:
    load(engine, SMALL)
    text = exported(engine, "json")

    assert text.startswith('{\n  "outlets": [\n')
    assert text.endswith("}\n")
    assert '"low": 9,' in text
    assert '"published": "2024-10-18"' in text
    from_yaml = json.loads(json.dumps(yaml.safe_load(SMALL_YAML), default=str))
    assert json.loads(text) == from_yaml


def test_csv_has_one_row_per_assertion(engine: Engine) -> None:
    load(engine, SMALL)
    assert exported(engine, "csv") == SMALL_CSV


def test_csv_adds_open_end_columns_only_when_a_figure_needs_them(engine: Engine) -> None:
    load(engine, DOCUMENT)  # nk-troops-12000: low 10000, open, stated beside "over 10,000"
    header, *rows = exported(engine, "csv").splitlines()

    assert header.startswith("claim_key,claim_text,topic,quantity,low,low_open,high,high_open,")
    assert any(r.startswith("nk-troops-12000,") and ",10000,true,12000,," in r for r in rows)

    wipe(engine)
    load(engine, SAMPLE.read_text(encoding="utf-8"))  # every open end comes from a phrase
    assert "low_open" not in exported(engine, "csv").splitlines()[0]


def test_an_empty_database_exports_empty_documents(engine: Engine) -> None:
    assert exported(engine, "yaml") == "{}\n"
    assert exported(engine, "json") == "{}\n"
    assert exported(engine, "csv").count("\r\n") == 1


def test_progress_counts_every_record_written(engine: Engine) -> None:
    load(engine, DOCUMENT)
    for fmt in EXPORTERS:
        steps: list[int] = []
        out = io.StringIO()
        with session_scope(engine) as session:
            written = export(session, out, fmt, progress=steps.append)
        assert sum(steps) == written
    assert written == 3 + 7 + 4 + 4 + 6 + 2


def test_an_unknown_format_is_invalid_input(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="'xml' is not one of: csv, yaml, json"):
        exported(engine, "xml")
