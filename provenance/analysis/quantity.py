"""Read quantity phrases from news copy ("more than one million shells") as intervals.

Forms understood (case-insensitive; words after the number such as "troops" are ignored):

- over / more than / in excess of / above / exceeding X      -> (X, ∞)
- at least / no fewer than / no less than X                   -> [X, ∞)
- up to / as many as / at most / no more than X               -> [0, X]
- under / fewer than / less than / below X                    -> [0, X)
- about / around / roughly / some / (an) estimated /
  approximately / approx. / ~ X                               -> [X(1-tolerance), X(1+tolerance)]
- nearly / almost / close to / just under X                   -> [0.9X, X)
- between X and Y, X to Y, X-Y, X – Y                         -> [X, Y]
- a bare X                                                    -> [X, X]
- vague plurals: dozens of [24, 99], hundreds of [200, 999], and for N in thousands,
  millions, billions: "N" [2N, 10N-1], "tens of N" [20N, 100N-1], "hundreds of N"
  [200N, 1000N-1]; so "tens of thousands of" is [20000, 99999] and "millions of" is
  [2000000, 9999999]. The spec names six of these; the rest follow the same pattern.

Numbers: "13,000", "1.5", "4.8 million", "10k", "2m"/"2mn", "1.2bn", "one" to "ninety-nine",
"a"/"one hundred", "a dozen", "two dozen", "one million"; scale words run from dozen to
trillion. Arithmetic is exact (Fraction) and
converted to float once at the end, so "4.8 million" is exactly 4800000.0.

Decisions beyond the spec:

- In a range, a scale after Y carries to an unscaled X ("between 1 and 1.5 million") only when
  that keeps X <= Y, so "between 500 and 1 million" stays [500, 1000000].
- "between" also accepts "to" or a dash in place of "and".
- The tolerance is read as the decimal it prints as (0.1 means exactly 1/10), so "about 10,000"
  is exactly [9000, 11000].
- A phrase describing no quantity at all ("under 0", "nearly 0") is rejected.
- A qualifier cannot wrap a range ("about 10 to 20" is rejected rather than read as "about 10").
- Scale words must grow ("a hundred thousand" is fine, "thousand hundred" is not); a suffix
  ("10k") takes no further scale word. Word numbers stop at ninety-nine before a scale, so
  "two hundred fifty" is rejected rather than misread.
- Trailing words are ignored, except that a number word, digits, "and", "to" or a dash right
  after the number is an error rather than silently dropped ("10 20").
- Sentence punctuation at the end of a word is dropped; a number too large for a float is
  rejected.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from provenance.errors import InvalidInput


@dataclass(frozen=True)
class Interval:
    low: float | None  # None = unbounded below (the parser never produces it)
    high: float | None  # None = unbounded above
    low_open: bool = False
    high_open: bool = False

    def contains(self, x: float) -> bool:
        if self.low is not None and (x < self.low or (self.low_open and x == self.low)):
            return False
        return self.high is None or x < self.high or (not self.high_open and x == self.high)

    def overlaps(self, other: Interval) -> bool:
        if self._is_empty() or other._is_empty():
            return False
        return _reaches(self, other) and _reaches(other, self)

    def _is_empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))

    def __str__(self) -> str:
        low = "-∞" if self.low is None else format_number(self.low)
        high = "∞" if self.high is None else format_number(self.high)
        left = "(" if self.low is None or self.low_open else "["
        right = ")" if self.high is None or self.high_open else "]"
        return f"{left}{low}, {high}{right}"


def _reaches(a: Interval, b: Interval) -> bool:
    """Whether a's lower end is not past b's upper end; a shared end counts only if closed twice."""
    if a.low is None or b.high is None or a.low < b.high:
        return True
    return a.low == b.high and not (a.low_open or b.high_open)


class _Unreadable(ValueError):
    """Why a phrase failed; the public functions add the phrase itself to the message."""


# fmt: off
_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
          "eighteen", "nineteen"]
_TENS_WORDS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# fmt: on
_WORDS = {w: Fraction(n) for n, w in enumerate(_UNITS)}
_TENS = {w: Fraction(10 * n) for n, w in enumerate(_TENS_WORDS, 2)}
_SCALES = {"dozen": 12, "hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
_SCALES["trillion"] = 10**12
_SUFFIXES = {"k": 10**3, "m": 10**6, "mn": 10**6, "bn": 10**9}
_DIGITS = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(k|mn|m|bn)?", re.ASCII)
_MINUS = {"-", "−"}
_RANGE = {"to", "-", "–"}
# A number followed directly by one of these would be silently cut short if we ignored it.
_NOT_TRAILING = set(_WORDS) | set(_TENS) | set(_SCALES) | _RANGE | _MINUS | {"and"}
_COMPOUND = re.compile(rf"\b({'|'.join(_TENS)})-({'|'.join(_UNITS[1:10])})\b")


def _tokenize(text: str) -> list[str]:
    text = _COMPOUND.sub(r"\1 \2", text.lower())
    text = re.sub(r"([~\-–−])", r" \1 ", text)
    return [t for t in (w.rstrip(".,;:!?") for w in text.split()) if t]


def _read_number(tokens: list[str], i: int) -> tuple[Fraction, Fraction, int]:
    """Read one number at tokens[i]; return (value, scale applied, index after it)."""
    if i >= len(tokens):
        raise _Unreadable("a number is missing")
    token, scale = tokens[i], Fraction(1)
    if token in _MINUS:
        raise _Unreadable("a quantity cannot be negative")
    if match := _DIGITS.fullmatch(token):
        value = Fraction(match[1].replace(",", "") + (match[2] or ""))
        if match[3]:
            return value * _SUFFIXES[match[3]], Fraction(_SUFFIXES[match[3]]), i + 1
    elif token == "a" and i + 1 < len(tokens) and tokens[i + 1] in _SCALES:
        value = Fraction(1)
    elif token in _WORDS or token in _TENS:
        value = _WORDS[token] if token in _WORDS else _TENS[token]
        if token in _TENS and i + 1 < len(tokens) and 1 <= _WORDS.get(tokens[i + 1], 0) <= 9:
            value, i = value + _WORDS[tokens[i + 1]], i + 1
    else:
        raise _Unreadable(f"{token!r} is not a number")
    i += 1
    while i < len(tokens) and tokens[i] in _SCALES and _SCALES[tokens[i]] > scale:
        scale, i = scale * _SCALES[tokens[i]], i + 1
    return value * scale, scale, i


def _check_end(tokens: list[str], i: int) -> None:
    if i < len(tokens) and (tokens[i] in _NOT_TRAILING or _DIGITS.fullmatch(tokens[i])):
        raise _Unreadable(f"unexpected {tokens[i]!r} after the number")


def _to_float(x: Fraction) -> float:
    try:
        return float(x)
    except OverflowError:
        raise _Unreadable("the number is too large") from None


def parse_number(text: str) -> float:
    """Read one whole number ("13,000", "4.8 million", "twenty-five", "a dozen") exactly."""
    try:
        tokens = _tokenize(text)
        if not tokens:
            raise _Unreadable("it is empty")
        value, _, i = _read_number(tokens, 0)
        if i < len(tokens):
            raise _Unreadable(f"unexpected {tokens[i]!r} after the number")
        return _to_float(value)
    except _Unreadable as why:
        raise InvalidInput(f"cannot read the number {text!r}: {why}") from None


def format_number(x: float) -> str:
    """The shortest plain decimal that reads back as x: 1000000.0 -> "1000000", 0.1 -> "0.1"."""
    if not math.isfinite(x):
        raise ValueError(f"{x!r} has no plain decimal form")
    if x == 0:
        return "0"  # also keeps -0.0 from printing as "-0"
    # repr is the shortest round-tripping form; Decimal turns its exponent into plain digits.
    return format(Decimal(repr(float(x))).normalize(), "f")


_Form = Callable[[Fraction, Fraction], tuple[Fraction, Fraction | None, bool, bool]]
_FORMS: dict[str, _Form] = {
    "over|more than|in excess of|above|exceeding": lambda x, t: (x, None, True, False),
    "at least|no fewer than|no less than": lambda x, t: (x, None, False, False),
    "up to|as many as|at most|no more than": lambda x, t: (Fraction(0), x, False, False),
    "under|fewer than|less than|below": lambda x, t: (Fraction(0), x, False, True),
    "about|around|roughly|some|an estimated|approximately|approx|estimated|~": (
        lambda x, t: (x * (1 - t), x * (1 + t), False, False)
    ),
    # The spec fixes this 0.9: "nearly" does not follow the tolerance setting.
    "nearly|almost|close to|just under": lambda x, t: (x * Fraction(9, 10), x, False, True),
}
# Longest first, so "just under" wins over "under" and "no more than" over "more than".
_PREFIXES = sorted(
    ((tuple(p.split()), form) for ps, form in _FORMS.items() for p in ps.split("|")),
    key=lambda pair: -len(pair[0]),
)


def _vague_plurals() -> list[tuple[tuple[str, ...], tuple[int, int]]]:
    table = {("dozens",): (24, 99), ("hundreds",): (200, 999)}
    for word, n in (("thousands", 10**3), ("millions", 10**6), ("billions", 10**9)):
        table[(word,)] = (2 * n, 10 * n - 1)
        table[("tens", "of", word)] = (20 * n, 100 * n - 1)
        table[("hundreds", "of", word)] = (200 * n, 1000 * n - 1)
    # Longest first, so "hundreds of thousands" wins over "hundreds".
    return sorted(table.items(), key=lambda pair: -len(pair[0]))


_VAGUE = _vague_plurals()


def _interval(low: Fraction, high: Fraction | None, low_open: bool, high_open: bool) -> Interval:
    top = None if high is None else _to_float(high)
    result = Interval(_to_float(low), top, low_open, high_open)
    if result._is_empty():
        raise _Unreadable("it describes no quantity at all")
    return result


def _read_range(tokens: list[str], i: int, separators: set[str]) -> Interval:
    x, x_scale, i = _read_number(tokens, i)
    if i >= len(tokens) or tokens[i] not in separators:
        raise _Unreadable("expected 'and' between the two numbers")
    y, y_scale, i = _read_number(tokens, i + 1)
    _check_end(tokens, i)
    if x_scale == 1 and x * y_scale <= y:
        x *= y_scale
    if x > y:
        low, high = format_number(_to_float(x)), format_number(_to_float(y))
        raise _Unreadable(f"the range runs backwards ({low} is more than {high})")
    return _interval(x, y, False, False)


def _read_quantity(tokens: list[str], tolerance: Fraction) -> Interval:
    for words, (low, high) in _VAGUE:
        if tuple(tokens[: len(words)]) == words:
            i = len(words) + (tokens[len(words) : len(words) + 1] == ["of"])
            _check_end(tokens, i)
            return _interval(Fraction(low), Fraction(high), False, False)
    if tokens[0] == "between":
        return _read_range(tokens, 1, _RANGE | {"and"})
    for words, form in _PREFIXES:
        if tuple(tokens[: len(words)]) == words:
            x, _, i = _read_number(tokens, len(words))
            _check_end(tokens, i)
            return _interval(*form(x, tolerance))
    x, _, i = _read_number(tokens, 0)
    if i < len(tokens) and tokens[i] in _RANGE:
        return _read_range(tokens, 0, _RANGE)
    _check_end(tokens, i)
    return _interval(x, x, False, False)


def parse_quantity(phrase: str, *, tolerance: float = 0.10) -> Interval:
    """Read a quantity phrase as the interval of values it allows."""
    valid = isinstance(tolerance, (int, float)) and not isinstance(tolerance, bool)
    if not (valid and 0 <= tolerance < 1):
        raise InvalidInput(f"the tolerance must be at least 0 and below 1, not {tolerance!r}")
    try:
        tokens = _tokenize(phrase)
        if not tokens:
            raise _Unreadable("it is empty")
        return _read_quantity(tokens, Fraction(repr(float(tolerance))))
    except _Unreadable as why:
        raise InvalidInput(f"cannot read the quantity {phrase!r}: {why}") from None
