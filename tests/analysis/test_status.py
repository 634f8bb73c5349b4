"""Claim status (PRODUCT.md section 2) on records built by hand through the services,
read back through `services.claim_reports` and, for the filters and `claims show`, through
`prov claims`.

Each case builds only what it needs: who said it (speaker, cited source, their
`part_of`), in which outlet, with which stance and wording.
"""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from itertools import count

import pytest
from typer.testing import CliRunner

from provenance.cli.app import app
from provenance.db.engine import session_scope
from provenance.errors import NotFound
from provenance.services import actors, articles, claim_reports, claims, outlets, record
from provenance.services.claim_reports import ClaimFilter

runner = CliRunner()


class Desk:
    """A newsroom's record, built one committed step at a time through the services."""

    def __init__(self, engine):
        self.engine = engine
        self._titles = count(1)

    @contextmanager
    def _write(self):
        with session_scope(self.engine, write=True) as session:
            yield session

    def actor(self, name, kind="agency", *, part_of=None, aliases=()):
        with self._write() as s:
            actors.add_actor(s, name=name, kind=kind, part_of=part_of, aliases=list(aliases))

    def claim(self, key, text=None, *, topic=None):
        with self._write() as s:
            claims.add_claim(s, key=key, text=text or key.replace("-", " "), topic=topic)

    def says(
        self,
        claim,
        speaker=None,
        *,
        cites=None,
        outlet="Yonhap",
        via=None,
        day="2024-01-10",
        stance="asserts",
        wording="said",
    ):
        """One statement of ``claim``, in a new article of ``outlet``."""
        with self._write() as s:
            for name in (outlet, via):
                if name:
                    try:
                        record.outlet_id(s, name)
                    except NotFound:
                        outlets.add_outlet(s, name=name)
            article = articles.add_article(
                s,
                outlet=outlet,
                via=via,
                title=f"{outlet} story {next(self._titles)}",
                published=dt.date.fromisoformat(day),
            )
            claims.add_assertion(
                s,
                claim=claim,
                article=f"#{article.id}",
                speaker=speaker,
                cites=cites,
                stance=stance,
                wording=wording,
            )

    def denies(self, claim, speaker, **kw):
        self.says(claim, speaker, stance="denies", wording="denied", **kw)

    def relate(self, a, kind, b):
        with self._write() as s:
            claims.relate(s, a=a, kind=kind, b=b)

    def merge(self, keep, gone):
        with self._write() as s:
            actors.merge_actors(s, keep=keep, gone=gone)

    def row(self, key) -> dict:
        with session_scope(self.engine) as s:
            [row] = claim_reports.list_claims(s, ClaimFilter(key=key))
            return row

    def status(self, key) -> str:
        return self.row(key)["status"]

    def explain(self, key) -> dict:
        with session_scope(self.engine) as s:
            return claim_reports.explain_claim(s, key)


@pytest.fixture
def desk(engine) -> Desk:
    return Desk(engine)


@pytest.fixture
def korea(desk) -> Desk:
    """South Korea's government with two agencies; Ukraine's; North Korea's; a lawmaker;
    and anonymous officials."""
    desk.actor("South Korea", "government")
    desk.actor(
        "National Intelligence Service",
        part_of="South Korea",
        aliases=["NIS", "Seoul's spy agency"],
    )
    desk.actor("Defense Intelligence Agency", part_of="South Korea", aliases=["DIA"])
    desk.actor("Ukraine", "government")
    desk.actor("HUR", part_of="Ukraine")
    desk.actor("North Korea", "government")
    desk.actor("Russia", "government")
    desk.actor("Yoo Sang-bum", "person")
    desk.actor("officials", "unnamed")
    desk.claim("shells", "North Korea has sent shells to Russia")
    return desk


def tree_names(explained: dict) -> dict[str | None, set[str | None]]:
    return {g["group"]: {o["origin"] for o in g["origins"]} for g in explained["tree"]}


# --- single source, echoed -----------------------------------------------------------


