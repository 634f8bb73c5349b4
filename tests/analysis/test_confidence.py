"""The confidence lexicon: wording → level on the ICD 203 scale (PRODUCT.md section 2),
the shipped cues, inflections, several cues, longer cues, unknown wording, and a user
lexicon that extends and overrides the shipped one."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from provenance.analysis.confidence import HEDGE_ORDER, Lexicon
from provenance.cli.app import app
from provenance.errors import InvalidInput
from provenance.vocabulary import CONFIDENCE_LEVELS

runner = CliRunner()


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def level(lexicon: Lexicon, wording: str) -> str:
    return lexicon.classify(wording).level


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        # the spec's own examples
        ("could contain weapons", "roughly-even-chance"),
        ("the minister said", "asserted"),
        ("has learned", "asserted"),
        ("appears", "likely"),
        ("reportedly", "roughly-even-chance"),
        ("is suspected of", "likely"),
        # the spec's guidance lists
        ("told", "asserted"),
        ("confirmed", "asserted"),
        ("has found", "asserted"),
        ("according to", "asserted"),
        ("seems", "likely"),
        ("believes", "likely"),
        ("estimates", "likely"),
        ("may", "roughly-even-chance"),
        ("might", "roughly-even-chance"),
        ("allegedly", "roughly-even-chance"),
        ("is said to", "roughly-even-chance"),
        ("unclear", "not-assessable"),
        ("suggests", "not-assessable"),
    ],
)
def test_spec_examples(lexicon, wording, expected):
    reading = lexicon.classify(wording)
    assert reading.level == expected
    assert reading.known


@pytest.mark.parametrize("wording", ["say", "says", "said", "saying", "SAID"])
def test_cues_match_in_any_inflection(lexicon, wording):
    reading = lexicon.classify(wording)
    assert (reading.level, reading.cues) == ("asserted", ("say",))


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        ("appeared", "likely"),
        ("appearing", "likely"),
        ("estimated", "likely"),
        ("had learned", "asserted"),
        ("was suspected of", "likely"),
        ("are said to", "roughly-even-chance"),
        ("suggested", "not-assessable"),
    ],
)
def test_inflected_phrases(lexicon, wording, expected):
    assert level(lexicon, wording) == expected


@pytest.mark.parametrize(
    ("wording", "cue"),
    [("wrote", "write"), ("written", "write"), ("have learned", "has learned")],
)
def test_irregular_forms_match_their_cue(lexicon, wording, cue):
    assert lexicon.classify(wording).cues == (cue,)


@pytest.mark.parametrize(
    ("wording", "expected"),
    [
        ("the minister said it could", "roughly-even-chance"),
        ("officials said it appears", "likely"),
        ("believes it may", "roughly-even-chance"),
        ("said it was unclear", "not-assessable"),
        ("confirmed that it might", "roughly-even-chance"),
    ],
)
def test_several_cues_take_the_most_hedged(lexicon, wording, expected):
    assert level(lexicon, wording) == expected


def test_the_most_hedged_is_decided_by_the_hedge_order(lexicon):
    levels = [HEDGE_ORDER.index(level(lexicon, w)) for w in ("unclear", "could", "appears", "said")]
    assert levels == sorted(levels)
    assert set(HEDGE_ORDER) == set(CONFIDENCE_LEVELS)


def test_a_longer_cue_wins_over_a_cue_inside_it(lexicon):
    # "likely" alone is likely, which is more hedged than very likely: only the
    # longer-cue rule makes "very likely" very-likely
    assert level(lexicon, "likely") == "likely"
    reading = lexicon.classify("very likely")
    assert (reading.level, reading.cues) == ("very-likely", ("very likely",))
    assert level(lexicon, "it is very likely, analysts said") == "very-likely"
    assert level(lexicon, "almost certainly") == "almost-certain"


def test_a_cue_is_a_whole_run_of_words(lexicon):
    # "may" must not match inside "mayor", nor "say" inside "essay"
    reading = lexicon.classify("the mayor told an essayist")
    assert reading.cues == ("tell",)


@pytest.mark.parametrize("wording", ["blurted out", "whispered", "xyzzy"])
def test_unknown_wording_is_asserted_and_flagged(lexicon, wording):
    reading = lexicon.classify(wording)
    assert reading.level == "asserted"
    assert reading.known is False
    assert reading.cues == ()


@pytest.mark.parametrize("wording", [None, "", "   "])
def test_no_wording_is_asserted(lexicon, wording):
    assert lexicon.classify(wording).level == "asserted"


# --- a user lexicon ----------------------------------------------------------------------

USER_LEXICON = """\
likely:
  - reckon
  - Is Understood To
