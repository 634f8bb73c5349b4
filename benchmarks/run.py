"""Measure prov as whole processes against yardsticks, alternating runs.

    python benchmarks/run.py --assertions 1000000 --runs 5 [--postgres URL] [--only import,list]

Builds the synthetic desk with generate.py (cached under benchmarks/out/), then for
each goal of issue 4 times prov and its yardstick in turn and prints a table of median
wall time, peak memory (max RSS of the process) and the ratio prov/yardstick. Paste
its output into benchmarks/README.md as the record of a change.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BARE_TYPER = "import typer\napp = typer.Typer()\n@app.command()\ndef main(): pass\napp()\n"
TYPER_SELECT = (
    "import typer, sqlalchemy as sa\napp = typer.Typer()\n@app.command()\n"
    "def main(url: str):\n    with sa.create_engine(url).connect() as c:\n"
    "        c.execute(sa.text('SELECT count(*) FROM claims')).scalar()\napp()\n"
)


@dataclass
class Timing:
    seconds: float
    max_rss_mb: float


def timed(cmd: list[str] | str, *, stdin=None, setup=None) -> Timing:
    """Run one whole process; wall time and its own peak memory."""
    if setup:
        setup()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        shell=isinstance(cmd, str),
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {cmd}\n{proc.stderr.read().decode() if proc.stderr else ''}")
    return Timing(elapsed, usage.ru_maxrss / 1024)


def compare(name, ours, yardstick, runs, *, setup=None) -> dict:
    """Alternate prov and the yardstick so that drift hits both alike."""
    mine, theirs = [], []
    for _ in range(runs):
        theirs.append(timed(yardstick, setup=setup))
        mine.append(timed(ours, setup=setup))
    m = statistics.median(t.seconds for t in mine)
    y = statistics.median(t.seconds for t in theirs)
    row = {
        "goal": name,
        "prov s": m,
        "prov MB": max(t.max_rss_mb for t in mine),
        "yardstick s": y,
        "ratio": m / y if y else float("nan"),
    }
    print(
        f"{name:<44} {m:8.2f} s {row['prov MB']:7.0f} MB   yardstick {y:8.2f} s   "
        f"ratio {row['ratio']:5.2f}",
        flush=True,
    )
    return row


def dataset(n: int) -> Path:
    out = HERE / "out" / str(n)
    if not (out / "assertions.csv").exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--assertions", str(n), "--out", str(out)],
            check=True,
        )
    return out


def prov(*args: str) -> list[str]:
    return [sys.executable, "-m", "provenance", *args]


def status_sql(url: str, statuses: tuple[str, ...]) -> str:
    """The SQL prov runs for a listing, rendered with literals for the sqlite3 tool."""
    from sqlalchemy import create_engine

    from provenance.analysis.status import claims_with_status

    query = claims_with_status()
    col = query.selected_columns
    query = query.where(col.status.in_(statuses))
    dialect = create_engine(url).dialect
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) + ";"


def run_sqlite(args, data: Path, tmp: Path) -> list[dict]:
    rows = []
    db = tmp / "bench.db"
    small = tmp / "small.db"
    subprocess.run(
        prov("--db", str(small), "import", str(HERE.parent / "data" / "north-korea-russia.yaml")),
        check=True,
        capture_output=True,
    )
    script = tmp / "bare.py"
    script.write_text(BARE_TYPER)
    select = tmp / "select.py"
    select.write_text(TYPER_SELECT)
    if "startup" in args.only:
        rows.append(
            compare(
                "prov --help vs bare Typer --help",
                prov("--help"),
                [sys.executable, str(script), "--help"],
                args.runs,
            )
        )
        rows.append(
            compare(
                "prov claims (small db) vs Typer+SQLAlchemy SELECT",
                prov("--db", str(small), "claims", "--format", "csv"),
                [sys.executable, str(select), f"sqlite:///{small}"],
                args.runs,
            )
        )

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        subprocess.run(
            prov("--db", str(db), "import", str(data / "structure.json")),
            check=True,
            capture_output=True,
        )

    csv_file = data / "assertions.csv"
    if "import" in args.only:
        floor = f"sqlite3 {tmp}/floor.db '.import --csv {csv_file} t' && rm -f {tmp}/floor.db"
        rows.append(
            compare(
                "import CSV vs sqlite3 .import",
                prov("--db", str(db), "import", str(csv_file)),
                floor,
                args.runs,
                setup=fresh,
            )
        )
        if shutil.which("sqlite-utils"):
            utils = (
                f"sqlite-utils insert {tmp}/su.db t {csv_file} --csv --no-detect-types "
                f"&& rm -f {tmp}/su.db"
            )
            rows.append(
                compare(
                    "import CSV vs sqlite-utils insert",
                    prov("--db", str(db), "import", str(csv_file)),
                    utils,
                    max(1, args.runs // 2),
                    setup=fresh,
                )
            )
    if not db.exists():
        fresh()
        subprocess.run(prov("--db", str(db), "import", str(csv_file)), check=True)
    for flag, statuses in (
        ("--unverified", ("single-source", "unsupported")),
        ("--corroborated", ("corroborated",)),
        ("--contested", ("contested",)),
    ):
        if "list" in args.only:
            sql = tmp / f"{flag[2:]}.sql"
            sql.write_text(status_sql(f"sqlite:///{db}", statuses))
            rows.append(
                compare(
                    f"claims {flag} csv vs sqlite3",
                    prov("--db", str(db), "claims", flag, "--format", "csv"),
                    f"sqlite3 -csv {db} < {sql}",
                    args.runs,
                )
            )
    if "show" in args.only:
        rows.append(
            compare(
                "claims show (1,000 statements) vs db path",
                prov("--db", str(db), "claims", "show", "claim-0000000"),
                prov("--db", str(db), "db", "path"),
                args.runs,
            )
        )
    if "export" in args.only:
        rows.append(
            compare(
                "export csv vs sqlite3 -csv join",
                prov("--db", str(db), "export", "-", "--format", "csv"),
                f"sqlite3 -csv {db} 'SELECT * FROM assertions JOIN articles ON "
                f"articles.id = assertions.article_id JOIN claims ON claims.id = "
                f"assertions.claim_id'",
                args.runs,
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assertions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="startup,import,list,show,export")
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    data = dataset(args.assertions)
    print(f"# {args.assertions:,} assertions, median of {args.runs} runs, {os.cpu_count()} cores\n")
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        run_sqlite(args, data, Path(tmp))


if __name__ == "__main__":
    main()