def test_three_outlets_carrying_one_agencys_figure_are_one_source_echoed(korea):
    for outlet in ("Yonhap", "AFP", "The Moscow Times"):
        korea.says("shells", "NIS", outlet=outlet)
    row = korea.row("shells")
    assert row["status"] == "single-source"
    assert row["echoed"] is True
    assert (row["groups"], row["outlets"], row["assertions"]) == (1, 3, 3)
    assert "echoed by 3 outlets" in korea.explain("shells")["reasons"][0]


def test_one_outlet_is_not_an_echo(korea):
    korea.says("shells", "NIS")
    korea.says("shells", "Yoo Sang-bum", cites="NIS")
    row = korea.row("shells")
    assert (row["status"], row["echoed"], row["outlets"]) == ("single-source", False, 1)


def test_an_outlet_that_only_carried_a_denial_did_not_echo_the_claim(korea):
    korea.actor("Experts", "unnamed")
    korea.says("shells", "NIS", outlet="Yonhap")
    korea.denies("shells", "Experts", outlet="AFP")  # unnamed: not a challenge either
    row = korea.row("shells")
    assert (row["status"], row["outlets"], row["echoed"]) == ("single-source", 2, False)


def test_a_wire_inside_an_article_is_not_a_second_outlet(korea):
    korea.says("shells", "NIS", outlet="The Moscow Times", via="AFP")
    row = korea.row("shells")
    assert (row["outlets"], row["echoed"]) == (1, False)


def test_two_agencies_of_one_government_are_one_group(korea):
    korea.says("shells", "NIS", outlet="Yonhap")
    korea.says("shells", "DIA", outlet="AFP")
    korea.says("shells", "South Korea", outlet="KBS")
    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("single-source", 1)
    assert tree_names(korea.explain("shells")) == {
        "South Korea": {
            "National Intelligence Service",
            "Defense Intelligence Agency",
            "South Korea",
        }
    }


def test_the_chain_is_followed_to_its_top(korea):
    korea.actor("NIS cyber unit", part_of="NIS")
    korea.says("shells", "NIS cyber unit")
    korea.says("shells", "South Korea")
    assert korea.row("shells")["groups"] == 1


# --- corroborated ----------------------------------------------------------------------


def test_two_firm_groups_corroborate(korea):
    korea.says("shells", "NIS", outlet="Yonhap")
    korea.says("shells", "HUR", outlet="Kyiv Independent", wording="has found")
    row = korea.row("shells")
    assert (row["status"], row["groups"], row["echoed"]) == ("corroborated", 2, False)
    assert korea.explain("shells")["reasons"][:2] == [
        "corroborated: firm support from 2 independent groups",
        "firmly supported by 2 groups: South Korea, Ukraine",
    ]


def test_likely_is_firm_enough(korea):
    korea.says("shells", "NIS")
    korea.says("shells", "HUR", wording="appears")
    assert korea.status("shells") == "corroborated"


def test_a_could_statement_supports_but_not_firmly(korea):
    korea.says("shells", "NIS", wording="said")
    korea.says("shells", "HUR", wording="could have")
    row = korea.row("shells")
    assert row["status"] == "single-source"
    assert row["groups"] == 2  # two groups support it; only one firmly
    reasons = korea.explain("shells")["reasons"]
    assert "Ukraine supports it only hedged (roughly-even-chance): not firm" in reasons


def test_only_hedged_statements_are_single_source(korea):
    korea.says("shells", "NIS", wording="may")
    korea.says("shells", "HUR", wording="reportedly")
    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("single-source", 2)


# --- no origin ---------------------------------------------------------------------------


