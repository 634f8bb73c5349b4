"""The import, through the library API, against the real database of the fixtures."""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, event, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, OperationalError

from provenance.db.engine import CACHE_KIB, make_engine, session_scope
from provenance.db.models import (
    Actor,
    ActorAlias,
    Article,
    Assertion,
    Claim,
    Outlet,
    Relation,
)
from provenance.errors import Conflict, ImportRefused, Problem
from provenance.io import ahead, flat, flat_rows, readers
from provenance.io.importer import ImportReport, import_sources

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "north-korea-russia.yaml"
TABLES = {
    "outlets": Outlet,
    "actors": Actor,
    "aliases": ActorAlias,
    "articles": Article,
    "claims": Claim,
    "assertions": Assertion,
    "relations": Relation,
}
NOTHING = dict.fromkeys(TABLES, 0)

DOCUMENT = """
outlets:
  - {name: Yonhap, kind: wire, country: South Korea, reliability: B}
  - {name: The Korea Herald, kind: newspaper, url: "https://www.koreaherald.com"}
  - {name: Ministry Site, kind: government}
actors:
  - {name: South Korea, kind: government, aliases: [Seoul]}
  - {name: National Intelligence Service, kind: agency, part_of: South Korea, aliases: [NIS]}
  - {name: Defense Intelligence Agency, kind: agency, part_of: Seoul, aliases: [DIA]}
  - {name: Shin Wonsik, kind: person, part_of: South Korea}
  - {name: Officials, kind: unnamed}
  - {name: Ukraine, kind: government}
  - {name: Some Analyst}
articles:
  - url: https://example.org/a1
    outlet: The Korea Herald
    via: Yonhap
    published: 2024-10-18
    title: Troops sent
    byline: Kim
    text: "North Korea has sent about 1,500 troops, the NIS said."
  - {url: "https://example.org/a2", outlet: yonhap, published: 2024-10-20}
  - {outlet: Ministry Site, title: Press release 12, published: 2024-10-21}
  - {outlet: Ministry Site, title: Undated note}
claims:
  - key: nk-troops-1500
    text: North Korea has sent about 1,500 troops to Russia.
    topic: nk-troops
    quantity: about 1,500
    unit: troops
    as_of: 2024-10-18
    assertions:
      - {article: "https://example.org/a1", speaker: NIS, wording: said,
         quote: "about 1,500 troops", quote_start: 21, quote_end: 39}
      - {article: "https://example.org/a2", speaker: Shin Won-sik, cites: DIA,
         wording: appears to have}
  - key: nk-troops-12000
    text: North Korea has sent more than 10,000 and up to 12,000 troops.
    topic: nk-troops
    quantity: over 10,000
    low: 10000
    low_open: true
    high: 12000
    unit: troops
    since: 2024-10-01
    cumulative: true
    assertions:
      - {article: Press release 12, speaker: Ukraine, wording: could have, confidence: likely}
      - {article: "https://example.org/a2", speaker: Officials, stance: doubts, wording: mulls}
      - {article: Undated note}
  - key: nk-troops-none
    text: No North Korean troops are in Russia.
    quantity: "0"
    assertions:
      - {article: "https://example.org/a1", speaker: Some Analyst, stance: denies, wording: may}
  - key: unsourced
    text: A claim nobody has stated yet.
relations:
  - {a: nk-troops-12000, kind: supersedes, b: nk-troops-1500, note: A later count.}
  - {a: nk-troops-none, kind: contradicts, b: nk-troops-12000}
"""
DOCUMENT_ADDS = {
    "outlets": 3,
    "actors": 7,
    "aliases": 10,
    "articles": 4,
    "claims": 4,
    "assertions": 6,
    "relations": 2,
}


def run(engine: Engine, sources: list[str], **options) -> ImportReport:
    with session_scope(engine, write=True) as session:
        return import_sources(session, sources, **options)


def refused(engine: Engine, sources: list[str], **options) -> list[Problem]:
    with pytest.raises(ImportRefused) as caught:
        run(engine, sources, **options)
    return caught.value.problems


def counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            name: session.execute(select(func.count()).select_from(model)).scalar_one()
            for name, model in TABLES.items()
        }


def located(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.where, p.field) for p in problems}


def why(problems: list[Problem], where: str, field: str) -> str:
    return next(p.why for p in problems if (p.where, p.field) == (where, field))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, so sources are named as a user would type them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(name: str, content: str) -> str:
    Path(name).write_text(content, encoding="utf-8", newline="")
    return name


def test_the_test_database_keeps_every_table_in_its_own_schema(engine: Engine) -> None:
    expected = {"alembic_version", *(m.__table__.name for m in TABLES.values())}
    with engine.connect() as conn:
        assert expected <= set(inspect(conn).get_table_names())
        if conn.dialect.name != "postgresql":
            return
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        rows = conn.execute(
            text(
                "SELECT table_schema, table_name FROM information_schema.tables"
                " WHERE table_schema IN (:schema, 'public')"
            ),
            {"schema": schema},
        ).all()
    assert schema.startswith("prov_test_")
    assert expected <= {name for where, name in rows if where == schema}
    assert not expected & {name for where, name in rows if where == "public"}


# ---- documents ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_document_creates_every_entity(engine: Engine, workdir: Path, fmt: str) -> None:
    data = yaml.safe_load(DOCUMENT)
    content = DOCUMENT if fmt == "yaml" else json.dumps(data, default=str)
    report = run(engine, [write(f"doc.{fmt}", content)])

    assert report.added == DOCUMENT_ADDS
    assert report.seen == 3 + 7 + 4 + 4 + 6 + 2
    assert counts(engine) == DOCUMENT_ADDS
    with session_scope(engine) as s:
        yonhap = s.execute(select(Outlet).where(Outlet.name == "Yonhap")).scalar_one()
        assert (yonhap.kind, yonhap.country, yonhap.reliability) == ("wire", "South Korea", "B")
        analyst = s.execute(select(Actor).where(Actor.name == "Some Analyst")).scalar_one()
        assert analyst.kind == "other"
        a1 = s.execute(select(Article).where(Article.url == "https://example.org/a1")).scalar_one()
        assert a1.text_sha256 == hashlib.sha256(a1.text.encode()).hexdigest()
        assert a1.via_id == yonhap.id
        c = {c.key: c for c in s.execute(select(Claim)).scalars()}
        first = c["nk-troops-1500"]
        assert (first.quantity, first.low, first.high) == ("about 1,500", 1350, 1650)
        assert (first.low_open, first.high_open, first.as_of.isoformat()) == (
            False,
            False,
            "2024-10-18",
        )
        second = c["nk-troops-12000"]  # explicit low/high win over the phrase, kept as written
        assert (second.quantity, second.low, second.high) == ("over 10,000", 10000, 12000)
        assert (second.low_open, second.high_open, second.cumulative) == (True, False, True)
        assert c["unsourced"].as_of is None
        levels = s.execute(
            select(Assertion.wording, Assertion.confidence, Assertion.confidence_manual)
        ).all()
        assert set(levels) == {
            ("said", "asserted", False),
            ("appears to have", "likely", False),
            ("could have", "likely", True),
            ("mulls", "asserted", False),
            (None, "asserted", False),
            ("may", "roughly-even-chance", False),
        }


