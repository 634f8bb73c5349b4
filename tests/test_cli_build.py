"""Building the record by hand through the command line, on a real database.

Every command that builds (outlet, actor, article, claim, assert, relate), the `db`
commands, `lexicon`, `--version` and the help of every command, with the errors a
user can make: each domain error is ``Error: …`` on stderr with exit 1 and no
traceback, each usage error exits 2.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import typer

from provenance import __version__
from provenance.cli.app import app
from provenance.db import migrate
from tests.cli import build, ok, prov, rows, runner

# --- helpers -------------------------------------------------------------------------


def fails(db_url: str, *args: str, code: int = 1):
    """Run a command that must fail cleanly: the exit code, a message, no traceback."""
    result = prov(db_url, *args)
    assert result.exit_code == code, (args, result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if code == 1:
        assert result.stderr.startswith("Error: "), result.stderr
    else:
        assert "Usage:" in result.stderr, result.stderr
        assert "Error:" in result.stderr, result.stderr
    return result
    return result


def by_name(db_url: str, noun: str) -> dict[str, dict]:
    return {row["name"]: row for row in rows(db_url, noun, "list")}


def shown(db_url: str, key: str) -> dict:
    return json.loads(ok(db_url, "claims", "show", key, "--format", "json").stdout)


def speakers(claim: dict) -> list[str | None]:
    return [
        leaf["speaker"]
        for group in claim["tree"]
        for origin in group["origins"]
        for leaf in origin["statements"]
    ]


NEWSROOM = (
    "outlet add AFP --kind wire --country France",
    'outlet add "The Moscow Times" --kind newspaper',
    "outlet add Yonhap --kind wire",
    'actor add "South Korea" --kind government',
    'actor add "National Intelligence Service" --kind agency --part-of "South Korea" --alias NIS',
    'actor add "Yoo Sang-bum" --kind person',
    'article add --outlet "The Moscow Times" --via AFP --published 2023-11-01 '
    "--url https://mt.example/shells",
    "article add --outlet Yonhap --published 2023-11-02 --title 'Spy agency briefs lawmakers'",
    'claim add nk-shells-1m "North Korea has sent over one million shells to Russia" '
    '--topic nk-shells --quantity "more than one million" --unit shells',
)


@pytest.fixture
def newsroom(db_url: str) -> str:
    build(db_url, *NEWSROOM)
    return db_url


# --- version and help ----------------------------------------------------------------


def test_version_prints_the_package_version(db_url):
    result = ok(db_url, "--version")
    assert result.stdout.strip() == f"prov {__version__}"


def test_db_may_come_after_the_command(db_url):
    """`--db` (or `--db=`) anywhere before `--` is the root's option; the default
    database (in this test's own data directory) is left empty."""
    for args in (
        ["outlet", "add", "AFP", "--db", db_url],
        ["outlet", "add", "--db=" + db_url, "Yonhap", "--kind", "wire"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output

    def names(*args: str) -> list[str]:
        listed = runner.invoke(app, ["outlet", "list", "--format", "csv", *args])
        return [r["name"] for r in csv.DictReader(io.StringIO(listed.stdout))]

    assert names("--db", db_url) == ["AFP", "Yonhap"]
    assert names() == []
    # after `--`, "--db" is an argument like any other: here, an outlet's name
    ok(db_url, "outlet", "add", "--", "--db")
    assert "--db" in [r["name"] for r in rows(db_url, "outlet", "list")]


def _command_paths(command, path=()):
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _command_paths(sub, (*path, name))


COMMANDS = list(_command_paths(typer.main.get_command(app)))


# Groups (and the root) whose help is a bare summary today; see the report. `prov
# claims` has an example in its callback's docstring, but `typer.Typer(help=…)` hides
# that docstring from --help.
def test_the_command_tree_holds_every_building_command():
    expected = {
        ("outlet", "add"),
        ("outlet", "list"),
        ("actor", "add"),
        ("actor", "alias"),
        ("actor", "merge"),
        ("actor", "list"),
        ("article", "add"),
        ("article", "list"),
        ("claim", "add"),
        ("claims", "show"),
        ("assert",),
        ("relate",),
        ("lexicon",),
        ("db", "path"),
        ("db", "upgrade"),
        ("db", "current"),
        ("db", "history"),
    }
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(
            path,
            id=" ".join(path) or "prov",
        )
        for path in COMMANDS
    ],
)
def test_every_command_and_group_has_help_with_an_example(path):
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.stderr
    usage, _, rest = result.stdout.partition("\n\n")
    assert usage.startswith("Usage: prov")
    summary = rest.strip().splitlines()[0]
    assert summary
    assert not summary.startswith(("Options:", "Arguments:"))
    assert "Example:" in result.stdout


# --- outlets -------------------------------------------------------------------------


def test_outlet_add_then_list_shows_every_field(db_url):
    build(
        db_url,
        "outlet add AFP --kind wire --country France --url https://afp.com --reliability B",
        'outlet add "The Moscow Times"',
    )
    outlets = by_name(db_url, "outlet")
    assert outlets["AFP"] == {
        "name": "AFP",
        "kind": "wire",
        "reliability": "B",
        "country": "France",
        "url": "https://afp.com",
        "articles": 0,
    }
    # defaults: kind other, reliability F ("cannot be judged")
    assert outlets["The Moscow Times"]["kind"] == "other"
    assert outlets["The Moscow Times"]["reliability"] == "F"


def test_outlet_add_reports_on_stderr_only(db_url):
    result = ok(db_url, "outlet", "add", "AFP", "--kind", "wire")
    assert result.stdout == ""
    assert "AFP" in result.stderr


@pytest.mark.parametrize("again", ["AFP", "afp", " Afp ", "aFP"])
def test_duplicate_outlet_ignoring_case_is_refused(db_url, again):
    build(db_url, "outlet add AFP --kind wire")
    fails(db_url, "outlet", "add", again)
    assert list(by_name(db_url, "outlet")) == ["AFP"]


def test_outlet_names_ignore_runs_of_spaces(db_url):
    build(db_url, 'outlet add "The Moscow Times"')
    fails(db_url, "outlet", "add", "the  moscow   TIMES")


def test_outlet_counts_its_articles(newsroom):
    outlets = by_name(newsroom, "outlet")
    assert outlets["The Moscow Times"]["articles"] == 1
    assert outlets["Yonhap"]["articles"] == 1


# --- bad values are usage errors -----------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["outlet", "add", "Blog", "--kind", "blog"],
        ["outlet", "add", "Blog", "--reliability", "G"],
        ["actor", "add", "Someone", "--kind", "alien"],
        ["article", "add", "--outlet", "AFP", "--title", "x", "--published", "2023-02-30"],
        ["article", "add", "--outlet", "AFP", "--title", "x", "--published", "01/11/2023"],
        ["claim", "add", "k", "text", "--as-of", "yesterday"],
        ["claim", "add", "k", "text", "--since", "2023-13-01"],
        ["claims", "--since", "2023-1-1x"],
        ["claims", "--status", "confirmed"],
        ["assert", "nk-shells-1m", "--article", "#1", "--stance", "maybe"],
        ["assert", "nk-shells-1m", "--article", "#1", "--confidence", "sure"],
        ["assert", "nk-shells-1m", "--article", "#1", "--quote-start", "-1"],
        ["relate", "nk-shells-1m", "confirms", "nk-shells-1m"],
        ["outlet", "list", "--format", "xml"],
        ["outlet", "frobnicate"],
    ],
    ids=lambda args: " ".join(args),
)
def test_bad_enum_or_date_is_a_usage_error(newsroom, args):
    fails(newsroom, *args, code=2)