def test_unnamed_sources_and_the_outlets_own_voice_are_listed_not_counted(korea):
    korea.says("shells", "officials", outlet="Yonhap")
    korea.says("shells", None, outlet="AFP", wording="reportedly")
    korea.says("shells", None, outlet="Reuters")
    row = korea.row("shells")
    assert (row["status"], row["groups"], row["assertions"]) == ("single-source", 0, 3)
    explained = korea.explain("shells")
    assert tree_names(explained) == {None: {None}}
    uncounted = [r for r in explained["reasons"] if r.startswith("not counted")]
    assert len(uncounted) == 3
    assert any("unnamed source 'officials'" in r for r in uncounted)
    assert any("AFP's own voice" in r for r in uncounted)


def test_cited_source_overrides_the_speaker_as_origin(korea):
    # a lawmaker citing the NIS is the NIS's group, so with the DIA: one group
    korea.says("shells", "Yoo Sang-bum", cites="NIS")
    korea.says("shells", "DIA")
    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("single-source", 1)
    assert tree_names(korea.explain("shells")) == {
        "South Korea": {"National Intelligence Service", "Defense Intelligence Agency"}
    }


def test_the_same_lawmaker_speaking_for_himself_is_his_own_group(korea):
    korea.says("shells", "Yoo Sang-bum")
    korea.says("shells", "DIA")
    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("corroborated", 2)


def test_a_cited_source_without_speaker_is_the_origin(korea):
    # README decision: "according to the NIS" in the outlet's own voice
    korea.says("shells", None, cites="NIS")
    korea.says("shells", "HUR")
    assert korea.row("shells")["groups"] == 2


def test_an_unnamed_cited_source_means_no_origin_even_with_a_named_speaker(korea):
    korea.says("shells", "Yoo Sang-bum", cites="officials")
    assert (korea.status("shells"), korea.row("shells")["groups"]) == ("single-source", 0)
    korea.says("shells", "NIS")
    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("single-source", 1)
    assert None in tree_names(korea.explain("shells"))


# --- contested ---------------------------------------------------------------------------


def test_a_denial_from_another_group_contests(korea):
    korea.says("shells", "NIS")
    korea.says("shells", "HUR")
    korea.denies("shells", "North Korea", outlet="KCNA")
    assert korea.status("shells") == "contested"
    reasons = korea.explain("shells")["reasons"]
    assert reasons[0].startswith("contested")
    assert any(r.startswith("North Korea denies it") for r in reasons)


def test_a_doubt_from_another_group_contests(korea):
    korea.says("shells", "NIS")
    korea.says("shells", "Russia", stance="doubts", wording="if true")
    assert korea.status("shells") == "contested"


@pytest.mark.parametrize("stance", ["denies", "doubts"])
def test_a_challenge_from_a_group_that_supports_it_is_no_contest(korea, stance):
    korea.says("shells", "NIS")
    korea.says("shells", "DIA", stance=stance, wording="refused to confirm")
    assert korea.status("shells") == "single-source"
    assert any("the same group supports it" in r for r in korea.explain("shells")["reasons"])
    korea.says("shells", "HUR")
    assert korea.status("shells") == "corroborated"


def test_an_unnamed_denial_is_no_contest(korea):
    korea.says("shells", "NIS")
    korea.says("shells", "officials", stance="denies")
    korea.says("shells", None, stance="doubts")
    assert korea.status("shells") == "single-source"


@pytest.mark.parametrize(("first", "second"), [("a", "b"), ("b", "a")])
def test_contradicts_relation_with_a_claim_another_group_supports(korea, first, second):
    korea.claim("a", "North Korea sent a million shells")
    korea.claim("b", "North Korea sent no shells")
    korea.says("a", "NIS")
    korea.says("b", "Russia")
    korea.relate(first, "contradicts", second)
    assert (korea.status("a"), korea.status("b")) == ("contested", "contested")
    assert "contradicts b, which Russia supports" in korea.explain("a")["reasons"]


def test_contradicting_a_claim_whose_supporters_also_support_this_one(korea):
    # a is said by South Korea and Russia, b by Russia alone: b is contested by South
    # Korea's support of a, but every group behind b also backs a
    korea.claim("a")
    korea.claim("b")
    korea.says("a", "NIS")
    korea.says("a", "Russia")
    korea.says("b", "Russia")
    korea.relate("a", "contradicts", "b")
    assert (korea.status("a"), korea.status("b")) == ("corroborated", "contested")


