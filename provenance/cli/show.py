"""Drawing one claim: its status, reasons and provenance tree."""

from __future__ import annotations

from pathlib import Path

from provenance.cli.output import Format, destination, echo_json


def render(claim: dict, fmt: Format | None, output: Path | None) -> None:
    # One claim reads best as its tree, even in a pipe; csv and json on request.
    chosen = fmt or Format.table
    if chosen in (Format.json, Format.jsonl):
        echo_json(claim, output)
        return
    if chosen == Format.csv:
        from provenance.cli.output import emit

        emit(_flat(claim), _FLAT_COLUMNS, chosen, output)
        return
    with destination(output) as out:
        if out.isatty():
            _draw(claim, out)
        else:  # a pipe or a file: the same text without rich (1,000 leaves cost it 0.3 s)
            _write(claim, out)


_FLAT_COLUMNS = [
    "group",
    "origin",
    "speaker",
    "cites",
    "stance",
    "wording",
    "confidence",
    "outlet",
    "via",
    "published",
    "title",
    "url",
    "quote",
]


def _flat(claim: dict):
    for group in claim["tree"]:
        for origin in group["origins"]:
            for leaf in origin["statements"]:
                yield {"group": group["group"], "origin": origin["origin"], **leaf}


def _draw(claim: dict, out) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.tree import Tree

    console = Console(file=out, width=None if out.isatty() else 120, highlight=False)
    echo = " (echoed)" if claim["echoed"] else ""
    console.print(f"[bold]{escape(claim['key'])}[/]  {claim['status']}{echo}")
    console.print(escape(claim["text"]))
    if claim["figure"]:
        console.print(f"figure: {escape(_figure(claim['figure']))}")
    console.print("\n[bold]why[/]")
    for reason in claim["reasons"]:
        console.print(f"  - {escape(reason)}")
    if claim.get("conflicts"):
        console.print("\n[bold]conflicts[/]")
        for conflict in claim["conflicts"]:
            console.print(f"  - {escape(_conflict(conflict))}")
    root = Tree("[bold]provenance[/]")
    for group in claim["tree"]:
        label = group["group"] or "not counted (no speaker, or an unnamed source)"
        branch = root.add(f"[bold]{escape(label)}[/]")
        for origin in group["origins"]:
            twig = branch.add(escape(origin["origin"] or "—"))
            for leaf in origin["statements"]:
                twig.add(escape(_leaf(leaf)))
    console.print()
    console.print(root)


def _write(claim: dict, out) -> None:
    """What ``_draw`` shows, as plain text with the same tree guides, unwrapped."""
    lines = [f"{claim['key']}  {claim['status']}{' (echoed)' if claim['echoed'] else ''}"]
    lines.append(claim["text"])
    if claim["figure"]:
        lines.append(f"figure: {_figure(claim['figure'])}")
    lines += ["", "why", *(f"  - {reason}" for reason in claim["reasons"])]
    if claim.get("conflicts"):
        lines += ["", "conflicts", *(f"  - {_conflict(c)}" for c in claim["conflicts"])]
    lines += ["", "provenance"]
    groups = claim["tree"]
    for gi, group in enumerate(groups):
        label = group["group"] or "not counted (no speaker, or an unnamed source)"
        g_pre = _branch(lines, "", gi == len(groups) - 1, label)
        origins = group["origins"]
        for oi, origin in enumerate(origins):
            o_pre = _branch(lines, g_pre, oi == len(origins) - 1, origin["origin"] or "—")
            leaves = origin["statements"]
            for li, leaf in enumerate(leaves):
                _branch(lines, o_pre, li == len(leaves) - 1, _leaf(leaf))
    out.write("\n".join(lines) + "\n")


def _branch(lines: list[str], prefix: str, last: bool, label: str) -> str:
    """Add one node under ``prefix``; returns the prefix of its children."""
    first, *more = label.split("\n")
    lines.append(f"{prefix}{'└── ' if last else '├── '}{first}")
    child = prefix + ("    " if last else "│   ")
    lines.extend(child + line for line in more)
    return child


def _leaf(leaf: dict) -> str:
    who = leaf["speaker"] or "(the outlet's own voice)"
    cites = f", citing {leaf['cites']}" if leaf["cites"] else ""
    via = f" via {leaf['via']}" if leaf["via"] else ""
    day = f", {leaf['published']}" if leaf["published"] else ""
    wording = f' "{leaf["wording"]}"' if leaf["wording"] else ""
    quote = f"\n  “{leaf['quote']}”" if leaf["quote"] else ""
    return (
        f"{who}{cites} — {leaf['stance']}{wording} ({leaf['confidence']}) — "
        f"{leaf['outlet']}{via}{day}{quote}"
    )


def _conflict(c: dict) -> str:
    groups = f"; supported by {', '.join(c['groups'])}" if c["groups"] else ""
    contests = "contests this claim" if c["contests"] else "does not contest this claim"
    if c["kind"] == "numeric":
        day = f", as of {c['as_of']}" if c["as_of"] else ""
        return f"{c['key']}: {c['figure']}{day}{groups} ({contests})\n    {c['text']}"
    note = f" ({c['note']})" if c["note"] else ""
    return f"{c['key']}: contradicts{note}{groups} ({contests})"


def _figure(figure: dict) -> str:
    from provenance.analysis.quantity import Interval

    interval = Interval(figure["low"], figure["high"], figure["low_open"], figure["high_open"])
    parts = [figure["quantity"] or "", figure["unit"] or "", str(interval)]
    if figure["since"]:
        parts.append(f"since {figure['since']}")
    if figure["as_of"]:
        parts.append(f"as of {figure['as_of']}")
    elif figure.get("effective_as_of"):
        parts.append(f"as of {figure['effective_as_of']} (its first article)")
    if figure["cumulative"]:
        parts.append("running total")
    return " ".join(p for p in parts if p)