def test_a_usage_error_writes_nothing(db_url):
    fails(db_url, "outlet", "add", "Blog", "--kind", "blog", code=2)
    assert rows(db_url, "outlet", "list") == []


# --- actors --------------------------------------------------------------------------


def test_actor_add_with_part_of_and_aliases(newsroom):
    actors = by_name(newsroom, "actor")
    nis = actors["National Intelligence Service"]
    assert nis["kind"] == "agency"
    assert nis["part_of"] == "South Korea"
    assert nis["group"] == "South Korea"
    assert nis["aliases"] == ["NIS"]
    # an actor part of nothing is its own group
    assert actors["South Korea"]["group"] == "South Korea"
    assert actors["Yoo Sang-bum"]["part_of"] is None


def test_part_of_follows_the_chain_to_the_top(newsroom):
    build(newsroom, 'actor add "NIS cyber unit" --kind agency --part-of NIS')
    assert by_name(newsroom, "actor")["NIS cyber unit"]["group"] == "South Korea"


def test_actor_kind_defaults_to_other(db_url):
    build(db_url, "actor add Someone")
    assert by_name(db_url, "actor")["Someone"]["kind"] == "other"


def test_duplicate_actor_name_is_refused(newsroom):
    fails(newsroom, "actor", "add", "South Korea", "--kind", "government")