def test_one_government_contradicting_its_own_figure_is_no_contest(korea):
    korea.claim("old-figure")
    korea.claim("new-figure")
    korea.says("old-figure", "NIS")
    korea.says("new-figure", "DIA")
    korea.relate("new-figure", "contradicts", "old-figure")
    assert (korea.status("old-figure"), korea.status("new-figure")) == (
        "single-source",
        "single-source",
    )
    assert any(
        "no other group supports that claim" in r for r in korea.explain("new-figure")["reasons"]
    )


@pytest.mark.parametrize("kind", ["supports", "supersedes"])
def test_other_relations_do_not_contest(korea, kind):
    korea.claim("other")
    korea.says("shells", "NIS")
    korea.says("other", "Russia")
    korea.relate("shells", kind, "other")
    assert (korea.status("shells"), korea.status("other")) == ("single-source", "single-source")


# --- unsupported -------------------------------------------------------------------------


def test_no_statements_is_unsupported(korea):
    row = korea.row("shells")
    assert row["status"] == "unsupported"
    assert (row["groups"], row["outlets"], row["assertions"], row["echoed"]) == (0, 0, 0, False)
    assert row["first_seen"] is None
    assert korea.explain("shells")["reasons"] == ["unsupported: nothing asserts it"]


def test_only_unnamed_challenges_is_unsupported(korea):
    korea.says("shells", "officials", stance="denies")
    korea.says("shells", None, stance="doubts", outlet="AFP")
    row = korea.row("shells")
    assert (row["status"], row["assertions"], row["echoed"]) == ("unsupported", 2, False)


def test_only_challenges_is_unsupported(korea):
    korea.denies("shells", "North Korea", outlet="KCNA")
    korea.says("shells", "Russia", stance="doubts")
    assert korea.status("shells") == "unsupported"


# --- groups change with part_of --------------------------------------------------------


def test_merging_actors_recomputes_independence_groups(korea):
    # the DIA is filed under a duplicate of the South Korean government
    korea.actor("ROK government", "government")
    korea.actor("Military intelligence", part_of="ROK government")
    korea.says("shells", "NIS")
    korea.says("shells", "Military intelligence")
    assert (korea.status("shells"), korea.row("shells")["groups"]) == ("corroborated", 2)

    korea.merge("South Korea", "ROK government")

    row = korea.row("shells")
    assert (row["status"], row["groups"]) == ("single-source", 1)
    assert set(tree_names(korea.explain("shells"))) == {"South Korea"}


def test_merging_a_speaker_into_an_agency_moves_its_statements_into_the_group(korea):
    korea.actor("Spy chief", "person")
    korea.says("shells", "Spy chief")
    korea.says("shells", "NIS")
    assert korea.status("shells") == "corroborated"
    korea.merge("NIS", "Spy chief")
    assert (korea.status("shells"), korea.row("shells")["groups"]) == ("single-source", 1)


# --- `prov claims`: every filter ---------------------------------------------------------


@pytest.fixture
def listed(korea, db_url):
    """Four claims, one of each status, for the CLI filters."""
    korea.claim("nk-corr", "North Korea sent ARTILLERY shells", topic="shells")
    korea.claim("nk-cont", "North Korea sent rockets", topic="shells")
    korea.claim("nk-single", "North Korean troops are in Kursk", topic="troops")
    korea.claim("nk-unsup", "North Korean troops are in Kherson", topic="troops")
    korea.says("nk-corr", "NIS", outlet="The Moscow Times", via="AFP", day="2023-11-01")
    korea.says("nk-corr", "HUR", outlet="Reuters", day="2023-11-05")
    korea.says("nk-cont", "DIA", outlet="Yonhap", day="2023-12-01")
    korea.denies("nk-cont", "North Korea", outlet="KCNA", day="2023-12-02")
    korea.says("nk-single", "Yoo Sang-bum", cites="NIS", outlet="Yonhap", day="2024-01-10")
    return db_url