def test_actors_match_by_any_alias_ignoring_case_and_punctuation(
    engine: Engine, workdir: Path
) -> None:
    run(engine, [write("doc.yaml", DOCUMENT)])
    again = """
actors:
  - {name: Shin Won-sik, kind: person}
  - {name: seoul, kind: government, aliases: [Republic of Korea]}
claims:
  - key: nk-troops-1500
    assertions:
      - {article: "https://example.org/a1", speaker: shin won sik, cites: n.i.s.}
"""
    report = run(engine, [write("again.yaml", again)])

    assert report.added | {"aliases": 0, "assertions": 0} == NOTHING
    assert (report.added["aliases"], report.added["assertions"]) == (1, 1)
    with session_scope(engine) as s:
        shin = s.execute(select(Actor.id).where(Actor.name == "Shin Wonsik")).scalar_one()
        nis = s.execute(select(ActorAlias.actor_id).where(ActorAlias.alias == "NIS")).scalar_one()
        new = s.execute(select(Assertion).where(Assertion.article_id.is_not(None))).scalars()
        assert any(a.speaker_id == shin and a.cites_id == nis for a in new)
        korea = s.execute(select(ActorAlias.actor_id).where(ActorAlias.alias == "Seoul")).scalar()
        added = s.execute(
            select(ActorAlias.actor_id).where(ActorAlias.alias == "Republic of Korea")
        ).scalar()
        assert added == korea


def test_the_sample_document_imports_and_its_groups_follow_part_of(engine: Engine) -> None:
    report = run(engine, [str(SAMPLE)])

    assert report.added["claims"] > 20
    assert report.added["relations"] > 0
    assert all(", claims[" in w and "holds no known cue" in w for w in report.warnings)
    with session_scope(engine) as s:
        group = dict(s.execute(select(Actor.name, Actor.group_id)).all())
        ids = dict(s.execute(select(Actor.name, Actor.id)).all())
    assert group["Yoo Sang-bum"] == group["National Intelligence Service"] == ids["South Korea"]
    assert group["Kim Jong Un"] == ids["North Korea"]


def test_assertion_groups_come_from_the_origin(engine: Engine, workdir: Path) -> None:
    run(engine, [write("doc.yaml", DOCUMENT)])
    with session_scope(engine) as s:
        ids = dict(s.execute(select(Actor.name, Actor.id)).all())
        rows = s.execute(select(Assertion.wording, Assertion.group_id)).all()
    group = dict(rows)
    korea = ids["South Korea"]
    assert group["said"] == korea  # the NIS, part of South Korea
    assert group["appears to have"] == korea  # cites the DIA, also part of South Korea
    assert group["could have"] == ids["Ukraine"]
    assert group["may"] == ids["Some Analyst"]  # part of nothing: its own group
    assert group["mulls"] is None  # an unnamed source: no origin
    assert group[None] is None  # the outlet's own voice: no origin


# ---- CSV ------------------------------------------------------------------------------

CSV = (
    "claim_key,claim_text,topic,quantity,unit,stance,speaker,cites,outlet,via,"
    "article_url,article_title,published,wording,confidence,quote\r\n"
    "nk-shells-1m,North Korea sent over a million shells,shells,more than one million,"
    "shells,,Yoo Sang-bum,NIS,The Moscow Times,AFP,https://mt.example/1,Shells,2023-11-01,"
    'has learned,,"more than one million\r\nartillery rounds"\r\n'
    "nk-shells-1m,,,,,,Shin Won-sik,,Yonhap,,,Briefing,2023-11-02,says,,\r\n"
    "nk-shells-1m,,,,,doubts,Kremlin,,AFP,,,Wire note,,could,almost-certain,\r\n"
)


def test_csv_creates_outlets_actors_articles_and_claims_on_the_fly(
    engine: Engine, workdir: Path
) -> None:
    report = run(engine, [write("rows.csv", CSV)])

    assert report.seen == 3
    assert report.added == {
        "outlets": 3,
        "actors": 4,
        "aliases": 4,
        "articles": 3,
        "claims": 1,
        "assertions": 3,
        "relations": 0,
    }
    with session_scope(engine) as s:
        kinds = dict(s.execute(select(Outlet.name, Outlet.kind)).all())
        assert kinds == {"The Moscow Times": "other", "AFP": "wire", "Yonhap": "other"}
        assert set(s.execute(select(Actor.kind)).scalars()) == {"other"}
        claim = s.execute(select(Claim)).scalar_one()
        assert (claim.low, claim.high, claim.low_open, claim.high) == (1e6, None, True, None)
        stances = s.execute(select(Assertion.stance, Assertion.confidence)).all()
        assert sorted(stances) == [
            ("asserts", "asserted"),
            ("asserts", "asserted"),
            ("doubts", "almost-certain"),
        ]
        quote = s.execute(select(Assertion.quote).where(Assertion.quote.is_not(None))).scalar()
        assert quote == "more than one million\r\nartillery rounds"
        untitled = s.execute(select(Article).where(Article.url.is_(None))).scalars().all()
        assert {(a.title, str(a.published)) for a in untitled} == {
            ("Briefing", "2023-11-02"),
            ("Wire note", "None"),
        }


