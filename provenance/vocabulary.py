"""The closed vocabularies of the data model (PRODUCT.md section 1 and 2)."""

from __future__ import annotations

OUTLET_KINDS = (
    "wire",
    "newspaper",
    "broadcaster",
    "magazine",
    "online",
    "state-media",
    "government",
    "ngo",
    "other",
)
# Admiralty source reliability: A completely reliable … E unreliable, F cannot be judged.
RELIABILITY = ("A", "B", "C", "D", "E", "F")
ACTOR_KINDS = ("person", "organization", "government", "agency", "media", "unnamed", "other")
STANCES = ("asserts", "denies", "doubts")
CHALLENGE_STANCES = ("denies", "doubts")
RELATION_KINDS = ("contradicts", "supports", "supersedes")

# The ICD 203 scale, from least to most likely, then the two levels outside it.
ICD_LEVELS = (
    "almost-no-chance",
    "very-unlikely",
    "unlikely",
    "roughly-even-chance",
    "likely",
    "very-likely",
    "almost-certain",
)
ASSERTED = "asserted"
NOT_ASSESSABLE = "not-assessable"
CONFIDENCE_LEVELS = (*ICD_LEVELS, ASSERTED, NOT_ASSESSABLE)
# A statement supports its claim firmly at these levels.
FIRM_LEVELS = ("likely", "very-likely", "almost-certain", ASSERTED)

STATUSES = ("contested", "corroborated", "single-source", "unsupported")
UNVERIFIED = ("single-source", "unsupported")


def sql_in(values: tuple[str, ...]) -> str:
    """A literal SQL list for CHECK constraints and partial-index predicates."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


# The columns of a `prov claims` row, in order (JSON rows carry the same keys).
CLAIM_COLUMNS = (
    "key",
    "status",
    "echoed",
    "groups",
    "outlets",
    "assertions",
    "first_seen",
    "last_seen",
    "topic",
    "text",
)