def test_actor_name_matching_another_by_key_is_refused(newsroom):
    fails(newsroom, "actor", "add", "south-korea")
    fails(newsroom, "actor", "add", "N.I.S.")  # the key of the alias NIS


def test_unknown_part_of_is_not_found(db_url):
    result = fails(db_url, "actor", "add", "NIS", "--part-of", "South Korea")
    assert "South Korea" in result.stderr
    assert rows(db_url, "actor", "list") == []


@pytest.mark.parametrize(
    "spelling", ["Shin Won-sik", "shin won sik", "SHIN WONSIK", "Shin Wonsik."]
)
def test_aliases_match_ignoring_case_spaces_hyphens_and_punctuation(db_url, spelling):
    build(
        db_url,
        'actor add "Shin Wonsik" --kind person',
        "outlet add Yonhap",
        "article add --outlet Yonhap --title briefing",
        "claim add k 'A claim'",
    )
    ok(db_url, "assert", "k", "--article", "briefing", "--speaker", spelling)
    assert speakers(shown(db_url, "k")) == ["Shin Wonsik"]


def test_actor_alias_adds_names_found_afterwards(newsroom):
    build(
        newsroom,
        """actor alias "yoo sang bum" "Yoo" "the lawmaker Yoo Sang-bum" """,
        "claim add other 'Another claim'",
        "assert other --article #2 --speaker 'The lawmaker Yoo Sang-Bum'",
    )
    aliases = by_name(newsroom, "actor")["Yoo Sang-bum"]["aliases"]
    assert set(aliases) == {"Yoo", "the lawmaker Yoo Sang-bum"}
    assert speakers(shown(newsroom, "other")) == ["Yoo Sang-bum"]


def test_alias_held_by_another_actor_is_refused(newsroom):
    result = fails(newsroom, "actor", "alias", "Yoo Sang-bum", "N.I.S.")
    assert "National Intelligence Service" in result.stderr
    fails(newsroom, "actor", "add", "Spies", "--alias", "nis")
    actors = by_name(newsroom, "actor")
    assert "Spies" not in actors
    assert actors["Yoo Sang-bum"]["aliases"] == []
    assert actors["National Intelligence Service"]["aliases"] == ["NIS"]


def test_alias_for_unknown_actor_is_not_found(newsroom):
    fails(newsroom, "actor", "alias", "Kim Jong Un", "Supreme Leader")


def test_alias_without_letters_is_refused(newsroom):
    fails(newsroom, "actor", "alias", "NIS", "?!")
    fails(newsroom, "actor", "add", "...")


def test_merge_moves_statements_and_aliases_and_drops_duplicates(newsroom):
    build(
        newsroom,
        """actor add "S. Korean spy agency" --kind agency --alias "Seoul's spy agency" """,
        "claim add nk-troops 'North Korea sent troops to Russia'",
        # the same statement twice, once under each name: one survives the merge
        "assert nk-shells-1m --article #2 --speaker NIS --quote 'kept'",
        "assert nk-shells-1m --article #2 --speaker 'S. Korean spy agency' --quote 'dropped'",
        # a statement only the duplicate made, and one citing it
        'assert nk-shells-1m --article https://mt.example/shells --speaker "Seoul\'s spy agency"',
        "assert nk-troops --article #2 --speaker 'Yoo Sang-bum' --cites 'S. Korean spy agency'",
    )
    assert shown(newsroom, "nk-shells-1m")["assertions"] == 3

    result = ok(newsroom, "actor", "merge", "NIS", "S. Korean spy agency")
    assert result.stdout == ""

    actors = by_name(newsroom, "actor")
    assert "S. Korean spy agency" not in actors
    nis = actors["National Intelligence Service"]
    assert set(nis["aliases"]) == {"NIS", "S. Korean spy agency", "Seoul's spy agency"}
    assert nis["statements"] == 3  # two of nk-shells-1m, one cited for nk-troops

    shells = shown(newsroom, "nk-shells-1m")
    assert shells["assertions"] == 2
    assert speakers(shells) == ["National Intelligence Service"] * 2
    quotes = [
        leaf["quote"]
        for group in shells["tree"]
        for origin in group["origins"]
        for leaf in origin["statements"]
    ]
    assert "dropped" not in quotes
    assert "kept" in quotes
    troops = shown(newsroom, "nk-troops")
    assert troops["tree"][0]["group"] == "South Korea"
    assert troops["tree"][0]["origins"][0]["origin"] == "National Intelligence Service"
    # the duplicate's names now find the actor that stays
    listed = rows(newsroom, "claims", "--speaker", "Seoul's spy agency")
    assert {row["key"] for row in listed} == {"nk-shells-1m", "nk-troops"}


