"""Why a claim has its status, and its provenance tree, from facts already loaded.

Pure functions: ``services.claim_reports`` loads one claim's statements; the status itself
comes from SQL (``analysis.status``) and is only explained here.
"""

from __future__ import annotations

from collections import defaultdict

from provenance.analysis.conflicts import DEFAULT_WINDOW_DAYS, SHRINK, apart
from provenance.vocabulary import CHALLENGE_STANCES, FIRM_LEVELS


def origin_of(s: dict) -> str | None:
    """The origin's name: the cited actor, else the speaker; None when unnamed."""
    if s["group_id"] is None:
        return None
    return s["cites"] or s["speaker"]


def reasons(
    row: dict,
    statements: list[dict],
    contradictions: list[dict],
    *,
    numeric: list[dict] = (),  # type: ignore[assignment]
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[str]:
    """Every reason behind the claim's status, the verdict first. ``numeric`` holds the
    claims whose figures conflict with this one (``services.claim_reports.numeric_conflicts``)."""
    supporting = [s for s in statements if s["stance"] == "asserts" and s["group_id"]]
    firm = sorted({s["group"] for s in supporting if s["confidence"] in FIRM_LEVELS})
    hedged = sorted({s["group"] for s in supporting} - set(firm))
    out = [_verdict(row, firm)]
    if firm:
        out.append(f"firmly supported by {_count(firm, 'group')}: {', '.join(firm)}")
    for group in hedged:
        levels = sorted({s["confidence"] for s in supporting if s["group"] == group})
        out.append(f"{group} supports it only hedged ({', '.join(levels)}): not firm")
    out += _uncounted(statements)
    asserted = any(s["stance"] == "asserts" for s in statements)
    out += _challenges(statements, {s["group"] for s in supporting}, asserted)
    out += _relations(contradictions, {s["group_id"] for s in supporting})
    out += _numeric(numeric, {s["group"] for s in supporting}, window_days)
    return out


def _verdict(row: dict, firm: list[str]) -> str:
    status = row["status"]
    if status == "corroborated":
        return f"corroborated: firm support from {len(firm)} independent groups"
    if status == "single-source":
        echo = f"; echoed by {row['outlets']} outlets" if row["echoed"] else ""
        return f"single-source: not corroborated by two independent groups{echo}"
    if status == "contested":
        return (
            "contested: a group that does not support it challenges it, or supports a claim "
            "that contradicts it or whose figure conflicts with it"
        )
    return "unsupported: nothing asserts it"


def _uncounted(statements: list[dict]) -> list[str]:
    out = []
    for s in statements:
        if s["group_id"] is not None:
            continue
        who = s["cites"] if s["cites"] else s["speaker"]
        why = f"unnamed source {who!r}" if who else f"no speaker ({s['outlet']}'s own voice)"
        out.append(f"not counted: {s['stance']} by {why} in {_where(s)}")
    return out


def _challenges(statements: list[dict], supporters: set[str], asserted: bool) -> list[str]:
    out = []
    for s in statements:
        if s["stance"] not in CHALLENGE_STANCES or s["group_id"] is None:
            continue
        head = f"{s['group']} {s['stance']} it ({s['wording'] or s['stance']!r}, {_where(s)})"
        if not asserted:
            out.append(f"{head}, but nothing asserts the claim: no dispute")
        elif s["group"] in supporters:
            out.append(f"{head}, but the same group supports it: not a contest")
        else:
            out.append(f"{head}: a challenge from a group that does not support it")
    return out


def _relations(contradictions: list[dict], supporters: set[int]) -> list[str]:
    out = []
    for c in contradictions:
        outside = [name for gid, name in c["groups"] if gid not in supporters]
        if outside:
            out.append(f"contradicts {c['key']}, which {', '.join(outside)} supports")
        else:
            out.append(f"contradicts {c['key']}, but no other group supports that claim")
    return out


def _numeric(conflicts: list[dict], supporters: set[str], window_days: int) -> list[str]:
    out = []
    for c in conflicts:
        day = f"as of {c['as_of']}" if c["as_of"] else "undated"
        head = f"conflicts with {c['key']} (figure {c['figure']}, {day})"
        out.append(f"{head}: {_rule(c, window_days)}, {_numeric_contest(c, supporters)}")
    return out


def _rule(conflict: dict, window_days: int) -> str:
    if conflict["rule"] == SHRINK:
        return "a running total cannot shrink (the later figure is below the earlier one)"
    days = conflict.get("days")
    when = "" if days is None else f" ({apart(days)})"
    return f"disjoint intervals within {window_days} days{when}"


def _numeric_contest(conflict: dict, supporters: set[str]) -> str:
    groups = conflict["groups"]
    outside = [g for g in groups if g not in supporters]
    if outside:
        verb = "does" if len(outside) == 1 else "do"
        return f"supported by {', '.join(outside)} which {verb} not support this one"
    if groups:
        return (
            f"supported only by {', '.join(groups)}, which also "
            f"{'supports' if len(groups) == 1 else 'support'} this one: "
            "same group revising its own figure: not a contest"
        )
    return "but no named group supports it: not a contest"


def conflicts(statements: list[dict], numeric: list[dict], relations: list[dict]) -> list[dict]:
    """The claims that conflict with this one, for `claims show`: numeric conflicts
    and ``contradicts`` relations, each with whether it contests this claim."""
    supporters = {s["group"] for s in statements if s["stance"] == "asserts" and s["group_id"]}
    out = [
        {
            "kind": "numeric",
            "key": c["key"],
            "text": c["text"],
            "figure": c["figure"],
            "as_of": c["as_of"],
            "rule": c["rule"],
            "groups": c["groups"],
            "contests": any(g not in supporters for g in c["groups"]),
        }
        for c in numeric
    ]
    ids = {s["group_id"] for s in statements if s["stance"] == "asserts" and s["group_id"]}
    out += [
        {
            "kind": "relation",
            "key": r["key"],
            "note": r["note"],
            "groups": [name for _, name in r["groups"]],
            "contests": any(gid not in ids for gid, _ in r["groups"]),
        }
        for r in relations
    ]
    return out


def tree(statements: list[dict]) -> list[dict]:
    """group → origin → statements; statements with no origin under group None."""
    groups: dict[str | None, dict[str | None, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for s in statements:
        groups[s["group"]][origin_of(s)].append(_leaf(s))
    ordered = sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return [
        {
            "group": group,
            "origins": [
                {"origin": origin, "statements": leaves}
                for origin, leaves in sorted(origins.items(), key=lambda kv: kv[0] or "")
            ],
        }
        for group, origins in ordered
    ]


def _leaf(s: dict) -> dict:
    return {
        "speaker": s["speaker"],
        "cites": s["cites"],
        "stance": s["stance"],
        "wording": s["wording"],
        "confidence": s["confidence"],
        "quote": s["quote"],
        "outlet": s["outlet"],
        "via": s["via"],
        "published": s["published"],
        "title": s["title"],
        "url": s["url"],
    }


def _where(s: dict) -> str:
    via = f" via {s['via']}" if s["via"] else ""
    day = f", {s['published']}" if s["published"] else ""
    return f"{s['outlet']}{via}{day}"


def _count(items: list[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"