def keys(db_url: str, *args: str) -> set[str]:
    result = runner.invoke(app, ["--db", db_url, "claims", *args, "--format", "json"])
    assert result.exit_code == 0, (result.stderr, result.exception)
    return {row["key"] for row in json.loads(result.stdout)} - {"shells"}


def test_listing_rows_carry_the_status_and_counts(listed):
    result = runner.invoke(app, ["--db", listed, "claims", "--format", "json"])
    rows = {row["key"]: row for row in json.loads(result.stdout)}
    assert {k: r["status"] for k, r in rows.items()} == {
        "shells": "unsupported",
        "nk-corr": "corroborated",
        "nk-cont": "contested",
        "nk-single": "single-source",
        "nk-unsup": "unsupported",
    }
    corr = rows["nk-corr"]
    assert {k: corr[k] for k in ("groups", "outlets", "assertions", "echoed", "topic")} == {
        "groups": 2,
        "outlets": 2,
        "assertions": 2,
        "echoed": False,
        "topic": "shells",
    }
    assert (corr["first_seen"], corr["last_seen"]) == ("2023-11-01", "2023-11-05")
    assert corr["text"] == "North Korea sent ARTILLERY shells"


def test_filter_by_status(listed):
    assert keys(listed, "--unverified") == {"nk-single", "nk-unsup"}
    assert keys(listed, "--corroborated") == {"nk-corr"}
    assert keys(listed, "--contested") == {"nk-cont"}
    assert keys(listed, "--corroborated", "--contested") == {"nk-corr", "nk-cont"}
    assert keys(listed, "--status", "single-source") == {"nk-single"}
    assert keys(listed, "--status", "single-source", "--status", "unsupported") == keys(
        listed, "--unverified"
    )
    assert keys(listed) == {"nk-corr", "nk-cont", "nk-single", "nk-unsup"}


def test_filter_by_topic(listed):
    assert keys(listed, "--topic", "troops") == {"nk-single", "nk-unsup"}
    assert keys(listed, "--topic", "shells", "--contested") == {"nk-cont"}
    assert keys(listed, "--topic", "nothing") == set()


def test_filter_by_speaker_or_cited_source_by_any_alias(listed):
    assert keys(listed, "--speaker", "Yoo Sang-bum") == {"nk-single"}
    assert keys(listed, "--speaker", "yoo sang bum") == {"nk-single"}
    # the NIS spoke for nk-corr and was cited for nk-single
    nis = {"nk-corr", "nk-single"}
    assert keys(listed, "--speaker", "National Intelligence Service") == nis
    assert keys(listed, "--speaker", "N.I.S.") == nis
    assert keys(listed, "--speaker", "seoul's spy agency") == nis
    assert keys(listed, "--speaker", "North Korea") == {"nk-cont"}
    # a group is not a speaker: South Korea itself said nothing
    assert keys(listed, "--speaker", "South Korea") == set()


def test_filter_by_unknown_speaker_or_outlet_is_an_error(listed):
    for option in ("--speaker", "--outlet"):
        result = runner.invoke(app, ["--db", listed, "claims", option, "Nobody"])
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: ")


