"""`prov contradictions`, the conflicts in `prov claims show`, and figures in `prov claim
add`, through the command line on a real database."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.cli import build, ok, prov
from tests.cli import rows as as_json

DESK = (
    "outlet add AFP --kind wire",
    "outlet add Yonhap --kind wire",
    'actor add "South Korea" --kind government',
    'actor add "National Intelligence Service" --kind agency --part-of "South Korea" --alias NIS',
    "actor add Ukraine --kind government",
    "actor add Russia --kind government",
    "article add --outlet AFP --url https://n.example/1 --published 2024-10-18",
    "article add --outlet Yonhap --url https://n.example/2 --published 2024-10-18",
    "article add --outlet AFP --url https://n.example/3 --published 2024-10-20",
    "article add --outlet Yonhap --url https://n.example/4 --published 2024-10-23",
    # troops: NIS and Ukraine disagree the same day
    'claim add troops-nis "NK sent 1,500 troops" --topic nk-troops --quantity "1,500" '
    "--unit troops",
    'claim add troops-ua "NK sent about 10,000 troops" --topic nk-troops '
    '--quantity "about 10,000" --unit troops',
    "assert troops-nis --article https://n.example/1 --speaker NIS --wording said",
    "assert troops-ua --article https://n.example/2 --speaker Ukraine --wording said",
    # Russia denies the Ukrainian figure
    "assert troops-ua --article https://n.example/3 --speaker Russia --stance denies "
    "--wording denied",
    # a relation between two claims without figures, in another topic
    'claim add launch-oct "A launch in October" --topic nk-launch',
    'claim add launch-later "The launch was postponed" --topic nk-launch',
    "assert launch-oct --article https://n.example/1 --speaker NIS --wording said",
    "assert launch-later --article https://n.example/3 --speaker Russia --wording said",
    'relate launch-oct contradicts launch-later --note "Seoul says"',
)

REQUIRED = {"kind", "claim_a", "claim_b", "why"}
SIDES = {f"{s}_{f}" for s in "ab" for f in ("text", "figure", "date", "groups", "outlets")}


@pytest.fixture
def desk(db_url: str) -> str:
    build(db_url, *DESK)
    return db_url


def test_contradictions_lists_numeric_challenge_and_relation_rows(desk):
    rows = as_json(desk, "contradictions")
    assert [(r["kind"], r["claim_a"], r["claim_b"]) for r in rows] == [
        ("numeric", "troops-nis", "troops-ua"),
        ("relation", "launch-oct", "launch-later"),
        ("challenge", "troops-ua", "troops-ua"),
    ]
    for row in rows:
        assert set(row) >= REQUIRED | SIDES
        assert row["why"]
    numeric, relation, challenge = rows
    assert numeric["a_figure"] == "1,500 troops [1500, 1500]"
    assert numeric["b_figure"] == "about 10,000 troops [9000, 11000]"
    assert numeric["a_groups"] == ["South Korea"]
    assert numeric["a_origins"] == ["National Intelligence Service"]
    assert numeric["b_outlets"] == ["Yonhap"]
    assert numeric["a_date"] == numeric["b_date"] == "2024-10-18"
    assert numeric["contests"] == ["troops-nis", "troops-ua"]
    assert "disjoint intervals on the same day, within the 3-day window" in numeric["why"]
    assert relation["why"].startswith("launch-oct contradicts launch-later (Seoul says)")
    assert relation["a_figure"] is None
    assert challenge["b_groups"] == ["Russia"]
    assert challenge["b_date"] == "2024-10-20"
    assert challenge["contests"] == ["troops-ua"]


def test_contradictions_topic_filter_and_csv(desk):
    rows = as_json(desk, "contradictions", "--topic", "nk-launch")
    assert [r["kind"] for r in rows] == ["relation"]
    out = ok(desk, "contradictions", "--topic", "nk-troops", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["kind"] for r in table] == ["numeric", "challenge"]
    assert table[0]["contests"] == "troops-nis; troops-ua"
    assert table[0]["a_groups"] == "South Korea"
    lines = ok(desk, "contradictions", "--topic", "nobody", "--format", "jsonl")
    assert lines.stdout == ""
    assert "no conflicting pairs" in lines.stderr


def test_contradictions_table_and_output_file(desk, tmp_path):
    table = ok(desk, "contradictions", "--format", "table").stdout
    assert "troops-nis" in table
    assert "numeric" in table
    target = tmp_path / "pairs.json"
    ok(desk, "contradictions", "--format", "json", "--output", str(target))
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 3


def test_statuses_follow_the_full_contested_rule(desk):
    rows = {r["key"]: r["status"] for r in as_json(desk, "claims")}
    assert rows == dict.fromkeys(
        ("troops-nis", "troops-ua", "launch-oct", "launch-later"), "contested"
    )
    contested = {r["key"] for r in as_json(desk, "claims", "--contested")}
    assert contested == set(rows)


def test_claims_show_explains_a_numeric_conflict(desk):
    shown = as_json(desk, "claims", "show", "troops-nis")
    assert shown["status"] == "contested"
    assert shown["figure"]["low"] == shown["figure"]["high"] == 1500
    assert shown["figure"]["effective_as_of"] == "2024-10-18"
    assert (
        "conflicts with troops-ua (figure about 10,000 troops [9000, 11000], as of 2024-10-18): "
        "disjoint intervals within 3 days (on the same day), supported by Ukraine which does "
        "not support this one"
    ) in shown["reasons"]
    [conflict] = shown["conflicts"]
    assert conflict["kind"] == "numeric"
    assert conflict["key"] == "troops-ua"
    assert conflict["contests"] is True
    drawn = ok(desk, "claims", "show", "troops-nis").stdout
    assert "figure: 1,500 troops [1500, 1500] as of 2024-10-18 (its first article)" in drawn
    assert "conflicts with troops-ua" in drawn
    assert "troops-ua: about 10,000 troops [9000, 11000], as of 2024-10-18" in drawn


def test_claims_show_explains_a_revision(db_url):
    build(
        db_url,
        *DESK[:10],
        'claim add rev-old "1,500 troops" --topic t --quantity "1,500" --unit troops',
        'claim add rev-new "3,000 troops" --topic t --quantity "3,000" --unit troops '
        "--as-of 2024-10-20",
        "assert rev-old --article https://n.example/1 --speaker NIS --wording said",
        'assert rev-new --article https://n.example/3 --speaker "South Korea" --wording said',
    )
    shown = as_json(db_url, "claims", "show", "rev-old")
    assert shown["status"] == "single-source"
    assert any(
        r.startswith("conflicts with rev-new")
        and r.endswith("same group revising its own figure: not a contest")
        for r in shown["reasons"]
    ), shown["reasons"]
    [row] = as_json(db_url, "contradictions")
    assert row["contests"] == []


def test_claims_show_explains_a_relation(desk):
    shown = as_json(desk, "claims", "show", "launch-oct")
    assert "contradicts launch-later, which Russia supports" in shown["reasons"]
    [conflict] = shown["conflicts"]
    assert (conflict["kind"], conflict["key"], conflict["contests"]) == (
        "relation",
        "launch-later",
        True,
    )
    assert (
        "launch-later: contradicts (Seoul says); supported by Russia"
        in ok(desk, "claims", "show", "launch-oct").stdout
    )


def test_window_days_setting_is_honoured(db_url, monkeypatch):
    build(
        db_url,
        *DESK[:10],
        'claim add a "1,500 troops" --topic t --quantity "1,500" --unit troops',
        'claim add b "3,000 troops" --topic t --quantity "3,000" --unit troops',
        "assert a --article https://n.example/1 --speaker NIS --wording said",
        "assert b --article https://n.example/4 --speaker Ukraine --wording said",
    )
    # five days apart: not within the default three
    assert as_json(db_url, "contradictions") == []
    assert {r["status"] for r in as_json(db_url, "claims")} == {"single-source"}
    monkeypatch.setenv("PROV_WINDOW_DAYS", "5")
    [row] = as_json(db_url, "contradictions")
    assert "disjoint intervals 5 days apart, within the 5-day window" in row["why"]
    assert {r["status"] for r in as_json(db_url, "claims")} == {"contested"}
    assert as_json(db_url, "claims", "show", "a")["status"] == "contested"
    monkeypatch.setenv("PROV_WINDOW_DAYS", "-1")
    result = prov(db_url, "contradictions")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: setting window_days")


# --- figures through `prov claim add` ----------------------------------------------------


def figure(db_url: str, key: str) -> dict:
    return as_json(db_url, "claims", "show", key)["figure"]


def test_claim_add_reads_the_quantity_phrase(db_url):
    build(
        db_url,
        'claim add shells "over a million shells" --quantity "more than one million" '
        "--unit shells --since 2023-08-01 --as-of 2024-02-27 --cumulative",
    )
    got = figure(db_url, "shells")
    assert (got["low"], got["high"], got["low_open"], got["high_open"]) == (
        1_000_000,
        None,
        True,
        False,
    )
    assert got["quantity"] == "more than one million"
    assert (got["since"], got["as_of"], got["cumulative"]) == ("2023-08-01", "2024-02-27", True)


def test_claim_add_takes_explicit_bounds_with_open_ends(db_url):
    build(
        db_url,
        "claim add a 'a range' --low 10 --high 20 --low-open --unit troops",
        "claim add b 'a floor' --low 5 --unit troops",
        "claim add c 'explicit bounds win' --quantity 'about 100' --low 1 --high 2",
    )
    a, b, c = figure(db_url, "a"), figure(db_url, "b"), figure(db_url, "c")
    assert (a["low"], a["high"], a["low_open"], a["high_open"]) == (10, 20, True, False)
    assert (b["low"], b["high"]) == (5, None)
    assert (c["quantity"], c["low"], c["high"]) == ("about 100", 1, 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quantity", "lots and lots"], "Error: cannot read the quantity 'lots and lots'"),
        (["--low", "20", "--high", "10"], "Error: low 20.0 is above high 10.0"),
    ],
)
def test_claim_add_refuses_a_bad_figure(db_url, args, message):
    result = prov(db_url, "claim", "add", "bad", "a bad figure", *args)
    assert result.exit_code == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.output
    assert prov(db_url, "claims", "show", "bad").exit_code == 1  # nothing was written


# --- sides with several names, aggregated in SQL -----------------------------------------

CROWDED = (
    "outlet add AFP --kind wire",
    "outlet add Yonhap --kind wire",
    'outlet add "Kyodo, Tokyo" --kind wire',
    "outlet add dpa --kind wire",
    'actor add "South Korea" --kind government',
    'actor add NIS --kind agency --part-of "South Korea"',
    'actor add "Defense Intelligence Agency" --kind agency --part-of "South Korea"',
    'actor add "United States" --kind government',
    'actor add Pentagon --kind agency --part-of "United States"',
    "actor add Ukraine --kind government",
    "actor add Russia --kind government",
    'actor add "Kremlin, Moscow" --kind organization --part-of Russia',
    "actor add officials --kind unnamed",
    "article add --outlet AFP --url https://c.example/1 --published 2024-10-18",
    "article add --outlet Yonhap --url https://c.example/2 --published 2024-10-18",
    'article add --outlet "Kyodo, Tokyo" --url https://c.example/3 --published 2024-10-19',
    "article add --outlet dpa --url https://c.example/4 --published 2024-10-20",
    'claim add c-low "NK sent 1,500 troops" --topic t --quantity "1,500" --unit troops',
    'claim add c-high "NK sent about 10,000 troops" --topic t --quantity "about 10,000" '
    "--unit troops",
    # c-low: two groups, three origins, three outlets (one of each name twice)
    "assert c-low --article https://c.example/1 --speaker NIS --wording said",
    "assert c-low --article https://c.example/2 --speaker NIS --wording said",
    'assert c-low --article https://c.example/2 --speaker "Defense Intelligence Agency" '
    "--wording said",
    "assert c-low --article https://c.example/3 --speaker Pentagon --wording said",
    # c-high: two groups; an unattributed and an unnamed statement add outlets only
    "assert c-high --article https://c.example/4 --speaker Ukraine --wording said",
    'assert c-high --article https://c.example/1 --speaker "United States" --wording said',
    "assert c-high --article https://c.example/2 --wording said",
    "assert c-high --article https://c.example/3 --speaker officials --wording said",
    # one group challenges c-low twice, through two origins and two outlets
    "assert c-low --article https://c.example/4 --speaker Russia --stance denies --wording denied",
    'assert c-low --article https://c.example/1 --speaker "Kremlin, Moscow" --stance doubts '
    '--wording "doubted"',
)


def test_sides_list_every_group_origin_and_outlet_once_in_order(db_url):
    build(db_url, *CROWDED)
    numeric, challenge = as_json(db_url, "contradictions")
    # the same day: by key, so c-high is side a
    assert (numeric["kind"], numeric["claim_a"], numeric["claim_b"]) == (
        "numeric",
        "c-high",
        "c-low",
    )
    assert numeric["a_groups"] == ["Ukraine", "United States"]
    assert numeric["a_origins"] == ["Ukraine", "United States"]
    assert numeric["a_outlets"] == ["AFP", "Kyodo, Tokyo", "Yonhap", "dpa"]
    assert numeric["b_groups"] == ["South Korea", "United States"]
    assert numeric["b_origins"] == ["Defense Intelligence Agency", "NIS", "Pentagon"]
    assert numeric["b_outlets"] == ["AFP", "Kyodo, Tokyo", "Yonhap"]
    assert numeric["a_date"] == numeric["b_date"] == "2024-10-18"
    assert numeric["contests"] == ["c-high", "c-low"]
    assert numeric["why"].endswith(
        "Ukraine supports only c-high and South Korea only c-low: each contests the other"
    )
    assert (challenge["kind"], challenge["claim_a"], challenge["claim_b"]) == (
        "challenge",
        "c-low",
        "c-low",
    )
    assert challenge["a_groups"] == numeric["b_groups"]
    assert challenge["a_outlets"] == numeric["b_outlets"]
    assert challenge["b_groups"] == ["Russia"]
    assert challenge["b_origins"] == ["Kremlin, Moscow", "Russia"]
    assert challenge["b_outlets"] == ["AFP", "dpa"]
    assert challenge["b_date"] == "2024-10-18"
    assert challenge["a_date"] == "2024-10-18"
    assert challenge["why"] == (
        "Russia denies and doubts c-low, which it does not support: a challenge, c-low is contested"
    )
    out = ok(db_url, "contradictions", "--format", "csv").stdout
    table = list(csv.DictReader(io.StringIO(out)))
    assert table[0]["a_outlets"] == "AFP; Kyodo, Tokyo; Yonhap; dpa"
    assert table[1]["b_origins"] == "Kremlin, Moscow; Russia"


def test_a_side_nothing_asserts_is_empty_and_never_contested(db_url):
    build(
        db_url,
        *CROWDED[:19],
        "assert c-low --article https://c.example/1 --speaker NIS --wording said",
        "assert c-low --article https://c.example/4 --speaker Russia --stance denies "
        "--wording denied",
        "relate c-low contradicts c-high",
    )
    relation, challenge = as_json(db_url, "contradictions")
    assert (relation["kind"], relation["claim_a"], relation["claim_b"]) == (
        "relation",
        "c-low",
        "c-high",
    )
    assert relation["b_groups"] == relation["b_origins"] == relation["b_outlets"] == []
    assert relation["b_date"] is None
    assert relation["a_date"] == "2024-10-18"
    assert relation["contests"] == []  # only c-high would be, and nothing asserts it
    assert challenge["b_groups"] == ["Russia"]
    assert challenge["contests"] == ["c-low"]


def test_csv_holds_the_json_rows_cell_for_cell(db_url):
    """Names with commas and quotes, lists, empty cells: the CSV reads back as the JSON."""
    build(
        db_url,
        *CROWDED,
        'outlet add "Die \\"Zeit\\", Hamburg" --kind newspaper',
        'article add --outlet "Die \\"Zeit\\", Hamburg" --url https://c.example/5 '
        "--published 2024-10-21",
        "assert c-high --article https://c.example/5 --speaker Russia --stance doubts "
        "--wording doubted",
    )
    rows = as_json(db_url, "contradictions")
    assert {'Die "Zeit", Hamburg'} <= {o for r in rows for o in r["b_outlets"]}

    def cell(value) -> str:
        return "; ".join(value) if isinstance(value, list) else "" if value is None else value

    out = ok(db_url, "contradictions", "--format", "csv").stdout
    assert [{k: cell(v) for k, v in row.items()} for row in rows] == list(
        csv.DictReader(io.StringIO(out, newline=""))
    )