unlikely:
  - claim
"""


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "newsroom-lexicon.yaml"
    path.write_text(USER_LEXICON, encoding="utf-8")
    return path


def test_a_user_lexicon_extends_the_shipped_one(lexicon, user_file):
    assert not lexicon.classify("reckons").known
    extended = Lexicon.load(user_file)
    reading = extended.classify("officials reckon")
    assert (reading.level, reading.cues) == ("likely", ("reckon",))
    assert extended.classify("was understood to").level == "likely"
    # the shipped cues are all still there
    assert set(lexicon.entries) <= set(extended.entries)
    assert extended.classify("could").level == "roughly-even-chance"


def test_a_user_lexicon_overrides_a_shipped_cue(lexicon, user_file):
    assert level(lexicon, "claims") == "asserted"
    assert level(Lexicon.load(user_file), "claims") == "unlikely"
    assert level(Lexicon.load(str(user_file)), "claimed") == "unlikely"


def test_prov_lexicon_lists_a_user_file_from_the_environment(user_file, monkeypatch):
    shipped = lexicon_rows()
    monkeypatch.setenv("PROV_LEXICON", str(user_file))
    rows = lexicon_rows()
    assert rows["reckon"] == "likely"
    assert rows["is understood to"] == "likely"
    assert rows["claim"] == "unlikely" != shipped["claim"]
    assert {cue: lvl for cue, lvl in rows.items() if cue in shipped and cue != "claim"} == {
        cue: lvl for cue, lvl in shipped.items() if cue != "claim"
    }


def test_assert_reads_wording_through_the_user_lexicon(user_file, monkeypatch, db_url):
    monkeypatch.setenv("PROV_LEXICON", str(user_file))
    for command in (
        ["outlet", "add", "Yonhap"],
        ["article", "add", "--outlet", "Yonhap", "--title", "t"],
        ["claim", "add", "k", "A claim"],
    ):
        assert runner.invoke(app, ["--db", db_url, *command]).exit_code == 0
    result = runner.invoke(
        app, ["--db", db_url, "assert", "k", "--article", "t", "--wording", "reckons"]
    )
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    assert "likely" in result.stderr
    shown = runner.invoke(app, ["--db", db_url, "claims", "show", "k", "-f", "json"])
    [leaf] = json.loads(shown.stdout)["tree"][0]["origins"][0]["statements"]
    assert leaf["confidence"] == "likely"


def lexicon_rows() -> dict[str, str]:
    result = runner.invoke(app, ["lexicon", "--format", "json"])
    assert result.exit_code == 0, (result.stderr, result.exception)
    return {row["cue"]: row["level"] for row in json.loads(result.stdout)}


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("sure-thing:\n  - totally\n", "unknown level"),
        ("- could\n- may\n", "mapping"),
        ("likely: reckon\n", "must list"),
        ("likely:\n  - 42\n", "must list"),
        ("likely:\n  - '...'\n", "must list"),
        ("likely: [reckon\n", "lexicon"),
    ],
    ids=["unknown-level", "a-list", "cues-not-a-list", "cue-not-text", "cue-no-words", "bad-yaml"],
)
def test_a_bad_lexicon_file_is_invalid_input(tmp_path, monkeypatch, content, complaint):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=complaint) as raised:
        Lexicon.load(path)
    assert str(path) in str(raised.value)
    # and through the CLI: an error, not a traceback
    monkeypatch.setenv("PROV_LEXICON", str(path))
    result = runner.invoke(app, ["lexicon"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert str(path) in result.stderr


def test_a_missing_lexicon_file_is_invalid_input(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-lexicon.yaml"
    monkeypatch.setenv("PROV_LEXICON", str(missing))
    result = runner.invoke(app, ["lexicon"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert str(missing) in result.stderr