def test_filter_by_unknown_speaker_writes_no_data(listed):
    result = runner.invoke(app, ["--db", listed, "claims", "--speaker", "Nobody", "-f", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""


def test_filter_by_outlet_or_the_wire_it_carried(listed):
    assert keys(listed, "--outlet", "AFP") == {"nk-corr"}
    assert keys(listed, "--outlet", "the moscow times") == {"nk-corr"}
    assert keys(listed, "--outlet", "Yonhap") == {"nk-cont", "nk-single"}
    assert keys(listed, "--outlet", "KCNA") == {"nk-cont"}


def test_filter_by_search_in_text_or_key(listed):
    assert keys(listed, "--search", "artillery") == {"nk-corr"}
    assert keys(listed, "--search", "KURSK") == {"nk-single"}
    assert keys(listed, "--search", "nk-uns") == {"nk-unsup"}
    assert keys(listed, "--search", "troops are in") == {"nk-single", "nk-unsup"}
    assert keys(listed, "--search", "nowhere") == set()


def test_search_takes_wildcards_literally(listed):
    assert keys(listed, "--search", "_") == set()
    assert keys(listed, "--search", "%") == set()


def test_filter_by_date_window(listed):
    assert keys(listed, "--since", "2023-12-01") == {"nk-cont", "nk-single"}
    assert keys(listed, "--until", "2023-11-30") == {"nk-corr"}
    assert keys(listed, "--since", "2023-11-05", "--until", "2023-11-05") == {"nk-corr"}
    assert keys(listed, "--since", "2023-12-02", "--until", "2023-12-31") == {"nk-cont"}
    assert keys(listed, "--since", "2025-01-01") == set()


def test_a_date_window_does_not_change_the_status(listed):
    # only the denial falls in the window; the claim is still contested, still counted
    # with both of its statements
    result = runner.invoke(
        app,
        ["--db", listed, "claims", "--since", "2023-12-02", "--until", "2023-12-02", "-f", "json"],
    )
    [row] = json.loads(result.stdout)
    assert (row["key"], row["status"], row["assertions"]) == ("nk-cont", "contested", 2)


def test_filters_combine(listed):
    assert keys(listed, "--outlet", "Yonhap", "--unverified") == {"nk-single"}
    assert keys(listed, "--outlet", "Yonhap", "--since", "2024-01-01") == {"nk-single"}
    assert keys(listed, "--speaker", "NIS", "--topic", "troops") == {"nk-single"}


def test_no_match_says_so_on_stderr(listed):
    result = runner.invoke(app, ["--db", listed, "claims", "--search", "nowhere", "-f", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [result.stdout.splitlines()[0]]  # the header only
    assert result.stdout.startswith("key,status")
    assert "no claims match" in result.stderr


# --- `prov claims show` --------------------------------------------------------------------


def test_show_as_text_has_status_reasons_and_tree(listed):
    as_json = runner.invoke(app, ["--db", listed, "claims", "show", "nk-cont", "-f", "json"])
    explained = json.loads(as_json.stdout)
    result = runner.invoke(app, ["--db", listed, "claims", "show", "nk-cont"])
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "nk-cont contested" in text
    assert explained["text"] in text
    for reason in explained["reasons"]:
        assert " ".join(reason.split()) in text
    for name in ("South Korea", "Defense Intelligence Agency", "North Korea", "Yonhap", "KCNA"):
        assert name in text


def test_show_as_json_has_reasons_and_tree(listed):
    result = runner.invoke(app, ["--db", listed, "claims", "show", "nk-single", "-f", "json"])
    assert result.exit_code == 0, result.stderr
    explained = json.loads(result.stdout)
    assert explained["status"] == "single-source"
    assert explained["reasons"][0].startswith("single-source")
    [group] = explained["tree"]
    assert group["group"] == "South Korea"
    [origin] = group["origins"]
    assert origin["origin"] == "National Intelligence Service"
    [leaf] = origin["statements"]
    assert (leaf["speaker"], leaf["cites"], leaf["outlet"]) == (
        "Yoo Sang-bum",
        "National Intelligence Service",
        "Yonhap",
    )
    assert (leaf["stance"], leaf["wording"], leaf["confidence"]) == ("asserts", "said", "asserted")
    assert leaf["published"] == "2024-01-10"


def test_show_as_json_agrees_with_the_listing(listed):
    listing = runner.invoke(app, ["--db", listed, "claims", "--format", "json"])
    for row in json.loads(listing.stdout):
        shown = runner.invoke(app, ["--db", listed, "claims", "show", row["key"], "-f", "json"])
        explained = json.loads(shown.stdout)
        assert {k: explained[k] for k in row} == row