def test_csv_accepts_a_bom_and_columns_in_any_order(engine: Engine, workdir: Path) -> None:
    content = "\ufeffoutlet,claim_key,article_title,claim_text\nAFP,c-1,Note,A claim\n"
    report = run(engine, [write("bom.csv", content)])
    assert report.added["claims"] == 1


def test_csv_reads_in_chunks_and_resolves_across_them(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK", 2)
    monkeypatch.setattr(flat_rows, "MEMO_LIMIT", 1)  # maps dropped: the database answers
    rows = ["claim_key,claim_text,outlet,article_url,speaker"]
    rows += [
        f"c-{i % 3},Claim {i % 3},Outlet {i % 2},https://x.example/{i % 4},A{i % 5}"
        for i in range(12)
    ]
    seen = []
    report = run(engine, [write("many.csv", "\n".join(rows) + "\n")], progress=seen.append)

    assert seen == [2] * 6
    assert report.seen == 12
    found = counts(engine)
    assert (found["outlets"], found["actors"], found["articles"]) == (2, 5, 4)
    assert (found["claims"], found["assertions"]) == (3, 12)


AHEAD_ROWS = [
    "claim_key,claim_text,outlet,via,article_url,speaker,cites,wording,published,as_of",
    "c-1,Claim one,Herald,AFP,https://x.example/1,NIS,DIA,said,2024-10-18,",
    "c-1,,Herald,,https://x.example/2,Army,,mulls,2024-10-19,",
    "c-2,Claim two,AFP,,https://x.example/3,NIS,,appears,,2024-10-01",
    "c-2,,Yonhap,AFP,https://x.example/4,Navy,Army,ponders,,",
    "c-3,Claim three,Yonhap,,https://x.example/5,DIA,,said,2024-10-20,",
]


@pytest.mark.parametrize("first", [True, False])
def test_reading_ahead_in_a_process_reads_the_same_records(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch, first: bool
) -> None:
    """Rows read in a forked process (``ahead``) or here give the same records: an
    import the other way adds nothing and finds nothing that differs."""
    monkeypatch.setattr(readers, "CHUNK", 2)
    monkeypatch.setattr(flat_rows, "MEMO_LIMIT", 1)  # names announced again, ids dropped
    source = write("ahead.csv", "\n".join(AHEAD_ROWS) + "\n")
    monkeypatch.setattr(ahead, "READ_AHEAD", first)
    report = run(engine, [source])
    monkeypatch.setattr(ahead, "READ_AHEAD", not first)
    again = run(engine, [source])

    assert report.added == NOTHING | {
        "outlets": 3, "actors": 4, "aliases": 4, "articles": 5, "claims": 3, "assertions": 5
    }  # fmt: skip
    assert report.warnings == [
        "ahead.csv, line 3: wording 'mulls' holds no known cue; taken as asserted "
        "(extend the lexicon)",
        "ahead.csv, line 5: wording 'ponders' holds no known cue; taken as asserted "
        "(extend the lexicon)",
    ]
    assert (again.added, again.seen) == (NOTHING, report.seen)
    with session_scope(engine) as s:
        kinds = dict(s.execute(select(Outlet.name, Outlet.kind)).all())
    assert kinds == {"Herald": "other", "AFP": "wire", "Yonhap": "other"}


def test_an_outlet_named_as_via_later_in_its_first_chunk_is_a_wire(
    engine: Engine, workdir: Path
) -> None:
    content = (
        "claim_key,claim_text,outlet,via,article_url\n"
        "c-1,One,Alpha,,https://x.example/1\n"
        "c-1,,Beta,,https://x.example/2\n"
        "c-1,,Beta,Alpha,https://x.example/3\n"  # both named before: Alpha is a wire
    )
    run(engine, [write("via.csv", content)])
    with session_scope(engine) as s:
        kinds = dict(s.execute(select(Outlet.name, Outlet.kind)).all())
    assert kinds == {"Alpha": "wire", "Beta": "other"}


def test_reading_ahead_reports_the_same_problems(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readers, "CHUNK", 2)
    rows = [*AHEAD_ROWS, "c-4,Claim four,Yonhap,,https://x.example/6,DIA,,said,2024-13-01,"]
    rows += ["c-5,,Yonhap,,,DIA,,said,,", 'c-6,"Claim, six,Yonhap']
    source = write("bad.csv", "\n".join(rows) + "\n")
    found = {}
    for on in (True, False):
        monkeypatch.setattr(ahead, "READ_AHEAD", on)
        found[on] = [str(p) for p in refused(engine, [source])]

    assert found[True] == found[False]
    assert found[True] == [
        "bad.csv, line 7: published: '2024-13-01' is not a date (YYYY-MM-DD)",
        "bad.csv, line 8: article_url: article_url or article_title is required",
        "bad.csv, line 9: not valid CSV: unexpected end of data",
    ]
    assert counts(engine) == NOTHING


def test_a_failure_while_reading_ahead_fails_the_import(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(cell: str) -> str:
        raise ZeroDivisionError(cell)

    monkeypatch.setattr(flat_rows, "_iso", broken)  # a bug in the reading process
    source = write("ahead.csv", "\n".join(AHEAD_ROWS) + "\n")
    with pytest.raises(RuntimeError, match="ZeroDivisionError: 2024-10-18"):
        run(engine, [source])
    assert counts(engine) == NOTHING


def test_ahead_yields_every_item_and_stops_its_process_early() -> None:
    assert list(ahead.ahead(iter(range(20_000)))) == list(range(20_000))
    items = ahead.ahead(iter(range(10**9)))  # would take minutes to the end
    assert [next(items) for _ in range(3)] == [0, 1, 2]
    items.close()  # the reading process is stopped and waited for


def test_stdin_needs_a_format(engine: Engine) -> None:
    content = "claim_key,claim_text,outlet,article_title\nc-1,A claim,AFP,Note\n"
    report = run(engine, ["-"], fmt="csv", stdin=io.StringIO(content))
    assert report.added["assertions"] == 1

    problems = refused(engine, ["-"], stdin=io.StringIO(content))
    assert [str(p) for p in problems] == [
        "<stdin>, file: reading stdin ('-') needs a format: csv, yaml or json"
    ]


def test_stdin_named_twice_is_read_once(engine: Engine) -> None:
    rows = "".join(f"c-{i},Claim {i},AFP,Note {i}\n" for i in range(3_000))  # past a buffer
    content = "claim_key,claim_text,outlet,article_title\n" + rows
    problems = refused(engine, ["-", "-"], fmt="csv", stdin=io.StringIO(content))
    assert [str(p) for p in problems] == ["<stdin>, line 1: a header row is required"]


def test_a_yaml_document_from_stdin(engine: Engine) -> None:
    report = run(engine, ["-"], fmt="yaml", stdin=io.StringIO(DOCUMENT))
    assert report.added == DOCUMENT_ADDS


# ---- idempotency and warnings ---------------------------------------------------------


@pytest.mark.parametrize("name", ["sample", "document", "csv"])
def test_importing_twice_adds_nothing(engine: Engine, workdir: Path, name: str) -> None:
    source = {
        "sample": lambda: str(SAMPLE),
        "document": lambda: write("doc.yaml", DOCUMENT),
        "csv": lambda: write("rows.csv", CSV),
    }[name]()
    first = run(engine, [source])
    after_first = counts(engine)
    second = run(engine, [source])

    assert sum(first.added.values()) > 0
    assert second.added == NOTHING
    assert second.seen == first.seen
    assert counts(engine) == after_first


def test_an_unknown_wording_is_a_warning_not_a_problem(engine: Engine, workdir: Path) -> None:
    content = (
        "claim_key,claim_text,outlet,article_title,speaker,wording,confidence\n"
        "c-1,A claim,AFP,Note,NIS,said,\n"
        "c-1,,AFP,Note,Army,mulls,\n"
        "c-1,,AFP,Note,Navy,Mulls,\n"  # warned once per wording
        "c-1,,AFP,Note,Air Force,ponders,likely\n"  # a confidence given: the lexicon is moot
    )
    report = run(engine, [write("data.csv", content)])

    assert report.warnings == [
        "data.csv, line 3: wording 'mulls' holds no known cue; taken as asserted "
        "(extend the lexicon)"
    ]
    assert report.added["assertions"] == 4


# ---- problems -------------------------------------------------------------------------

BAD_DOCUMENT = """
sources: []
outlets:
  - {name: Yonhap, kind: blog}
  - {name: Herald, reliability: Z}
  - {name: Wire, kind: wire, colour: red}
actors:
  - {name: A, kind: alien}
  - {name: B, part_of: Nobody}
  - {kind: person}
  - {name: C, aliases: NotAList}
articles:
  - {url: "https://x.example/1", outlet: Wire, published: 2024-13-45}
  - {outlet: Wire}
  - {url: "https://x.example/2", outlet: Nowhere}
claims:
  - {key: Bad Key!, text: x}
  - {key: c-low-high, text: x, low: 10, high: 5}
  - {key: c-quantity, text: x, quantity: loads of them}
  - {key: c-no-text}
  - key: c-ok
    text: fine
    since: yesterday
    cumulative: maybe
  - {key: c-open, text: x, low_open: true}
  - key: c-fine
    text: fine
    assertions:
      - {article: "https://nowhere.example/", speaker: Ghost, stance: believes, confidence: sure}
      - {article: "https://x.example/1", quote_start: 9, quote_end: 3}
      - {article: "https://x.example/1", cites: A}
relations:
  - {a: c-fine, kind: contradicts, b: c-fine}
  - {a: c-fine, kind: refutes, b: c-low-high}
  - {a: c-fine, kind: supports, b: nothing}
"""


def test_every_problem_in_a_document_is_listed_and_nothing_written(
    engine: Engine, workdir: Path
) -> None:
    problems = refused(engine, [write("bad.yaml", BAD_DOCUMENT)])

    assert {p.source for p in problems} == {"bad.yaml"}
    assert located(problems) == {
        ("document", "sources"),
        ("outlets[0]", "kind"),
        ("outlets[1]", "reliability"),
        ("outlets[2]", "colour"),
        ("actors[0]", "kind"),
        ("actors[1]", "part_of"),
        ("actors[2]", "name"),
        ("actors[3]", "aliases"),
        ("articles[0]", "published"),
        ("articles[1]", "url"),
        ("articles[2]", "outlet"),
        ("claims[0]", "key"),
        ("claims[1]", "high"),
        ("claims[2]", "quantity"),
        ("claims[3]", "text"),
        ("claims[4]", "since"),
        ("claims[4]", "cumulative"),
        ("claims[5]", "low_open"),
        ("claims[6].assertions[0]", "stance"),
        ("claims[6].assertions[0]", "confidence"),
        ("claims[6].assertions[1]", "quote_end"),
        ("relations[0]", "b"),
        ("relations[1]", "kind"),
        ("relations[2]", "b"),
    }
    assert why(problems, "outlets[0]", "kind").startswith("'blog' is not one of: wire,")
    assert why(problems, "actors[1]", "part_of") == "no actor is named 'Nobody'"
    assert why(problems, "articles[0]", "published") == "'2024-13-45' is not a date (YYYY-MM-DD)"
    assert why(problems, "articles[2]", "outlet") == "no outlet is named 'Nowhere'"
    assert "loads of them" in why(problems, "claims[2]", "quantity")
    assert why(problems, "claims[3]", "text") == "is required for a new claim"
    assert why(problems, "relations[2]", "b") == "no claim has the key 'nothing'"
    assert counts(engine) == NOTHING


def test_dangling_references_in_assertions_are_problems(engine: Engine, workdir: Path) -> None:
    content = """
outlets: [{name: AFP}]
articles: [{url: "https://x.example/1", outlet: AFP}]
claims:
  - key: c-1
    text: A claim
    assertions:
      - {article: "https://nowhere.example/", speaker: Ghost}
      - {article: "https://x.example/1", speaker: Ghost, cites: Spirit}
"""
    problems = refused(engine, [write("refs.yaml", content)])
    assert [str(p) for p in problems] == [
        "refs.yaml, claims[0].assertions[0]: article: "
        "no article has the URL or title 'https://nowhere.example/'",
        "refs.yaml, claims[0].assertions[0]: speaker: no actor is named or aliased 'Ghost'",
        "refs.yaml, claims[0].assertions[1]: speaker: no actor is named or aliased 'Ghost'",
        "refs.yaml, claims[0].assertions[1]: cites: no actor is named or aliased 'Spirit'",
    ]
    assert counts(engine) == NOTHING


def test_every_problem_in_csv_is_listed_with_its_line(engine: Engine, workdir: Path) -> None:
    content = (
        "claim_key,claim_text,outlet,article_url,published,stance,colour\n"
        'c-1,"Multi\nline text",Yonhap,https://x.example/1,2024-01-01,,red\n'
        "c-1,Other text,Yonhap,https://x.example/1,,,\n"
        "c-2,Text,Yonhap,https://x.example/2,2024-02-30,denies,\n"
        "c-3,,Yonhap,https://x.example/3,,asserts,\n"
        "c-4,Text,,https://x.example/4,,,\n"
        "c-5,Text,Yonhap,,,,\n"
        "c-6,Text,Yonhap,https://x.example/6,,maybe,\n"
        "c-7,Text,Yonhap,https://x.example/7,,,,extra\n"
        "\n"
        "c-8,Text,Herald,https://x.example/1,,,\n"
    )
    problems = refused(engine, [write("bad.csv", content)])

    assert [(p.where, p.field) for p in problems] == [
        ("line 1", "colour"),
        ("line 4", "claim_text"),
        ("line 5", "published"),
        ("line 6", "claim_text"),
        ("line 7", "outlet"),
        ("line 8", "article_url"),
        ("line 9", "stance"),
        ("line 10", ""),
        ("line 12", "outlet"),
    ]
    assert why(problems, "line 4", "claim_text") == (
        "claim 'c-1': 'Other text' here, 'Multi\\nline text' at line 2"
    )
    assert why(problems, "line 12", "outlet") == (
        "article 'https://x.example/1': 'Herald' here, 'Yonhap' at line 2"
    )
    assert why(problems, "line 8", "article_url") == "article_url or article_title is required"
    assert counts(engine) == NOTHING


def test_a_csv_without_a_required_column_is_refused(engine: Engine, workdir: Path) -> None:
    problems = refused(engine, [write("bad.csv", "claim_key,claim_text\nc-1,Text\n")])
    assert [str(p) for p in problems] == ["bad.csv, line 1: outlet: the column is required"]


def test_unreadable_sources_are_problems(engine: Engine, workdir: Path) -> None:
    sources = [
        write("broken.yaml", "claims: [\n"),
        write("broken.json", '{"claims": [}'),
        write("twice.yaml", "claims:\n  - {key: c-1, text: a, text: b}\n"),
        write("twice.json", '{"outlets": [{"name": "A", "name": "B"}]}'),
        write("notes.txt", "hello"),
        "missing.csv",
        write("quote.csv", 'claim_key,outlet\n"c-1"x,AFP\n'),
    ]
    problems = refused(engine, sources)

    assert [(p.source, p.where) for p in problems] == [
        ("broken.yaml", "line 2"),
        ("broken.json", "line 1"),
        ("twice.yaml", "line 2"),
        ("twice.json", "file"),
        ("notes.txt", "file"),
        ("missing.csv", "file"),
        ("quote.csv", "line 2"),
    ]
    assert "appears twice" in problems[2].why
    assert problems[3].why == "not valid JSON: key 'name' appears twice in one object"


def test_a_refused_import_writes_nothing_even_if_the_caller_commits(
    engine: Engine, workdir: Path
) -> None:
    good, bad = write("doc.yaml", DOCUMENT), write("bad.csv", "claim_key,outlet\nBad Key,AFP\n")
    with session_scope(engine, write=True) as session, pytest.raises(ImportRefused):
        import_sources(session, [good, bad])
    assert counts(engine) == NOTHING


def test_sources_of_one_import_resolve_against_each_other(engine: Engine, workdir: Path) -> None:
    rows = (
        "claim_key,claim_text,outlet,article_url,speaker,cites\n"
        "c-1,A claim,yonhap,https://example.org/new,Shin Won-sik,DIA\n"
    )
    report = run(engine, [write("doc.yaml", DOCUMENT), write("rows.csv", rows)])

    assert report.added["actors"] == DOCUMENT_ADDS["actors"]  # both named by an alias
    assert report.added["outlets"] == DOCUMENT_ADDS["outlets"]
    with session_scope(engine) as s:
        ids = dict(s.execute(select(Actor.name, Actor.id)).all())
        stated = s.execute(
            select(Assertion.speaker_id, Assertion.cites_id, Assertion.group_id)
            .join(Claim)
            .where(Claim.key == "c-1")
        ).one()
    korea = ids["South Korea"]
    assert tuple(stated) == (ids["Shin Wonsik"], ids["Defense Intelligence Agency"], korea)


def test_conflicts_with_existing_records_name_both_values(engine: Engine, workdir: Path) -> None:
    run(engine, [write("doc.yaml", DOCUMENT)])
    before = counts(engine)
    conflicting = """
outlets:
  - {name: yonhap, kind: newspaper}
actors:
  - {name: N.I.S., kind: person}
  - {name: New Body, aliases: [DIA]}
  - {name: Shin Wonsik, part_of: Ukraine}
articles:
  - {url: "https://example.org/a1", outlet: Yonhap, title: Troops sent}
claims:
  - {key: nk-troops-1500, text: Another text, quantity: "about 1,500"}
  - {key: nk-troops-12000, low: 9000, low_open: true, high: 12000}
"""
    problems = refused(engine, [write("conflict.yaml", conflicting)])

    assert [str(p) for p in problems] == [
        "conflict.yaml, actors[0]: kind: actor 'N.I.S.' is recorded with 'agency', not 'person'",
        "conflict.yaml, actors[1]: aliases: 'DIA' already names actor "
        "'Defense Intelligence Agency'",
        "conflict.yaml, actors[2]: part_of: actor 'Shin Wonsik' is recorded as part of "
        "'South Korea', not 'Ukraine'",
        "conflict.yaml, articles[0]: outlet: article 'https://example.org/a1' is recorded "
        "with 'The Korea Herald', not 'Yonhap'",
        "conflict.yaml, claims[0]: text: claim 'nk-troops-1500' is recorded with "
        "'North Korea has sent about 1,500 troops to Russia.', not 'Another text'",
        "conflict.yaml, claims[1]: interval: claim 'nk-troops-12000' is recorded with "
        "(10000, 12000], not (9000, 12000]",
        "conflict.yaml, outlets[0]: kind: outlet 'yonhap' is recorded with 'wire', not 'newspaper'",
    ]
    assert counts(engine) == before


def test_a_statement_already_recorded_must_agree(engine: Engine, workdir: Path) -> None:
    run(engine, [write("doc.yaml", DOCUMENT)])
    again = """
claims:
  - key: nk-troops-1500
    assertions:
      - {article: "https://example.org/a1", speaker: NIS, wording: told}
"""
    problems = refused(engine, [write("again.yaml", again)])
    assert [str(p) for p in problems] == [
        "again.yaml, claims[0].assertions[0]: wording: the same statement has 'said' "
        "recorded, not 'told'"
    ]


def test_a_part_of_cycle_is_refused(engine: Engine, workdir: Path) -> None:
    content = """
actors:
  - {name: Ministry, part_of: Agency}
  - {name: Agency, part_of: Bureau}
  - {name: Bureau, part_of: Ministry}
  - {name: Loner, part_of: loner}
  - {name: Fine, part_of: Ministry}
"""
    problems = refused(engine, [write("cycle.yaml", content)])
    assert [str(p) for p in problems] == [
        "cycle.yaml, actors[0]: part_of: part_of makes a cycle: "
        "Ministry → Agency → Bureau → Ministry",
        "cycle.yaml, actors[3]: part_of: part_of makes a cycle: Loner → Loner",
    ]
    assert counts(engine) == NOTHING


def test_a_title_shared_by_articles_without_url_is_ambiguous(engine: Engine, workdir: Path) -> None:
    rows = "claim_key,claim_text,outlet,article_title\nc-1,A claim,AFP,Note\nc-1,,Reuters,Note\n"
    run(engine, [write("rows.csv", rows)])
    content = "claims:\n  - key: c-1\n    assertions:\n      - {article: Note, speaker: X}\n"
    content = "actors: [{name: X}]\n" + content
    problems = refused(engine, [write("refs.yaml", content)])
    assert [str(p) for p in problems] == [
        "refs.yaml, claims[0].assertions[0]: article: "
        "several articles without URL have the title 'Note'"
    ]


# ---- the flat CSV in bulk: disagreements found in SQL -----------------------------------

ROWS = "claim_key,claim_text,outlet,article_url,article_title,speaker,wording,quote,confidence\n"


def test_a_statement_stated_twice_in_csv_is_one_filled_from_the_rest(
    engine: Engine, workdir: Path
) -> None:
    content = ROWS + (
        "c-1,A claim,AFP,https://x.example/1,,NIS,,,\n"
        "c-1,,AFP,https://x.example/1,,N.I.S.,said,,\n"  # an alias: the same statement
        "c-1,,AFP,https://x.example/1,,NIS,,a quote,likely\n"
    )
    actors = write("actors.yaml", "actors: [{name: NIS, aliases: [N.I.S.]}]\n")
    report = run(engine, [actors, write("rows.csv", content)])

    assert report.added["assertions"] == 1
    with session_scope(engine) as s:
        stated = s.execute(
            select(
                Assertion.wording,
                Assertion.quote,
                Assertion.confidence,
                Assertion.confidence_manual,
            )
        ).one()
    assert tuple(stated) == ("said", "a quote", "likely", True)

    clash = ROWS + (
        "c-2,Another,AFP,https://x.example/2,,NIS,said,,\n"
        "c-2,,AFP,https://x.example/2,,NIS,told,,\n"
    )
    problems = refused(engine, [write("clash.csv", clash)])
    assert [str(p) for p in problems] == [
        "clash.csv, line 3: wording: the same statement has 'said' at line 2, not 'told'"
    ]


def test_csv_rows_unlike_stored_records_are_problems_with_their_lines(
    engine: Engine, workdir: Path
) -> None:
    first = ROWS + "c-1,A claim,AFP,https://x.example/1,Title,NIS,said,,\n"
    run(engine, [write("first.csv", first)])
    before = counts(engine)
    again = ROWS + (
        "c-1,,AFP,https://x.example/1,,NIS,said,,\n"  # agrees: nothing to say
        "c-1,Other text,AFP,https://x.example/1,,NIS,,,\n"
        "c-1,,Reuters,https://x.example/1,Other title,NIS,,,\n"
        "c-1,,AFP,https://x.example/1,,NIS,told,,\n"
        "c-1,,AFP,https://x.example/1,,NIS,,,almost-certain\n"
    )
    problems = refused(engine, [write("again.csv", again)])

    assert [str(p) for p in problems] == [
        "again.csv, line 3: claim_text: claim 'c-1' is recorded with 'A claim', not 'Other text'",
        "again.csv, line 4: outlet: article 'https://x.example/1' is recorded with 'AFP', "
        "not 'Reuters'",
        "again.csv, line 4: article_title: article 'https://x.example/1' is recorded with "
        "'Title', not 'Other title'",
        "again.csv, line 5: wording: the same statement has 'said' recorded, not 'told'",
        "again.csv, line 6: confidence: the same statement has 'asserted' recorded, "
        "not 'almost-certain'",
    ]
    assert counts(engine) == before


def test_a_csv_value_where_the_stored_claim_has_none_is_a_problem(
    engine: Engine, workdir: Path
) -> None:
    run(engine, [write("a.csv", "claim_key,claim_text,outlet,article_url\nc1,One,AFP,u:1\n")])
    given = "claim_key,topic,unit,since,outlet,article_url\nc1,guns,shells,2023-01-01,AFP,u:2\n"
    problems = refused(engine, [write("b.csv", given)])
    assert [str(p) for p in problems] == [
        "b.csv, line 2: topic: claim 'c1' is recorded with no value, not 'guns'",
        "b.csv, line 2: unit: claim 'c1' is recorded with no value, not 'shells'",
        "b.csv, line 2: since: claim 'c1' is recorded with no value, not 2023-01-01",
    ]


def test_explicit_figures_in_csv_are_compared_with_the_stored_claim(
    engine: Engine, workdir: Path
) -> None:
    header = "claim_key,claim_text,quantity,low,high,high_open,outlet,article_title\n"
    run(engine, [write("a.csv", header + "c-1,Shells,over 10,10,20,,AFP,Note\n")])
    same = header + "c-1,,,10,20,,AFP,Note\nc-1,,over 10,,,,AFP,Note\n"
    assert run(engine, [write("same.csv", same)]).added == NOTHING

    problems = refused(engine, [write("b.csv", header + "c-1,,,10,20,true,AFP,Note\n")])
    assert [str(p) for p in problems] == [
        "b.csv, line 2: interval: claim 'c-1' is recorded with [10, 20], not [10, 20)"
    ]


def test_a_claim_given_over_several_rows_takes_its_figure_from_the_right_one(
    engine: Engine, workdir: Path
) -> None:
    """A claim's fields may come from several of its rows: an explicit interval wins
    over a quantity on another row, and a quantity given on a later row counts."""
    header = "claim_key,claim_text,quantity,low,high,outlet,article_title\n"
    rows = (
        "c-1,Shells,,10,20,AFP,One\n"
        "c-1,,about 100,,,AFP,Two\n"
        "c-2,Troops,,,,AFP,One\n"
        "c-2,,more than 3000,,,AFP,Two\n"
        "c-2,Troops,,,,AFP,Three\n"
        "c-3,Tanks,,,,AFP,One\n"
    )
    run(engine, [write("figures.csv", header + rows)])

    with session_scope(engine) as s:
        found = s.execute(
            select(Claim.key, Claim.quantity, Claim.low, Claim.high, Claim.low_open).order_by(
                Claim.key
            )
        ).all()
    assert [tuple(row) for row in found] == [
        ("c-1", "about 100", 10, 20, False),
        ("c-2", "more than 3000", 3000, None, True),
        ("c-3", None, None, None, False),
    ]


def test_a_large_load_rebuilds_the_indexes_it_set_aside(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite drops the secondary indexes of the statements, claims and articles for a
    load that at least doubles them, and creates them again after it."""
    monkeypatch.setattr(flat, "REBUILD_AT", 2)  # as if this were a million rows
    rows = [f"c-{i % 4},Claim,AFP,https://x.example/{i % 3},,A{i % 5},said,," for i in range(20)]
    source = write("many.csv", ROWS + "\n".join(rows) + "\n")
    report, again = run(engine, [source]), run(engine, [source])

    assert (report.added["assertions"], again.added["assertions"]) == (20, 0)
    assert statement_indexes(engine) == {i.name for i in Assertion.__table__.indexes}
    for model in (Claim, Article):
        assert table_indexes(engine, model) == {i.name for i in model.__table__.indexes}
    with session_scope(engine) as s:
        by_claim = s.execute(
            select(Claim.key, func.count(Assertion.id)).join(Assertion).group_by(Claim.key)
        ).all()
    assert sorted(by_claim) == [("c-0", 5), ("c-1", 5), ("c-2", 5), ("c-3", 5)]


def test_a_bulk_load_keeps_the_databases_own_checks(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite tests the statements' CHECK constraints once on all the staged rows, not
    per row; a staged row that breaks one (here past a broken cleaner) still has the
    database refuse the load."""
    header = "claim_key,claim_text,outlet,article_url,speaker,stance\n"
    rows = header + "c-1,Claim,AFP,https://x.example/1,A1,asserts\n"
    with monkeypatch.context() as patched:
        patched.setattr(flat_rows, "_stance", str.lower)  # lets any stance through
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            run(engine, [write("bad.csv", rows + "c-2,Claim,AFP,https://x.example/2,A2,bogus\n")])
    assert counts(engine)["assertions"] == 0

    assert run(engine, [write("good.csv", rows)]).added["assertions"] == 1


def test_a_large_load_checks_its_references_at_once_and_leaves_them_whole(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large load checks the statements' references in bulk (PostgreSQL: the foreign
    keys' triggers off for its INSERT; SQLite: its CHECK constraints once): every
    reference is whole after it, and the transaction goes on with the checks on."""
    monkeypatch.setattr(flat, "REBUILD_AT", 2)  # as if this were a million rows
    if hasattr(os, "sched_getaffinity"):  # SQLite's sort gets a helper on two cores or more
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
    stored = write("first.csv", ROWS + "c-0,Claim,AFP,https://x.example/0,,A0,said,,\n")
    run(engine, [stored])  # rows stored before: the load refers to them too
    rows = [f"c-{i % 4},Claim,AFP,https://x.example/{i % 3},,A{i % 5},said,," for i in range(20)]
    with session_scope(engine, write=True, bulk=True) as session:
        report = import_sources(session, [write("many.csv", ROWS + "\n".join(rows) + "\n")])
        if engine.dialect.name == "postgresql":
            setting = "SHOW session_replication_role"
            assert session.execute(text(setting)).scalar() == "origin"
        else:
            assert session.execute(text("PRAGMA ignore_check_constraints")).scalar() == 0
            assert session.execute(text("PRAGMA threads")).scalar() == 0  # its sort's helper
            # the indexes set aside were rebuilt with a smaller cache: it is back
            assert session.execute(text("PRAGMA cache_size")).scalar() == -CACHE_KIB

    assert report.added["assertions"] == 19
    assert dangling(engine) == {}


@pytest.mark.parametrize(
    "delete",
    [
        "DELETE FROM actors WHERE name = 'A0'",
        "DELETE FROM claims WHERE key = 'c-9'",
        "DELETE FROM articles WHERE url = 'https://x.example/9'",
    ],
)
def test_a_stored_record_a_large_load_refers_to_stays_until_the_load_ends(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch, delete: str
) -> None:
    """PostgreSQL: checked at once, the references are held as the foreign keys'
    triggers would hold them: another connection cannot delete a stored actor, claim or
    article the load refers to before the load commits. (On SQLite the database's one
    write lock holds them.)"""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's row locks")
    monkeypatch.setattr(flat, "REBUILD_AT", 2)
    run(engine, [write("actors.yaml", "actors:\n  - {name: A0}\n  - {name: A1}\n")])
    run(engine, [write("stored.csv", ROWS + "c-9,Claim,AFP,https://x.example/9,,A9,said,,\n")])
    rows = [f"c-{i},Claim,AFP,https://x.example/{i},,A{i % 2},said,," for i in range(4)]
    rows.append("c-9,,AFP,https://x.example/9,,A1,said,,")
    with session_scope(engine, write=True, bulk=True) as session:
        import_sources(session, [write("many.csv", ROWS + "\n".join(rows) + "\n")])
        with engine.connect() as other:
            other.execute(text("SET lock_timeout = '300ms'"))
            with pytest.raises(OperationalError, match="lock timeout"):
                other.execute(text(delete))

    assert dangling(engine) == {}


def test_a_reference_lost_during_a_large_load_refuses_it(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: with the triggers off for its INSERT, a load still finds a reference
    that leads nowhere (here an actor deleted in its own transaction, past the
    triggers) and writes nothing."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's triggers")
    monkeypatch.setattr(flat, "REBUILD_AT", 2)
    run(engine, [write("actors.yaml", "actors:\n  - {name: A0}\n  - {name: A1}\n")])

    def lose_an_actor(conn, cursor, statement, *_) -> None:
        if statement.lstrip().startswith("INSERT INTO assertions"):
            cursor.execute("DELETE FROM actors WHERE name = 'A1'")

    rows = [f"c-{i},Claim,AFP,https://x.example/{i},,A{i % 2},said,," for i in range(4)]
    event.listen(engine, "after_cursor_execute", lose_an_actor)
    try:
        with pytest.raises(Conflict, match="deleted while it ran"):
            run(engine, [write("many.csv", ROWS + "\n".join(rows) + "\n")])
    finally:
        event.remove(engine, "after_cursor_execute", lose_an_actor)
    assert counts(engine)["assertions"] == 0
    assert counts(engine)["actors"] == 2


def test_a_role_that_may_not_turn_triggers_off_loads_with_them(
    engine: Engine, db_url: str, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: only a superuser (or a role granted SET on session_replication_role)
    may skip the foreign keys' triggers; any other role's large load keeps them."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's roles")
    monkeypatch.setattr(flat, "REBUILD_AT", 2)
    role = f"prov_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f'GRANT USAGE, CREATE ON SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO {role}'))
        conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}'))
    plain = make_engine(make_url(db_url).set(username=role).render_as_string(False))
    try:
        rows = [f"c-{i % 4},Claim,AFP,https://x.example/{i % 3},,A{i % 5},said,," for i in range(9)]
        report = run(plain, [write("many.csv", ROWS + "\n".join(rows) + "\n")])
        assert report.added["assertions"] == 9
        assert dangling(engine) == {}
    finally:
        plain.dispose()
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))


def test_a_trigger_of_the_desks_own_fires_for_every_row_of_a_large_load(
    engine: Engine, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a load that would turn the foreign keys' triggers off keeps them all
    when the statements have a trigger someone added (here, an audit count)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's triggers")
    monkeypatch.setattr(flat, "REBUILD_AT", 2)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE audit (n integer NOT NULL)"))
        conn.execute(
            text(
                "CREATE FUNCTION audited() RETURNS trigger LANGUAGE plpgsql AS"
                " $$BEGIN INSERT INTO audit VALUES (NEW.id); RETURN NEW; END$$"
            )
        )
        conn.execute(
            text(
                "CREATE TRIGGER audited AFTER INSERT ON assertions"
                " FOR EACH ROW EXECUTE FUNCTION audited()"
            )
        )
    rows = [f"c-{i % 4},Claim,AFP,https://x.example/{i % 3},,A{i % 5},said,," for i in range(20)]
    report = run(engine, [write("many.csv", ROWS + "\n".join(rows) + "\n")])

    assert report.added["assertions"] == 20
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit")).scalar_one() == 20


def dangling(engine: Engine) -> dict[str, int]:
    """The statements' references that lead nowhere, counted by column."""
    targets = {
        "claim_id": "claims",
        "article_id": "articles",
        "speaker_id": "actors",
        "cites_id": "actors",
        "group_id": "actors",
    }
    found = {}
    with engine.connect() as conn:
        for column, table in targets.items():
            n = conn.execute(
                text(
                    f"SELECT count(*) FROM assertions s WHERE s.{column} IS NOT NULL"
                    f" AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = s.{column})"
                )
            ).scalar_one()
            if n:
                found[column] = n
    return found


def table_indexes(engine: Engine, model: type) -> set[str]:
    """The names of the indexes a table has in the database (not those of its unique
    constraints, which PostgreSQL lists too). Not for the statements: SQLite's
    reflection skips their identity index, made of expressions."""
    found = inspect(engine).get_indexes(model.__table__.name)
    return {i["name"] for i in found if "duplicates_constraint" not in i}


def statement_indexes(engine: Engine) -> set[str]:
    if engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assertions'"
    else:
        query = (
            "SELECT indexname FROM pg_indexes WHERE tablename = 'assertions' "
            "AND schemaname = current_schema() AND indexname <> 'pk_assertions'"
        )
    with engine.connect() as conn:
        return set(conn.execute(text(query)).scalars())


def test_a_bulk_session_leaves_every_reference_whole(engine: Engine, workdir: Path) -> None:
    """`prov import` runs with bulk=True: SQLite skips its own foreign-key checks."""
    with session_scope(engine, write=True, bulk=True) as session:
        report = import_sources(session, [write("doc.yaml", DOCUMENT), write("rows.csv", CSV)])
    assert report.added["assertions"] > 0
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []


def test_csv_stages_whole_chunks_and_their_remainders(engine: Engine, workdir: Path) -> None:
    """A file longer than a chunk, its chunks longer than one staging statement: every
    row is stored with its own values, none twice, none shifted into another's."""
    count = 2 * readers.CHUNK + 77
    rows = ["claim_key,claim_text,outlet,article_url,speaker,wording,quote"]
    rows += [
        f"c-{i % 40},Claim {i % 40},Outlet {i % 7},https://x.example/{i},A{i % 9},said,q{i}"
        for i in range(count)
    ]
    report = run(engine, [write("long.csv", "\n".join(rows) + "\n")])

    assert report.seen == count
    query = (
        select(Claim.key, Article.url, Actor.name, Assertion.quote)
        .join(Assertion.claim)
        .join(Assertion.article)
        .join(Assertion.speaker)
    )
    with session_scope(engine) as session:
        stored = {tuple(row) for row in session.execute(query)}
    expected = {
        (f"c-{i % 40}", f"https://x.example/{i}", f"A{i % 9}", f"q{i}") for i in range(count)
    }
    assert stored == expected
    assert counts(engine)["assertions"] == count