def test_merge_of_an_actor_with_itself_is_refused(newsroom):
    fails(newsroom, "actor", "merge", "NIS", "national intelligence service")
    assert "National Intelligence Service" in by_name(newsroom, "actor")


def test_merge_of_unknown_actor_is_not_found(newsroom):
    fails(newsroom, "actor", "merge", "NIS", "KGB")


def test_merge_that_would_make_a_part_of_cycle_is_refused(db_url):
    # Seoul is part of the Assembly, the Assembly part of "ROK": merging ROK into
    # Seoul would make Seoul part of the Assembly part of Seoul.
    build(
        db_url,
        "actor add ROK --kind government",
        "actor add Assembly --kind organization --part-of ROK",
        "actor add Seoul --kind government --part-of Assembly",
    )
    before = by_name(db_url, "actor")
    result = fails(db_url, "actor", "merge", "Seoul", "ROK")
    assert "cycle" in result.stderr
    assert by_name(db_url, "actor") == before


def test_merge_of_an_actors_own_parent_into_it(newsroom):
    # the NIS is part of South Korea; South Korea turns out to be a duplicate name
    ok(newsroom, "actor", "merge", "NIS", "South Korea")
    nis = by_name(newsroom, "actor")["National Intelligence Service"]
    assert nis["part_of"] is None
    assert nis["group"] == "National Intelligence Service"


# --- articles ------------------------------------------------------------------------


def test_article_add_then_list(newsroom, tmp_path):
    text = tmp_path / "story.txt"
    text.write_text("Full text of the story.", encoding="utf-8")
    build(
        newsroom,
        f"article add --outlet afp --title 'Wire copy' --byline 'A. Reporter' --text {text}",
    )
    listed = rows(newsroom, "article", "list")
    # oldest first; an undated article sorts by the backend's rule for NULL, so
    # compare the dated ones and find the new one by title
    dated = [a for a in listed if a["published"]]
    assert [a["published"] for a in dated] == ["2023-11-01", "2023-11-02"]
    assert dated[0] == {
        "id": dated[0]["id"],
        "published": "2023-11-01",
        "outlet": "The Moscow Times",
        "via": "AFP",
        "title": None,
        "url": "https://mt.example/shells",
        "statements": 0,
    }
    wire = next(a for a in listed if a["title"] == "Wire copy")
    assert wire["outlet"] == "AFP"
    assert wire["url"] is None


def test_article_list_by_outlet_includes_the_wire_it_carries(newsroom):
    assert [a["outlet"] for a in rows(newsroom, "article", "list", "--outlet", "AFP")] == [
        "The Moscow Times"
    ]
    assert [a["title"] for a in rows(newsroom, "article", "list", "--outlet", "yonhap")] == [
        "Spy agency briefs lawmakers"
    ]
    # the unknown outlet is found before anything is written: not even a header
    assert fails(newsroom, "article", "list", "--outlet", "Reuters", "--format", "csv").stdout == ""


def test_article_errors(newsroom):
    fails(newsroom, "article", "add", "--outlet", "Reuters", "--title", "x")
    fails(newsroom, "article", "add", "--outlet", "AFP", "--via", "Reuters", "--title", "x")
    fails(newsroom, "article", "add", "--outlet", "AFP")  # neither url nor title
    fails(newsroom, "article", "add", "--outlet", "AFP", "--url", "https://mt.example/shells")
    fails(newsroom, "article", "add", "--title", "x", code=2)  # --outlet is required
    assert len(rows(newsroom, "article", "list")) == 2


# --- claims, assertions, relations ---------------------------------------------------


def test_claim_add_keeps_its_figure(newsroom):
    claim = shown(newsroom, "nk-shells-1m")
    assert claim["text"] == "North Korea has sent over one million shells to Russia"
    assert claim["topic"] == "nk-shells"
    assert claim["status"] == "unsupported"
    assert claim["figure"]["quantity"] == "more than one million"
    assert claim["figure"]["low"] == 1_000_000
    assert claim["figure"]["low_open"] is True
    assert claim["figure"]["high"] is None
    assert claim["figure"]["unit"] == "shells"


