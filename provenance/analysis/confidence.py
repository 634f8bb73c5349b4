"""Wording → confidence level, through a lexicon of cues (PRODUCT.md section 2).

A wording is cut into words and each word reduced to a crude stem (irregular forms
first: said → say, is → be, has → have), and so is each cue; a cue matches where
its stems stand in a row in the wording's. Of the cues found, a cue inside a longer
one found at the same place is dropped ("likely" inside "very likely"), and the most
hedged level of the rest wins. No cue at all: `asserted`, flagged as unknown so the
caller can warn and the user can extend the lexicon.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from provenance.errors import InvalidInput
from provenance.vocabulary import ASSERTED, CONFIDENCE_LEVELS, ICD_LEVELS, NOT_ASSESSABLE

# Most hedged first: a wording with several cues takes the first of these it holds.
HEDGE_ORDER = (NOT_ASSESSABLE, *ICD_LEVELS, ASSERTED)

_IRREGULAR = {
    "said": "say",
    "told": "tell",
    "found": "find",
    "learnt": "learn",
    "thought": "think",
    "shown": "show",
    "wrote": "write",
    "written": "write",
    "is": "be",
    "are": "be",
    "was": "be",
    "were": "be",
    "been": "be",
    "being": "be",
    "am": "be",
    "has": "have",
    "had": "have",
    "having": "have",
}
_SUFFIXES = ("ing", "ied", "ies", "ed", "es", "s", "e")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def stem(word: str) -> str:
    word = _IRREGULAR.get(word.lower(), word.lower())
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ied", "ies") else "")
    return word


def stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in _WORD.findall(text.lower()))


@dataclass(frozen=True)
class Reading:
    level: str
    cues: tuple[str, ...]  # the cues that decided it, as the lexicon writes them

    @property
    def known(self) -> bool:
        return bool(self.cues)


class Lexicon:
    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = dict(sorted(entries.items()))
        self._by_stems = {stems(cue): cue for cue in self.entries}

    @classmethod
    def load(cls, extra: str | Path | None = None) -> Lexicon:
        entries = dict(_shipped())
        if extra:
            try:
                source = Path(extra).read_text(encoding="utf-8")
            except OSError as exc:
                raise InvalidInput(f"lexicon {extra}: {exc.strerror}") from exc
            entries.update(_read(source, str(extra)))
        return cls(entries)

    def classify(self, wording: str | None) -> Reading:
        words = stems(wording or "")
        found = self._matches(words)
        if not found:
            return Reading(ASSERTED, ())
        level = min((self.entries[cue] for _, _, cue in found), key=HEDGE_ORDER.index)
        return Reading(level, tuple(cue for _, _, cue in found if self.entries[cue] == level))

    def _matches(self, words: tuple[str, ...]) -> list[tuple[int, int, str]]:
        spans = [
            (start, start + len(key), cue)
            for key, cue in self._by_stems.items()
            for start in range(len(words) - len(key) + 1)
            if key and words[start : start + len(key)] == key
        ]
        return [
            span
            for span in spans
            if not any(o[0] <= span[0] and span[1] <= o[1] and o != span for o in spans)
        ]


def _read(source: str, origin: str) -> dict[str, str]:
    import yaml

    try:
        data = yaml.safe_load(source) or {}
    except yaml.YAMLError as exc:
        raise InvalidInput(f"lexicon {origin}: {exc}") from exc
    if not isinstance(data, dict):
        raise InvalidInput(f"lexicon {origin}: expected a mapping of level to a list of cues")
    entries: dict[str, str] = {}
    for level, cues in data.items():
        if level not in CONFIDENCE_LEVELS:
            known = ", ".join(CONFIDENCE_LEVELS)
            raise InvalidInput(f"lexicon {origin}: unknown level {level!r} (known: {known})")
        if not isinstance(cues, list) or not all(isinstance(c, str) and stems(c) for c in cues):
            raise InvalidInput(f"lexicon {origin}: {level} must list cue words or phrases")
        entries.update({" ".join(cue.lower().split()): level for cue in cues})
    return entries


@cache
def _shipped() -> tuple[tuple[str, str], ...]:
    source = resources.files("provenance.analysis").joinpath("lexicon.yaml").read_text("utf-8")
    return tuple(_read(source, "lexicon.yaml").items())


@cache
def default_lexicon(extra: str | None = None) -> Lexicon:
    return Lexicon.load(extra)
