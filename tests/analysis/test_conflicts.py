"""Numeric conflicts and the contested rule (PRODUCT.md section 2), on hand-built cases.

The pure rule (``numeric_rule``) is the reference; the SQL that statuses and
`prov contradictions` run is checked against it on a grid of figures, and the cases the
issue names are built through the services API on a real database.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from provenance.analysis import conflicts as c
from provenance.analysis.quantity import Interval, parse_quantity
from provenance.db.engine import session_scope
from provenance.db.models import Claim
from provenance.errors import NotFound
from provenance.services import (
    actors,
    articles,
    claim_reports,
    claims,
    contradictions,
    outlets,
)
from provenance.services.claims import Figure as Fig

D = dt.date(2024, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def fig(key="x", phrase="10,000", *, unit="troops", topic="t", as_of=D, **kw) -> c.Figure:
    return c.Figure(
        key=key,
        interval=parse_quantity(phrase),
        unit=unit,
        topic=topic,
        as_of=as_of,
        quantity=phrase,
        **kw,
    )


# --- the pure rule ---------------------------------------------------------------------


def test_two_figures_for_the_same_day_that_disagree_conflict():
    assert c.numeric_rule(fig("a", "10,000"), fig("b", "12,000")) == c.WINDOW


def test_figures_that_overlap_never_conflict():
    assert c.numeric_rule(fig("a", "about 10,000"), fig("b", "10,500")) is None


def test_about_12000_against_about_10000_four_days_later_is_compatible():
    a, b = fig("a", "about 12,000"), fig("b", "about 10,000", as_of=day(4))
    assert a.interval == Interval(10800, 13200)
    assert b.interval == Interval(9000, 11000)
    assert c.numeric_rule(a, b) is None
    assert c.numeric_rule(a, b, window_days=10) is None  # they overlap, whatever the window


def test_the_window_is_inclusive_and_a_setting():
    a = fig("a", "10,000")
    assert c.numeric_rule(a, fig("b", "20,000", as_of=day(3))) == c.WINDOW
    assert c.numeric_rule(a, fig("b", "20,000", as_of=day(-3))) == c.WINDOW
    assert c.numeric_rule(a, fig("b", "20,000", as_of=day(4))) is None
    assert c.numeric_rule(a, fig("b", "20,000", as_of=day(4)), window_days=4) == c.WINDOW
    assert c.numeric_rule(a, fig("b", "20,000", as_of=day(1)), window_days=0) is None


def test_a_running_total_that_grows_is_not_a_conflict():
    early = fig("a", "more than one million", unit="shells", cumulative=True)
    later = fig("b", "1.5 million", unit="shells", as_of=day(60), cumulative=True)
    assert c.numeric_rule(early, later) is None
    # growth is growth even inside the window
    next_day = fig("b", "1.5 million", unit="shells", as_of=day(1), cumulative=True)
    assert c.numeric_rule(early, next_day) is None


def test_a_running_total_that_shrinks_conflicts_however_late():
    early = fig("a", "more than one million", unit="shells", cumulative=True)
    later = fig("b", "about 500,000", unit="shells", as_of=day(90), cumulative=True)
    assert c.numeric_rule(early, later) == c.SHRINK
    assert c.numeric_rule(later, early) == c.SHRINK


def test_running_totals_of_the_same_day_that_disagree_conflict():
    a = fig("a", "1,000", unit="shells", cumulative=True)
    b = fig("b", "2,000", unit="shells", cumulative=True)
    assert c.numeric_rule(a, b) == c.SHRINK == c.numeric_rule(b, a)


def test_a_running_total_against_a_plain_figure_follows_the_window():
    total = fig("a", "1,000", unit="shells", cumulative=True)
    assert c.numeric_rule(total, fig("b", "2,000", unit="shells", as_of=day(2))) == c.WINDOW
    assert c.numeric_rule(total, fig("b", "500", unit="shells", as_of=day(20))) is None


def test_different_since_never_compared_unknown_since_is():
    a = fig("a", "5,000", since=dt.date(2023, 8, 1), cumulative=True)
    b = fig("b", "5,000", since=dt.date(2024, 1, 1), cumulative=True)
    assert c.numeric_rule(a, b) is None  # the same number for different periods
    smaller = fig("b", "1,000", as_of=day(5), since=dt.date(2024, 1, 1), cumulative=True)
    assert c.numeric_rule(a, smaller) is None  # a smaller total counted from later on
    undated = fig("b", "1,000", as_of=day(5), cumulative=True)
    assert c.numeric_rule(a, undated) == c.SHRINK  # since unknown on one side: compared


def test_different_units_topics_or_missing_units_never_conflict():
    assert c.numeric_rule(fig("a", "10,000"), fig("b", "12,000", unit="workers")) is None
    assert c.numeric_rule(fig("a", "10,000"), fig("b", "12,000", topic="u")) is None
    assert c.numeric_rule(fig("a", "10,000", unit=None), fig("b", "12,000", unit=None)) is None
    assert c.numeric_rule(fig("a", topic=None), fig("b", "12,000", topic=None)) is None


def test_an_undated_figure_conflicts_with_nothing():
    assert c.numeric_rule(fig("a", "10,000", as_of=None), fig("b", "12,000")) is None


def test_open_ends_decide_whether_touching_intervals_meet():
    over = fig("a", "more than 1,000")  # (1000, ∞)
    assert c.numeric_rule(over, fig("b", "up to 1,000")) == c.WINDOW  # [0, 1000]
    assert c.numeric_rule(fig("a", "at least 1,000"), fig("b", "up to 1,000")) is None
    assert c.numeric_rule(fig("a", "at least 1,000"), fig("b", "under 1,000")) == c.WINDOW


intervals = st.builds(
    lambda lo, width, lo_open, hi_open, unbounded: Interval(
        float(lo), None if unbounded else float(lo + width), lo_open, hi_open and not unbounded
    ),
    st.integers(0, 20),
    st.integers(1, 20),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)


@given(intervals, intervals, st.integers(-6, 6), st.booleans(), st.booleans())
def test_the_rule_is_symmetric_and_agrees_with_interval_overlap(x, y, gap, cum_a, cum_b):
    a = c.Figure("a", x, "u", "t", D, cumulative=cum_a)
    b = c.Figure("b", y, "u", "t", day(gap), cumulative=cum_b)
    rule = c.numeric_rule(a, b)
    assert rule == c.numeric_rule(b, a)
    if rule == c.WINDOW:
        assert not x.overlaps(y)
        assert abs(gap) <= c.DEFAULT_WINDOW_DAYS
    if x.overlaps(y):
        assert rule is None


# --- the sentences ---------------------------------------------------------------------


def test_contest_text_names_who_contests_what():
    both = c.contest_text("a", {"South Korea"}, "b", {"Ukraine"})
    assert both == "South Korea supports only a and Ukraine only b: each contests the other"
    one = c.contest_text("a", {"South Korea", "Ukraine"}, "b", {"Ukraine"})
    assert one == "South Korea supports a but not b: b is contested"
    same = c.contest_text("a", {"South Korea"}, "b", {"South Korea"})
    assert same.endswith("the same group revising its own figure, not a contest")
    assert c.contest_text("a", set(), "b", set()).endswith("not a contest")
    assert c.contested_keys("a", {"G"}, "b", {"H"}) == ["a", "b"]
    assert c.contested_keys("a", {"G", "H"}, "b", {"H"}) == ["b"]
    assert c.contested_keys("a", {"G"}, "b", {"G"}) == []


def test_numeric_why_states_figures_dates_rule_and_contest():
    why = c.numeric_why(
        fig("a", "10,000"),
        fig("b", "12,000", as_of=day(1)),
        c.WINDOW,
        3,
        {"South Korea"},
        {"Ukraine"},
    )
    assert why == (
        "a (10,000 troops [10000, 10000], as of 2024-03-01) against "
        "b (12,000 troops [12000, 12000], as of 2024-03-02): disjoint intervals 1 day apart, "
        "within the 3-day window; South Korea supports only a and Ukraine only b: "
        "each contests the other"
    )


def test_numeric_why_puts_the_earlier_running_total_first():
    later = fig("late", "500", unit="shells", as_of=day(9), cumulative=True)
    early = fig("early", "1,000", unit="shells", cumulative=True)
    why = c.numeric_why(later, early, c.SHRINK, 3, {"G"}, {"G"})
    assert why.startswith("early (1,000 shells [1000, 1000], as of 2024-03-01) against late")
    assert "a running total cannot shrink; G supports both" in why


def test_challenge_and_relation_sentences():
    assert c.challenge_why("k", "Russia", ["denies"], {"Ukraine"}) == (
        "Russia denies k, which it does not support: a challenge, k is contested"
    )
    assert c.challenge_why("k", "G", ["doubts", "denies", "doubts"], {"G"}) == (
        "G denies and doubts k but also supports it: not a contest"
    )
    assert c.relation_why("a", "b", "Seoul says", ["G"], ["H"]).startswith(
        "a contradicts b (Seoul says); G supports only a"
    )


def test_figure_text():
    interval = parse_quantity("more than one million")
    assert c.figure_text("more than one million", interval, "shells") == (
        "more than one million shells (1000000, ∞)"
    )
    assert c.figure_text(None, Interval(10, 20), "troops") == "[10, 20] troops"


# --- on a database, through the services API ------------------------------------------


@pytest.fixture
def session(engine):
    with session_scope(engine, write=True) as s:
        yield s


class Desk:
    """A small newsroom: outlets, governments, an agency, and a helper per statement."""

    def __init__(self, session):
        self.s = session
        self.n = 0
        for name in ("AFP", "Yonhap", "Reuters"):
            outlets.add_outlet(session, name=name, kind="wire")
        for name in ("South Korea", "Ukraine", "Russia", "United States"):
            actors.add_actor(session, name=name, kind="government")
        actors.add_actor(session, name="NIS", kind="agency", part_of="South Korea")
        actors.add_actor(session, name="officials", kind="unnamed")

    def claim(self, key, phrase=None, *, unit="troops", topic="nk-troops", **figure):
        claims.add_claim(
            self.s,
            key=key,
            text=f"claim {key}",
            topic=topic,
            figure=Fig(quantity=phrase, unit=unit, **figure),
        )
        return key

    def say(self, key, speaker, published=D, *, outlet="AFP", stance=None, cites=None):
        self.n += 1
        url = f"https://news.example/{self.n}"
        articles.add_article(self.s, outlet=outlet, url=url, published=published)
        claims.add_assertion(
            self.s,
            claim=key,
            article=url,
            speaker=speaker,
            cites=cites,
            stance=stance,
            wording="said",
        )


@pytest.fixture
def desk(session) -> Desk:
    return Desk(session)


def status(desk: Desk, window_days: int = 3) -> dict[str, str]:
    rows = claim_reports.list_claims(desk.s, window_days=window_days)
    listed = {r["key"]: r["status"] for r in rows}
    # A listing of every claim asks each rule once, as a set; one claim asks it per
    # claim (analysis.status): both must agree.
    for key, found in listed.items():
        row = claim_reports.claim_status(desk.s, key, window_days=window_days)
        assert row["status"] == found, key
    return listed


def pairs(desk: Desk, **kw) -> list[dict]:
    return list(contradictions.list_contradictions(desk.s.connection(), **kw))


def numeric_pairs(desk: Desk, **kw) -> set[tuple[str, str]]:
    return {(r["claim_a"], r["claim_b"]) for r in pairs(desk, **kw) if r["kind"] == "numeric"}


def test_same_day_disagreement_between_groups_contests_both(desk):
    desk.claim("nk-10k", "10,000")
    desk.claim("nk-12k", "12,000")
    desk.say("nk-10k", "NIS")
    desk.say("nk-12k", "Ukraine", outlet="Yonhap")
    assert status(desk) == {"nk-10k": "contested", "nk-12k": "contested"}
    [row] = pairs(desk)
    assert row["kind"] == "numeric"
    assert (row["claim_a"], row["claim_b"], row["contests"]) == (
        "nk-10k",
        "nk-12k",
        ["nk-10k", "nk-12k"],
    )
    assert row["a_groups"] == ["South Korea"]
    assert row["a_origins"] == ["NIS"]
    assert row["b_groups"] == ["Ukraine"]
    assert row["b_outlets"] == ["Yonhap"]
    assert row["a_date"] == row["b_date"] == D
    assert row["a_figure"] == "10,000 troops [10000, 10000]"
    assert "disjoint intervals on the same day" in row["why"]


def test_a_government_revising_its_own_figure_is_not_contested(desk):
    desk.claim("nk-10k", "10,000")
    desk.claim("nk-11k", "11,000")
    desk.say("nk-10k", "NIS")
    desk.say("nk-11k", "South Korea", day(2))
    assert status(desk) == {"nk-10k": "single-source", "nk-11k": "single-source"}
    [row] = pairs(desk)
    assert row["contests"] == []
    assert "South Korea supports both: the same group revising its own figure" in row["why"]
    reasons = claim_reports.explain_claim(desk.s, "nk-10k")["reasons"]
    assert any(
        r.startswith(
            "conflicts with nk-11k (figure 11,000 troops [11000, 11000], as of 2024-03-03)"
        )
        and "same group revising its own figure: not a contest" in r
        for r in reasons
    ), reasons


def test_a_revision_contested_once_another_group_backs_it(desk):
    desk.claim("nk-10k", "10,000")
    desk.claim("nk-11k", "11,000")
    desk.say("nk-10k", "NIS")
    desk.say("nk-11k", "South Korea", day(2))
    desk.say("nk-11k", "United States", day(2))
    # the US backs only the new figure: the old one is contested, the new one is not
    assert status(desk) == {"nk-10k": "contested", "nk-11k": "corroborated"}
    [row] = pairs(desk)
    assert row["contests"] == ["nk-10k"]
    explained = claim_reports.explain_claim(desk.s, "nk-10k")
    assert any(
        "disjoint intervals within 3 days (2 days apart), supported by United States which "
        "does not support this one" in r
        for r in explained["reasons"]
    ), explained["reasons"]
    [conflict] = explained["conflicts"]
    assert conflict["key"] == "nk-11k"
    assert conflict["contests"]
    assert conflict["rule"] == "window"


def test_a_growing_running_total_is_growth_a_shrinking_one_a_conflict(desk):
    shells = {"unit": "shells", "topic": "nk-shells", "cumulative": True}
    desk.claim("s-1m", "more than one million", as_of=dt.date(2024, 1, 1), **shells)
    desk.claim("s-1-5m", "1.5 million", as_of=dt.date(2024, 1, 2), **shells)
    desk.claim("s-3m", "3 million", as_of=dt.date(2024, 6, 1), **shells)
    desk.say("s-1m", "NIS")
    desk.say("s-1-5m", "Ukraine")
    desk.say("s-3m", "Ukraine")
    assert numeric_pairs(desk) == set()
    assert set(status(desk).values()) == {"single-source"}
    desk.claim("s-500k", "about 500,000", as_of=dt.date(2024, 9, 1), **shells)
    desk.say("s-500k", "Russia")
    assert numeric_pairs(desk) == {("s-1m", "s-500k"), ("s-1-5m", "s-500k"), ("s-3m", "s-500k")}
    assert status(desk) == dict.fromkeys(("s-1m", "s-1-5m", "s-3m", "s-500k"), "contested")
    row = next(r for r in pairs(desk) if r["claim_a"] == "s-1m")
    assert "a running total cannot shrink" in row["why"]
    reasons = claim_reports.explain_claim(desk.s, "s-500k")["reasons"]
    assert any("conflicts with s-3m" in r and "cannot shrink" in r for r in reasons)


def test_the_same_number_for_different_since_is_neither(desk):
    desk.claim("since-aug", "5,000", since=dt.date(2023, 8, 1), cumulative=True)
    desk.claim("since-jan", "5,000", since=dt.date(2024, 1, 1), cumulative=True)
    desk.claim("jan-less", "1,000", since=dt.date(2024, 1, 1), cumulative=True, as_of=day(5))
    desk.say("since-aug", "NIS")
    desk.say("since-jan", "Ukraine")
    desk.say("jan-less", "Russia")
    # since-jan against jan-less: the same period, a total that shrank
    assert numeric_pairs(desk) == {("since-jan", "jan-less")}
    assert status(desk)["since-aug"] == "single-source"


def test_about_12000_and_about_10000_four_days_later_on_a_database(desk):
    desk.claim("about-12k", "about 12,000")
    desk.claim("about-10k", "about 10,000")
    desk.say("about-12k", "NIS")
    desk.say("about-10k", "Ukraine", day(4))
    assert numeric_pairs(desk) == set()
    assert numeric_pairs(desk, window_days=30) == set()  # they overlap
    assert set(status(desk, window_days=30).values()) == {"single-source"}


def test_different_units_never_conflict(desk):
    desk.claim("troops", "10,000", unit="troops")
    desk.claim("workers", "12,000", unit="workers")
    desk.say("troops", "NIS")
    desk.say("workers", "Ukraine")
    assert numeric_pairs(desk) == set()
    assert set(status(desk).values()) == {"single-source"}


def test_the_window_is_a_parameter_of_every_service(desk):
    desk.claim("nk-10k", "10,000")
    desk.claim("nk-20k", "20,000")
    desk.say("nk-10k", "NIS")
    desk.say("nk-20k", "Ukraine", day(5))
    assert numeric_pairs(desk) == set()
    assert set(status(desk).values()) == {"single-source"}
    assert numeric_pairs(desk, window_days=5) == {("nk-10k", "nk-20k")}
    assert set(status(desk, window_days=5).values()) == {"contested"}
    assert claim_reports.explain_claim(desk.s, "nk-10k")["conflicts"] == []
    shown = claim_reports.explain_claim(desk.s, "nk-10k", window_days=5)
    assert shown["status"] == "contested"
    assert [x["key"] for x in shown["conflicts"]] == ["nk-20k"]


def test_effective_as_of_is_the_earliest_article_and_undated_figures_never_conflict(desk):
    desk.claim("dated", "10,000", as_of=dt.date(2024, 1, 1))
    desk.claim("by-article", "20,000")
    desk.claim("undated", "30,000")  # no as_of and no statement: no date at all
    desk.say("by-article", "Ukraine", dt.date(2024, 1, 3))
    desk.say("by-article", "Ukraine", dt.date(2024, 2, 1), outlet="Yonhap")
    desk.say("dated", "NIS", dt.date(2024, 5, 1))  # its own as_of wins over the article
    assert numeric_pairs(desk) == {("dated", "by-article")}
    [row] = pairs(desk)
    assert (row["a_date"], row["b_date"]) == (dt.date(2024, 1, 1), dt.date(2024, 1, 3))
    figure = claim_reports.explain_claim(desk.s, "by-article")["figure"]
    assert figure["as_of"] is None
    assert figure["effective_as_of"] == dt.date(2024, 1, 3)


def test_a_contradicts_relation_contests_across_groups_only(desk):
    desk.claim("launch-oct", topic="nk-launch", unit=None)
    desk.claim("launch-postponed", topic="nk-launch", unit=None)
    desk.claim("own-a", topic="nk-launch", unit=None)
    desk.claim("own-b", topic="nk-launch", unit=None)
    desk.say("launch-oct", "NIS")
    desk.say("launch-postponed", "Russia")
    desk.say("own-a", "NIS")
    desk.say("own-b", "South Korea")
    claims.relate(desk.s, a="launch-oct", kind="contradicts", b="launch-postponed", note="Seoul")
    claims.relate(desk.s, a="own-a", kind="contradicts", b="own-b")
    got = status(desk)
    assert got["launch-oct"] == got["launch-postponed"] == "contested"
    assert got["own-a"] == got["own-b"] == "single-source"
    rows = {(r["claim_a"], r["claim_b"]): r for r in pairs(desk) if r["kind"] == "relation"}
    assert rows[("launch-oct", "launch-postponed")]["contests"] == [
        "launch-oct",
        "launch-postponed",
    ]
    assert rows[("launch-oct", "launch-postponed")]["why"].startswith(
        "launch-oct contradicts launch-postponed (Seoul); "
    )
    assert rows[("own-a", "own-b")]["contests"] == []


def test_challenges_are_rows_per_claim_and_group(desk):
    desk.claim("k", "10,000")
    desk.say("k", "Ukraine")
    desk.say("k", "Russia", day(1), stance="denies")
    desk.say("k", "Russia", day(2), stance="doubts", outlet="Reuters")
    desk.say("k", "officials", day(2), stance="denies")  # unnamed: not a challenge
    desk.say("k", "Ukraine", day(3), stance="doubts")  # its own supporter: not a contest
    rows = [r for r in pairs(desk) if r["kind"] == "challenge"]
    assert [(r["b_groups"], r["contests"]) for r in rows] == [
        (["Russia"], ["k"]),
        (["Ukraine"], []),
    ]
    russia = rows[0]
    assert russia["claim_a"] == russia["claim_b"] == "k"
    assert russia["a_groups"] == ["Ukraine"]
    assert russia["b_outlets"] == ["AFP", "Reuters"]
    assert russia["b_date"] == day(1)
    assert russia["why"].startswith("Russia denies and doubts k")
    assert status(desk) == {"k": "contested"}


def test_one_claim_is_found_by_its_key_as_written_or_padded_never_by_none(desk):
    desk.claim("nk-10k", "10,000")
    desk.say("nk-10k", "South Korea")
    padded = "  nk-10k "
    status = claim_reports.claim_status(desk.s, padded)
    assert status == claim_reports.claim_status(desk.s, "nk-10k")
    assert len(claim_reports.statements(desk.s, padded)) == 1
    for blank in ("", "   "):  # not "no filter": the first claim of the listing
        with pytest.raises(NotFound):
            claim_reports.claim_status(desk.s, blank)


def test_a_challenge_is_judged_against_this_claim_s_supporters_only(desk):
    # Russia supports another claim; that must not shield its denial of this one
    desk.claim("k", topic="x", unit=None)
    desk.claim("other", topic="y", unit=None)
    desk.say("other", "Russia")
    desk.say("k", "Ukraine")
    desk.say("k", "Russia", stance="denies")
    assert status(desk)["k"] == "contested"


def test_topic_filters_the_pairs(desk):
    desk.claim("a1", "10,000", topic="one")
    desk.claim("a2", "20,000", topic="one")
    desk.claim("b1", "10,000", topic="two")
    desk.claim("b2", "20,000", topic="two")
    for key, who in (("a1", "NIS"), ("a2", "Ukraine"), ("b1", "NIS"), ("b2", "Ukraine")):
        desk.say(key, who)
    assert numeric_pairs(desk, topic="one") == {("a1", "a2")}
    assert numeric_pairs(desk) == {("a1", "a2"), ("b1", "b2")}


GRID = [
    "10", "more than 10", "at least 10", "up to 10", "under 10", "about 10", "20", "5",
    "between 8 and 12", "nearly 10", "dozens of",
]  # fmt: skip


def test_the_sql_agrees_with_the_pure_rule_on_a_grid(desk):
    figures = []
    for i, (phrase, gap, cumulative) in enumerate(
        itertools.product(GRID, (0, 2, 5), (False, True))
    ):
        key = f"g{i:03d}"
        desk.claim(key, phrase, topic="grid", as_of=day(gap), cumulative=cumulative)
        figures.append(fig(key, phrase, topic="grid", as_of=day(gap), cumulative=cumulative))
    # a few dated by their article only, and one with no date at all
    desk.claim("art", "1,000", topic="grid")
    desk.say("art", "NIS", day(1))
    figures.append(fig("art", "1,000", topic="grid", as_of=day(1)))
    desk.claim("nodate", "1,000", topic="grid")
    figures.append(fig("nodate", "1,000", topic="grid", as_of=None))
    expected = {
        tuple(sorted((a.key, b.key)))
        for a, b in itertools.combinations(figures, 2)
        if c.numeric_rule(a, b)
    }
    got = {tuple(sorted(p)) for p in numeric_pairs(desk)}
    assert got == expected
    assert len(expected) > 50
    first = desk.s.scalar(select(Claim.id).where(Claim.key == "g000"))
    mine = {x["key"] for x in claim_reports.numeric_conflicts(desk.s, first)}
    assert mine == {b for a, b in expected if a == "g000"} | {a for a, b in expected if b == "g000"}