def test_claim_add_with_explicit_bounds(db_url):
    build(
        db_url,
        "claim add nk-troops 'Troops' --low 10000 --high 12000 --high-open --unit troops "
        "--as-of 2024-11-01 --since 2024-10-01 --cumulative",
    )
    figure = shown(db_url, "nk-troops")["figure"]
    assert (figure["low"], figure["high"]) == (10000, 12000)
    assert (figure["low_open"], figure["high_open"]) == (False, True)
    assert (figure["as_of"], figure["since"]) == ("2024-11-01", "2024-10-01")
    assert figure["cumulative"] is True


def test_claim_errors(newsroom):
    fails(newsroom, "claim", "add", "nk-shells-1m", "Again")  # key taken
    fails(newsroom, "claim", "add", "Not A Slug", "Text")
    fails(newsroom, "claim", "add", "k", "   ")
    fails(newsroom, "claim", "add", "k", "Text", "--low", "5", "--high", "1")
    result = fails(newsroom, "claim", "add", "k", "Text", "--quantity", "a great many")
    assert "a great many" in result.stderr
    assert [c["key"] for c in rows(newsroom, "claims")] == ["nk-shells-1m"]


def test_assert_records_speaker_source_wording_and_confidence(newsroom):
    result = ok(
        newsroom,
        "assert",
        "nk-shells-1m",
        "--article",
        "https://mt.example/shells",
        "--speaker",
        "yoo sang-bum",
        "--cites",
        "NIS",
        "--wording",
        "has learned",
        "--quote",
        "more than one million artillery rounds",
    )
    assert "Warning" not in result.stderr
    assert result.stdout == ""
    claim = shown(newsroom, "nk-shells-1m")
    [group] = claim["tree"]
    assert group["group"] == "South Korea"
    [origin] = group["origins"]
    assert origin["origin"] == "National Intelligence Service"
    [leaf] = origin["statements"]
    assert leaf["speaker"] == "Yoo Sang-bum"
    assert leaf["cites"] == "National Intelligence Service"
    assert leaf["wording"] == "has learned"
    assert leaf["confidence"] == "asserted"
    assert leaf["stance"] == "asserts"
    assert (leaf["outlet"], leaf["via"]) == ("The Moscow Times", "AFP")


def test_assert_finds_an_article_by_id_or_title(newsroom):
    build(
        newsroom,
        "assert nk-shells-1m --article 'Spy agency briefs lawmakers' --speaker NIS",
        "assert nk-shells-1m --article 1 --speaker NIS --wording could",
    )
    claim = shown(newsroom, "nk-shells-1m")
    leaves = [leaf for o in claim["tree"][0]["origins"] for leaf in o["statements"]]
    assert sorted(leaf["outlet"] for leaf in leaves) == ["The Moscow Times", "Yonhap"]


def test_assert_reads_hedges_from_the_wording(newsroom):
    build(newsroom, "assert nk-shells-1m --article #2 --speaker NIS --wording 'could have'")
    [leaf] = shown(newsroom, "nk-shells-1m")["tree"][0]["origins"][0]["statements"]
    assert leaf["confidence"] == "roughly-even-chance"


def test_unknown_wording_warns_but_succeeds_as_asserted(newsroom):
    result = ok(
        newsroom, "assert", "nk-shells-1m", "--article", "#2", "--speaker", "NIS",
        "--wording", "blurted out",
    )  # fmt: skip
    assert "Warning:" in result.stderr
    assert "blurted out" in result.stderr
    assert "Error" not in result.stderr
    [leaf] = shown(newsroom, "nk-shells-1m")["tree"][0]["origins"][0]["statements"]
    assert leaf["wording"] == "blurted out"
    assert leaf["confidence"] == "asserted"


def test_confidence_override_wins_over_the_wording_without_warning(newsroom):
    result = ok(
        newsroom, "assert", "nk-shells-1m", "--article", "#2", "--speaker", "NIS",
        "--wording", "blurted out", "--confidence", "unlikely",
    )  # fmt: skip
    assert "Warning" not in result.stderr
    [leaf] = shown(newsroom, "nk-shells-1m")["tree"][0]["origins"][0]["statements"]
    assert leaf["confidence"] == "unlikely"


