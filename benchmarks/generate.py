"""Generate a deterministic synthetic desk: a year of a war in prov's import formats.

Writes two files to the output folder:
- ``structure.json``: outlets (wires among them) and actors in independence groups,
  with part_of chains and aliases (the flat CSV cannot carry those);
- ``assertions.csv``: one row per assertion in the flat CSV format, naming actors by
  name or alias, a third of the claims with figures (some cumulative), a few percent
  denials and doubts.

    python benchmarks/generate.py --assertions 1000000 --out benchmarks/out/1m

Everything scales from --assertions: claims = 30 %, articles = 20 %, topics = 0.2 %,
actors = 2 %, outlets = 0.2 % of it (the defaults of issue 4 at one million).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
from pathlib import Path

WORDINGS = [
    ("said", 30),
    ("told reporters", 8),
    ("confirmed", 6),
    ("has learned", 4),
    ("according to", 10),
    ("appears", 6),
    ("believes", 4),
    ("estimates", 5),
    ("could", 5),
    ("may have", 4),
    ("reportedly", 6),
    ("is suspected of", 2),
    ("very likely", 2),
    ("suggests", 2),
    ("claimed", 4),
    ("mulled", 1),  # no known cue: a warning, as in real data
]
STANCES = [("", 94), ("denies", 3), ("doubts", 3)]
UNITS = ["shells", "troops", "containers", "missiles", "drones", "transfers", "casualties"]
PHRASES = ["more than {n}", "at least {n}", "about {n}", "up to {n}", "{n}", "nearly {n}"]
START = dt.date(2024, 1, 1)


def pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([w for w, _ in weighted], [n for _, n in weighted])[0]


def structure(rng: random.Random, n_actors: int, n_groups: int, n_outlets: int) -> dict:
    outlets = [
        {"name": f"Outlet {i:05d}", "kind": "wire" if i < max(2, n_outlets // 50) else "newspaper"}
        for i in range(n_outlets)
    ]
    actors = [{"name": f"Government {g:04d}", "kind": "government"} for g in range(n_groups)]
    for i in range(n_actors - n_groups):
        parent = actors[rng.randrange(len(actors))]["name"]
        kind = "unnamed" if i % 97 == 0 else rng.choice(["agency", "person", "organization"])
        actor = {"name": f"Actor {i:06d}", "kind": kind, "part_of": parent}
        if i % 3 == 0:
            actor["aliases"] = [f"A-{i:06d}", f"actor no {i}"]
        actors.append(actor)
    return {"outlets": outlets, "actors": actors}


def claim_row(rng: random.Random, c: int, n_topics: int) -> dict:
    row = {
        "claim_key": f"claim-{c:07d}",
        "claim_text": f"Synthetic claim number {c}",
        "topic": f"topic-{c % n_topics:05d}",
    }
    if c % 3 == 0:
        n = rng.choice([10, 50, 100, 1000, 10_000, 13_000, 1_000_000]) * rng.randint(1, 9)
        row["quantity"] = rng.choice(PHRASES).format(n=f"{n:,}")
        row["unit"] = UNITS[c % len(UNITS)]
        if c % 6 == 0:
            row["cumulative"] = "true"
            row["since"] = "2023-08-01"
    return row


def rows(rng, args, s: dict):
    n_claims, n_articles = max(1, args.assertions * 3 // 10), max(1, args.assertions // 5)
    n_topics = max(1, args.assertions // 500)
    names = [
        a.get("aliases", [a["name"]])[-1] if i % 2 else a["name"] for i, a in enumerate(s["actors"])
    ]
    outlets = [o["name"] for o in s["outlets"]]
    wires = [o["name"] for o in s["outlets"] if o["kind"] == "wire"]
    seen_claims: set[int] = set()
    for i in range(args.assertions):
        c = i if i < n_claims else rng.randrange(n_claims)  # every claim stated at least once
        if i % 1000 == 999:
            c = 0  # one claim with a thousand statements at 1M, for `prov claims show`
        a = rng.randrange(n_articles)
        row = {"claim_key": f"claim-{c:07d}"}
        if c not in seen_claims:
            seen_claims.add(c)
            row |= claim_row(rng, c, n_topics)
        row |= {
            "outlet": outlets[a % len(outlets)],
            "via": _via(wires, outlets[a % len(outlets)], a),
            "article_url": f"https://news.example/{a % len(outlets)}/{a:07d}",
            "published": (START + dt.timedelta(days=a % 365)).isoformat(),
            "speaker": "" if i % 20 == 0 else names[rng.randrange(len(names))],
            "cites": names[rng.randrange(len(names))] if i % 5 == 0 else "",
            "stance": pick(rng, STANCES),
            "wording": pick(rng, WORDINGS),
            "quote": f"quote {i}" if i % 2 else "",
        }
        yield row


def _via(wires: list[str], outlet: str, a: int) -> str:
    """A quarter of the articles carry a wire story (never the outlet itself)."""
    wire = wires[a % len(wires)]
    return wire if a % 4 == 0 and wire != outlet else ""


COLUMNS = [
    "claim_key",
    "claim_text",
    "topic",
    "quantity",
    "unit",
    "since",
    "cumulative",
    "stance",
    "speaker",
    "cites",
    "outlet",
    "via",
    "article_url",
    "published",
    "wording",
    "quote",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assertions", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/out/1m"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    n_actors = max(4, args.assertions // 50)
    s = structure(rng, n_actors, max(2, min(300, n_actors // 60)), max(4, args.assertions // 500))
    (args.out / "structure.json").write_text(json.dumps(s, indent=1), encoding="utf-8")
    with (args.out / "assertions.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows(rng, args, s))
    print(f"wrote {args.out}/structure.json and {args.out}/assertions.csv")


if __name__ == "__main__":
    main()
