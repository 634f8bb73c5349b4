"""Tests for the quantity parser: every phrase form, the errors, and the interval algebra."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provenance.analysis.quantity import Interval, format_number, parse_number, parse_quantity
from provenance.errors import InvalidInput

INF = None  # an unbounded upper end, as the parser reports it

# phrase -> (low, high, low_open, high_open), at the default tolerance of 0.10
FORMS = {
    # the spec's own examples
    "more than one million": (1e6, INF, True, False),
    "13,000": (13000, 13000, False, False),
    "about 10,000": (9000, 11000, False, False),
    "nearly 100": (90, 100, False, True),
    "between 10 and 20": (10, 20, False, False),
    "dozens of": (24, 99, False, False),
    "over 10,000 troops": (10000, INF, True, False),
    # open above
    "more than one million artillery shells": (1e6, INF, True, False),
    "in excess of 500": (500, INF, True, False),
    "above 7": (7, INF, True, False),
    "exceeding 2 billion dollars": (2e9, INF, True, False),
    # closed above
    "at least 40": (40, INF, False, False),
    "no fewer than a dozen": (12, INF, False, False),
    "no less than 1.5 million": (1_500_000, INF, False, False),
    # up to
    "up to 5,000": (0, 5000, False, False),
    "as many as twenty-five": (0, 25, False, False),
    "at most 10k": (0, 10000, False, False),
    "no more than 300 people": (0, 300, False, False),
    # under
    "under 50": (0, 50, False, True),
    "fewer than a hundred": (0, 100, False, True),
    "less than 1,000,000": (0, 1e6, False, True),
    "below ten": (0, 10, False, True),
    # approximately
    "around 200": (180, 220, False, False),
    "roughly 12,000": (10800, 13200, False, False),
    "some 1,000 soldiers": (900, 1100, False, False),
    "an estimated 4.8 million": (4_320_000, 5_280_000, False, False),
    "approximately 50": (45, 55, False, False),
    "approx. 300": (270, 330, False, False),
    "estimated 100": (90, 110, False, False),
    "~20": (18, 22, False, False),
    "~ 20": (18, 22, False, False),
    # nearly
    "almost 1,000": (900, 1000, False, True),
    "close to a million": (900_000, 1e6, False, True),
    "just under 200": (180, 200, False, True),
    # ranges
    "10 to 20": (10, 20, False, False),
    "10-20": (10, 20, False, False),
    "10 – 20": (10, 20, False, False),
    "between 1 and 1.5 million": (1e6, 1.5e6, False, False),
    "1-1.5 million": (1e6, 1.5e6, False, False),
    "between one and two dozen": (12, 24, False, False),
    "between 500 and 1 million": (500, 1e6, False, False),
    "10k-20k": (10000, 20000, False, False),
    "5 to 5": (5, 5, False, False),
    # vague plurals
    "hundreds of": (200, 999, False, False),
    "thousands of refugees": (2000, 9999, False, False),
    "tens of thousands of": (20000, 99999, False, False),
    "hundreds of thousands of people": (200_000, 999_999, False, False),
    "millions of": (2_000_000, 9_999_999, False, False),
    # bare numbers in every spelling
    "1.5": (1.5, 1.5, False, False),
    "4.8 million": (4.8e6, 4.8e6, False, False),
    "1.1 million": (1_100_000, 1_100_000, False, False),
    "10 thousand": (10000, 10000, False, False),
    "1.2bn": (1.2e9, 1.2e9, False, False),
    "3m": (3e6, 3e6, False, False),
    "3mn": (3e6, 3e6, False, False),
    "ten": (10, 10, False, False),
    "a dozen": (12, 12, False, False),
    "two dozen": (24, 24, False, False),
    "a hundred": (100, 100, False, False),
    "one hundred": (100, 100, False, False),
    "a thousand": (1000, 1000, False, False),
    "a million": (1e6, 1e6, False, False),
    "ten thousand": (10000, 10000, False, False),
    "ninety-nine": (99, 99, False, False),
    "zero": (0, 0, False, False),
    # case and spacing
    "  MORE   THAN  10  ": (10, INF, True, False),
    "About 10,000.": (9000, 11000, False, False),
}


@pytest.mark.parametrize(("phrase", "expected"), FORMS.items(), ids=list(FORMS))
def test_each_phrase_form_reads_as_its_interval(phrase, expected):
    low, high, low_open, high_open = expected
    assert parse_quantity(phrase) == Interval(low, high, low_open, high_open)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13,000", 13000.0),
        ("1,000,000", 1e6),
        ("1.5", 1.5),
        ("4.8 million", 4_800_000.0),
        ("1.1 million", 1_100_000.0),  # 1.1 * 1e6 in floats is 1100000.0000000002
        ("one million", 1e6),
        ("ten", 10.0),
        ("a dozen", 12.0),
        ("a million", 1e6),
        ("twenty-five", 25.0),
        ("1.2bn", 1.2e9),
        ("a hundred thousand", 100_000.0),
    ],
)
def test_parse_number_is_exact(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["", "shells", "10 troops", "-3", "1,00", "a", "thousand hundred"])
def test_parse_number_rejects_anything_but_one_number(text):
    with pytest.raises(InvalidInput, match="cannot read the number") as caught:
        parse_number(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize(
    "phrase",
    [
        "loads of shells",
        "between 20 and 10",
        "20 - 10",
        "-5",
        "about -5",
        "",
        "   ",
        "more than",
        "between 10 or 20",
        "about 10 to 20",
        "two hundred fifty",
        "10 20",
        "under 0",
        "1" + "0" * 400,
    ],
)
def test_unreadable_phrases_name_themselves(phrase):
    with pytest.raises(InvalidInput, match="cannot read the quantity") as caught:
        parse_quantity(phrase)
    assert repr(phrase) in str(caught.value)


def test_backwards_range_says_why():
    with pytest.raises(InvalidInput, match=r"backwards \(20 is more than 10\)"):
        parse_quantity("between 20 and 10")


@pytest.mark.parametrize("tolerance", [-0.1, 1, 1.0, 1.5, math.nan, True, "0.1"])
def test_tolerance_outside_zero_to_one_is_refused(tolerance):
    with pytest.raises(InvalidInput, match="tolerance"):
        parse_quantity("about 10", tolerance=tolerance)


def test_tolerance_changes_about_but_not_nearly():
    assert parse_quantity("about 200", tolerance=0.25) == Interval(150, 250)
    assert parse_quantity("about 200", tolerance=0) == Interval(200, 200)
    assert parse_quantity("nearly 200", tolerance=0.25) == Interval(180, 200, high_open=True)


@pytest.mark.parametrize(
    ("interval", "text"),
    [
        (Interval(1e6, None, low_open=True), "(1000000, ∞)"),
        (Interval(0, 5000), "[0, 5000]"),
        (Interval(10800, 13200), "[10800, 13200]"),
        (Interval(90, 100, high_open=True), "[90, 100)"),
        (Interval(None, 0.5), "(-∞, 0.5]"),
    ],
)
def test_interval_prints_in_math_notation(interval, text):
    assert str(interval) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [(1000000.0, "1000000"), (1.5, "1.5"), (0.1, "0.1"), (1e22, "10000000000000000000000"),
     (1e-7, "0.0000001"), (0.0, "0"), (-0.0, "0")],
)  # fmt: skip
def test_format_number_is_plain_and_short(x, text):
    assert format_number(x) == text


def test_format_number_refuses_infinity():
    with pytest.raises(ValueError, match="no plain decimal"):
        format_number(math.inf)


def test_contains_respects_open_ends():
    interval = Interval(5, 10, low_open=True)
    assert not interval.contains(5)
    assert interval.contains(5.000001)
    assert interval.contains(10)
    assert not interval.contains(10.000001)
    assert Interval(0, None).contains(1e300)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (Interval(5, 10, True, True), Interval(10, 12), False),
        (Interval(5, 10), Interval(10, 12), True),
        (Interval(5, 10), Interval(10, 12, low_open=True), False),
        (Interval(5, 10), Interval(11, 12), False),
        (Interval(5, None, low_open=True), Interval(0, 5), False),
        (Interval(5, None), Interval(0, 5), True),
        (Interval(1, 1, low_open=True), Interval(0, 5), False),  # empty
    ],
)
def test_overlaps_respects_open_ends(a, b, expected):
    assert a.overlaps(b) is expected
    assert b.overlaps(a) is expected


# --- properties -------------------------------------------------------------------------------

numbers = st.one_of(
    st.integers(min_value=0, max_value=10**40).map(float),
    st.decimals(min_value=0, max_value=10**12, places=4, allow_nan=False).map(float),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
)
# Quantities for phrases: positive (so "under X" and "nearly X" are not empty), float-safe.
quantities = st.one_of(
    st.integers(min_value=1, max_value=10**15).map(float),
    st.floats(min_value=1e-6, max_value=1e200, allow_nan=False, allow_infinity=False),
)
PREFIXES = [
    "over", "more than", "in excess of", "above", "exceeding", "at least", "no fewer than",
    "no less than", "up to", "as many as", "at most", "no more than", "under", "fewer than",
    "less than", "below", "about", "around", "roughly", "some", "an estimated", "approximately",
    "approx.", "estimated", "~", "nearly", "almost", "close to", "just under",
]  # fmt: skip
tolerances = st.floats(min_value=0, max_value=1, exclude_max=True)


@st.composite
def phrases(draw):
    x, y = sorted((draw(quantities), draw(quantities)))
    fx, fy = format_number(x), format_number(y)
    n = draw(st.integers(min_value=0, max_value=10**12))
    return draw(
        st.sampled_from(
            [
                *(f"{p} {fx} units" for p in PREFIXES),
                fx,
                f"{n:,}",
                f"{n} million",
                f"between {fx} and {fy}",
                f"{fx} to {fy}",
                f"{fx}-{fy}",
                f"{fx} – {fy}",
                "dozens of",
                "hundreds of thousands of",
            ]
        )
    )


@given(numbers)
def test_format_number_round_trips(x):
    text = format_number(x)
    assert "e" not in text.lower()
    assert parse_number(text) == x


@given(phrases(), tolerances)
def test_every_form_has_low_at_most_high(phrase, tolerance):
    interval = parse_quantity(phrase, tolerance=tolerance)
    assert interval.low is not None
    assert interval.low >= 0
    assert interval.high is None or interval.low <= interval.high


@given(quantities)
def test_strict_and_inclusive_bounds(x):
    text = format_number(x)
    assert not parse_quantity(f"more than {text}").contains(x)
    assert parse_quantity(f"at least {text}").contains(x)
    assert not parse_quantity(f"under {text}").contains(x)
    assert parse_quantity(f"up to {text}").contains(x)
    assert not parse_quantity(f"nearly {text}").contains(x)


@given(quantities, tolerances)
def test_about_contains_its_number_for_any_tolerance(x, tolerance):
    assert parse_quantity(f"about {format_number(x)}", tolerance=tolerance).contains(x)


@given(quantities, tolerances)
def test_about_has_width_two_tolerance_times_x(x, tolerance):
    interval = parse_quantity(f"about {format_number(x)}", tolerance=tolerance)
    # each end is rounded once to a float, so allow a few ulps of x
    assert math.isclose(interval.high - interval.low, 2 * tolerance * x, abs_tol=1e-15 * x)


ends = st.one_of(st.none(), st.integers(min_value=-5, max_value=5).map(float))
intervals = st.builds(Interval, ends, ends, st.booleans(), st.booleans())


def is_empty(i: Interval) -> bool:
    if i.low is None or i.high is None:
        return False
    return i.low > i.high or (i.low == i.high and (i.low_open or i.high_open))


@given(intervals, intervals)
def test_overlaps_is_symmetric(a, b):
    assert a.overlaps(b) == b.overlaps(a)


@given(intervals)
def test_an_interval_overlaps_itself_unless_empty(a):
    assert a.overlaps(a) is not is_empty(a)


@given(intervals, intervals)
def test_overlaps_means_a_shared_point(a, b):
    # ends are integers in [-5, 5], so any shared point shows up on this half-integer grid
    grid = [k / 2 for k in range(-12, 13)]
    shared = any(a.contains(p) and b.contains(p) for p in grid)
    assert a.overlaps(b) is shared