def test_assert_errors(newsroom):
    fails(newsroom, "assert", "no-such-claim", "--article", "#1")
    fails(newsroom, "assert", "nk-shells-1m", "--article", "https://nowhere.example")
    fails(newsroom, "assert", "nk-shells-1m", "--article", "#99")
    fails(newsroom, "assert", "nk-shells-1m", "--article", "#1", "--speaker", "Kim Jong Un")
    fails(newsroom, "assert", "nk-shells-1m", "--article", "#1", "--cites", "KGB")
    fails(newsroom, "assert", "nk-shells-1m", code=2)  # --article is required
    assert shown(newsroom, "nk-shells-1m")["assertions"] == 0


def test_the_same_statement_twice_is_refused(newsroom):
    build(newsroom, "assert nk-shells-1m --article #1 --speaker 'Yoo Sang-bum' --cites NIS")
    fails(newsroom, "assert", "nk-shells-1m", "--article", "#1", "--speaker", "Yoo Sang-bum",
          "--cites", "nis", "--wording", "said")  # fmt: skip
    # a different stance is a different statement
    build(
        newsroom,
        "assert nk-shells-1m --article #1 --speaker yoo-sang-bum --cites NIS --stance doubts",
    )
    assert shown(newsroom, "nk-shells-1m")["assertions"] == 2


def test_relate_two_claims(newsroom):
    build(
        newsroom,
        "actor add Russia --kind government",
        "claim add nk-no-shells 'North Korea sent no shells'",
        "assert nk-shells-1m --article #1 --speaker NIS",
        "assert nk-no-shells --article #2 --speaker Russia",
    )
    result = ok(newsroom, "relate", "nk-shells-1m", "contradicts", "nk-no-shells", "--note", "x")
    assert result.stdout == ""
    assert "contradicts" in result.stderr
    for key, other in [("nk-shells-1m", "nk-no-shells"), ("nk-no-shells", "nk-shells-1m")]:
        claim = shown(newsroom, key)
        assert claim["status"] == "contested"
        assert any(other in reason for reason in claim["reasons"])


def test_relate_errors(newsroom):
    build(newsroom, "claim add other 'Another'")
    fails(newsroom, "relate", "nk-shells-1m", "contradicts", "nk-shells-1m")
    fails(newsroom, "relate", "nk-shells-1m", "contradicts", "missing")
    fails(newsroom, "relate", "missing", "supports", "other")
    build(newsroom, "relate nk-shells-1m supersedes other")
    fails(newsroom, "relate", "nk-shells-1m", "supersedes", "other")


def test_show_reads_a_key_as_the_other_commands_do(newsroom):
    # a key pasted with the spaces around it (the commands strip them)
    padded, plain = shown(newsroom, " nk-shells-1m "), shown(newsroom, "nk-shells-1m")
    assert padded == plain
    assert plain["key"] == "nk-shells-1m"


def test_show_unknown_claim_is_not_found(newsroom):
    result = fails(newsroom, "claims", "show", "no-such-claim")
    assert "no-such-claim" in result.stderr
    assert result.stdout == ""


# --- listing formats and --output ----------------------------------------------------


def test_listing_formats(newsroom):
    as_json = rows(newsroom, "outlet", "list")
    names = [row["name"] for row in as_json]
    assert names == ["AFP", "The Moscow Times", "Yonhap"]

    as_csv = ok(newsroom, "outlet", "list", "--format", "csv").stdout
    parsed = list(csv.DictReader(io.StringIO(as_csv)))
    assert [row["name"] for row in parsed] == names
    assert parsed[0]["country"] == "France"
    assert parsed[1]["country"] == ""

    as_jsonl = ok(newsroom, "outlet", "list", "--format", "jsonl").stdout
    assert [json.loads(line) for line in as_jsonl.splitlines()] == as_json

    as_table = ok(newsroom, "outlet", "list", "--format", "table").stdout
    for name in names:
        assert name in as_table
    with pytest.raises(json.JSONDecodeError):
        json.loads(as_table)


def test_listing_defaults_to_csv_when_not_on_a_terminal(newsroom):
    default = ok(newsroom, "actor", "list").stdout
    assert default == ok(newsroom, "actor", "list", "-f", "csv").stdout
    assert default.startswith("name,kind,part_of,group,aliases,statements")


def test_empty_listing_in_json_is_an_empty_list(db_url):
    assert rows(db_url, "outlet", "list") == []
    assert ok(db_url, "outlet", "list", "--format", "jsonl").stdout == ""


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "table"])
def test_output_file_gets_the_data_and_stdout_nothing(newsroom, tmp_path, fmt):
    target = tmp_path / f"outlets.{fmt}"
    result = ok(newsroom, "outlet", "list", "--format", fmt, "--output", str(target))
    assert result.stdout == ""
    written = target.read_text(encoding="utf-8")
    assert written == ok(newsroom, "outlet", "list", "--format", fmt).stdout
    assert "The Moscow Times" in written


def test_output_file_without_format_is_csv(newsroom, tmp_path):
    target = tmp_path / "articles"
    result = ok(newsroom, "article", "list", "-o", str(target))
    assert result.stdout == ""
    written = target.read_bytes().decode("utf-8")
    assert written.startswith("id,published,outlet,via,title,url,statements\r\n")  # RFC 4180
    parsed = list(csv.DictReader(io.StringIO(written, newline="")))
    assert [row["outlet"] for row in parsed] == ["The Moscow Times", "Yonhap"]


# --- lexicon -------------------------------------------------------------------------


def test_lexicon_lists_cues_with_their_levels(db_url):
    lexicon = {row["cue"]: row["level"] for row in rows(db_url, "lexicon")}
    assert lexicon["could"] == "roughly-even-chance"
    assert lexicon["has learned"] == "asserted"
    assert lexicon["very likely"] == "very-likely"
    levels = [row["level"] for row in rows(db_url, "lexicon")]
    # most hedged first
    assert levels[0] == "not-assessable"
    assert levels[-1] == "asserted"


# --- the database --------------------------------------------------------------------


def test_db_path_honours_the_db_option(tmp_path, monkeypatch):
    monkeypatch.setenv("PROV_DB", str(tmp_path / "from-env.db"))
    target = tmp_path / "given" / "desk.db"
    result = runner.invoke(app, ["--db", str(target), "db", "path"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(target.resolve())


def test_db_path_resolves_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--db", "desk.db", "db", "path"])
    assert result.stdout.strip() == str(tmp_path.resolve() / "desk.db")


def test_db_path_honours_prov_db(tmp_path, monkeypatch):
    target = tmp_path / "from-env.db"
    monkeypatch.setenv("PROV_DB", str(target))
    result = runner.invoke(app, ["db", "path"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(target)


def test_db_path_defaults_to_the_user_data_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PROV_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = runner.invoke(app, ["db", "path"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "data" / "prov" / "prov.db")


def test_db_path_of_a_url_hides_the_password():
    url = "postgresql+psycopg://desk:s3cret@db.example:5432/prov"
    result = runner.invoke(app, ["--db", url, "db", "path"])
    assert result.exit_code == 0, result.stderr
    printed = result.stdout.strip()
    assert "s3cret" not in printed
    assert printed.startswith("postgresql+psycopg://desk:")
    assert printed.endswith("/prov")


def test_the_default_database_is_created_on_first_use(tmp_path, monkeypatch):
    monkeypatch.delenv("PROV_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = runner.invoke(app, ["outlet", "add", "AFP"])
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "data" / "prov" / "prov.db").is_file()


def test_db_current_upgrade_and_history(db_url):
    assert ok(db_url, "db", "current").stdout.strip() == f"none (head is {migrate.HEAD})"
    upgraded = ok(db_url, "db", "upgrade")
    assert upgraded.stdout == ""
    assert migrate.HEAD in upgraded.stderr
    assert "already" not in upgraded.stderr
    assert ok(db_url, "db", "current").stdout.strip() == f"{migrate.HEAD} (head)"
    again = ok(db_url, "db", "upgrade")
    assert "already" in again.stderr
    history = ok(db_url, "db", "history").stdout.splitlines()
    assert history[0].split()[0] == migrate.HEAD


def test_db_current_of_a_file_not_made_yet_leaves_it_unmade(tmp_path):
    target = tmp_path / "later" / "desk.db"
    result = runner.invoke(app, ["--db", str(target), "db", "current"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == f"none (head is {migrate.HEAD})"
    assert not target.parent.exists()


def test_first_use_creates_the_schema(db_url):
    build(db_url, "outlet add AFP")
    assert ok(db_url, "db", "current").stdout.strip() == f"{migrate.HEAD} (head)"
