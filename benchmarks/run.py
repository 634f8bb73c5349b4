"""Measure prov as whole processes against yardsticks, alternating runs.

    python benchmarks/run.py --assertions 1000000 --runs 5 [--postgres URL] [--only import,list]

Builds the synthetic desk with generate.py (cached under benchmarks/out/), then for
each goal of issue 4 times prov and its yardstick in turn and prints a table of median
wall time, peak memory (max RSS of the process) and the ratio prov/yardstick. Paste
its output into benchmarks/README.md as the record of a change.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
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
        f"{name:<52} {m:8.2f} s {row['prov MB']:7.0f} MB   yardstick {y:8.2f} s   "
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


def _literal_sql(query, url: str) -> str:
    """A query as the database tool would read it: bound values rendered as literals."""
    from sqlalchemy import create_engine

    dialect = create_engine(url).dialect
    sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    # SQLite's OFFSET without LIMIT compiles to "LIMIT ? OFFSET 0", its ? bound to -1
    # at execution; literal_binds leaves the ?, which the sqlite3 tool reads as NULL.
    return sql.replace("LIMIT ? OFFSET", "LIMIT -1 OFFSET") + ";\n"


def status_sql(url: str, statuses: tuple[str, ...]) -> str:
    """The SQL prov runs for a listing, rendered with literals for the sqlite3 tool."""
    from provenance.analysis.status import claims_with_status

    query = claims_with_status()
    col = query.selected_columns
    return _literal_sql(query.where(col.status.in_(statuses)), url)


def contradictions_sql(url: str) -> str:
    """The three queries behind `prov contradictions` (numeric pairs, relations,
    challenges), as prov runs them: whole rows, both sides' names included."""
    from provenance.services.contradictions import contradiction_queries

    return "".join(_literal_sql(q, url) for q in contradiction_queries())


def sqlite_pragmas() -> str:
    """prov's own connection settings (provenance/db/engine.py: its page cache, the
    default temp store), so that the sqlite3 tool runs the same SQL with the same
    cache: what is left between them is prov's own cost."""
    from provenance.db.engine import CACHE_KIB

    return f"PRAGMA cache_size = -{CACHE_KIB};\n"


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
    select = tmp / "typer_select.py"  # not select.py: it would shadow the stdlib module
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
    if not args.only & {"list", "contradictions", "show", "export"}:
        return rows
    if args.sqlite_db:  # a desk built before: the read side only reads it
        db = args.sqlite_db
    elif not db.exists():
        fresh()
        subprocess.run(prov("--db", str(db), "import", str(csv_file)), check=True)
    rows += read_side(args, f"sqlite:///{db}", tmp, sqlite_tool(db))
    if "export" in args.only:
        rows.append(
            compare(
                "export csv vs sqlite3 -csv join",
                prov("--db", str(db), "export", "-", "--format", "csv"),
                f"sqlite3 -csv {db} '{EXPORT_JOIN}'",
                args.runs,
            )
        )
    return rows


# the export's yardstick: the database tool writing the statements joined to their
# articles and claims as CSV, unordered
EXPORT_JOIN = (
    "SELECT * FROM assertions JOIN articles ON articles.id = assertions.article_id "
    "JOIN claims ON claims.id = assertions.claim_id"
)


def sqlite_tool(db: Path):
    """How to run a SQL file with the sqlite3 tool, writing CSV, under prov's pragmas."""

    def command(sql: Path) -> str:
        return f"sqlite3 -csv -header {db} < {sql}"

    return command


def psql_tool(url: str):
    plain = url.replace("+psycopg", "")

    def command(sql: Path) -> str:
        return f"psql -q -X --csv -f {sql} '{plain}'"

    return command


LISTINGS = (
    ("--unverified", ("single-source", "unsupported")),
    ("--corroborated", ("corroborated",)),
    ("--status contested", ("contested",)),
)


def read_side(args, url: str, tmp: Path, tool) -> list[dict]:
    """Listings and contradictions against the database tool running the same SQL;
    `claims show` against `prov db path`. A listing's query-and-write phase is its
    time less prov's start-up on the same database (the same command choosing no
    claim: imports, engine, schema check, query compilation)."""
    rows = []
    pragmas = sqlite_pragmas() if url.startswith("sqlite") else ""
    empty = prov("--db", url, "claims", "--topic", "no-such-topic", "--format", "csv")
    if {"list", "contradictions"} & args.only:
        start = compare(
            "  start-up: claims choosing none vs db path",
            empty,
            prov("--db", url, "db", "path"),
            args.runs,
        )
        rows.append(start)
    if "list" in args.only:
        for flag, statuses in LISTINGS:
            sql = tmp / f"{flag.split()[-1].lstrip('-')}.sql"
            sql.write_text(pragmas + status_sql(url, statuses))
            listing = prov("--db", url, "claims", *flag.split(), "--format", "csv")
            rows.append(compare(f"claims {flag} csv vs SQL tool", listing, tool(sql), args.runs))
            rows.append(phase(rows[-1], start))
    if "contradictions" in args.only:
        sql = tmp / "contradictions.sql"
        sql.write_text(pragmas + contradictions_sql(url))
        command = prov("--db", url, "contradictions", "--format", "csv")
        rows.append(compare("contradictions csv vs SQL tool", command, tool(sql), args.runs))
        rows.append(phase(rows[-1], start))
    if "show" in args.only:
        rows.append(
            compare(
                "claims show (1,000 statements) vs db path",
                prov("--db", url, "claims", "show", "claim-0000000"),
                prov("--db", url, "db", "path"),
                args.runs,
            )
        )
    return rows


def phase(row: dict, start: dict) -> dict:
    """The query-and-write phase (a listing less prov's start-up) against the tool, and
    the whole process's excess over the tool (the goal: under 1 s)."""
    work = row["prov s"] - start["prov s"]
    derived = {
        "goal": "  query-and-write phase vs SQL tool",
        "prov s": work,
        "prov MB": row["prov MB"],
        "yardstick s": row["yardstick s"],
        "ratio": work / row["yardstick s"] if row["yardstick s"] else float("nan"),
    }
    print(
        f"{derived['goal']:<52} {work:8.2f} s {'':>10}   yardstick {row['yardstick s']:8.2f} s   "
        f"ratio {derived['ratio']:5.2f}   whole process - tool: "
        f"{row['prov s'] - row['yardstick s']:+.2f} s",
        flush=True,
    )
    return derived


def run_postgres(args, data: Path, tmp: Path) -> list[dict]:
    """The import (into a database of its own) and the read side on PostgreSQL; the
    dataset is imported into ``--postgres`` when it has no claims yet."""
    from sqlalchemy import create_engine, text

    rows = [postgres_import(args, data)] if "import" in args.only else []
    if not args.only & {"list", "contradictions", "show", "export"}:
        return rows

    engine = create_engine(args.postgres)
    try:
        with engine.connect() as conn:
            loaded = conn.execute(text("SELECT count(*) FROM claims")).scalar()
    except Exception:  # no schema yet
        loaded = 0
    finally:
        engine.dispose()
    if not loaded:
        for name in ("structure.json", "assertions.csv"):
            subprocess.run(prov("--db", args.postgres, "import", str(data / name)), check=True)
    rows += read_side(args, args.postgres, tmp, psql_tool(args.postgres))
    if "export" in args.only:
        plain = args.postgres.replace("+psycopg", "")
        rows.append(
            compare(
                "export csv vs psql --csv join",
                prov("--db", args.postgres, "export", "-", "--format", "csv"),
                f"psql -q -X --csv -c '{EXPORT_JOIN}' '{plain}'",
                args.runs,
            )
        )
    return rows


def postgres_import(args, data: Path) -> dict:
    """`prov import` of the CSV into a fresh database (its outlets and actors loaded
    first, as on SQLite) against psql's `\\copy` of the same file into one table of text
    columns: the floor, as `sqlite3 .import` is on SQLite."""
    database, drop = postgres_databases(args.postgres)
    try:
        url = database("import")
        csv_file = data / "assertions.csv"
        with csv_file.open(encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        columns = ", ".join(f'"{c}" text' for c in header)
        plain = url.replace("+psycopg", "")
        floor = (
            f"psql -q -X -v ON_ERROR_STOP=1 '{plain}' -c 'DROP TABLE IF EXISTS floor' "
            f"-c 'CREATE TABLE floor ({columns})' "
            f"-c \"\\copy floor FROM '{csv_file}' CSV HEADER\""
        )

        def fresh() -> None:
            database("import")  # dropped and made again
            load = prov("--db", url, "import", str(data / "structure.json"))
            subprocess.run(load, check=True, capture_output=True)

        ours = prov("--db", url, "import", str(csv_file))
        return compare("import CSV vs psql \\copy", ours, floor, args.runs, setup=fresh)
    finally:
        drop()


TABLES = ("outlets", "actors", "actor_aliases", "articles", "claims", "assertions")


def two_writers(data: Path, tmp: Path, database) -> dict:
    """Issue 4, item 4 at scale: two `prov import` processes load overlapping files (the
    first and the last 60 % of the rows) into one database at once; the yardstick is one
    import of the whole file into another, and both must end with the same records.
    ``database(name)`` gives a fresh, empty database's URL."""
    # in a process of its own: the rows take a gigabyte, and a process started after
    # this one grew would report this one's peak as its own (Linux counts the memory
    # a process had before exec in its maximum RSS)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        halves = pool.submit(_halves, data, tmp).result()
    both, alone = database("both"), database("alone")
    for url in (both, alone):
        load = prov("--db", url, "import", str(data / "structure.json"))
        subprocess.run(load, check=True, capture_output=True)
    start = time.perf_counter()
    procs = [
        subprocess.Popen(prov("--db", both, "import", str(h)), stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
        for h in halves
    ]  # fmt: skip
    errors = [p.communicate()[1].decode() for p in procs]
    together = time.perf_counter() - start
    start = time.perf_counter()
    whole = prov("--db", alone, "import", str(data / "assertions.csv"))
    subprocess.run(whole, check=True, capture_output=True)
    single = time.perf_counter() - start
    failed = [
        e.strip().splitlines()[-1] for p, e in zip(procs, errors, strict=True) if p.returncode
    ]
    found, expected = _counts(both), _counts(alone)
    verdict = "same records" if found == expected and not failed else f"FAILED {failed} {found}"
    name = "two writers at once vs one import of the whole file"
    print(
        f"{name:<52} {together:8.2f} s {'':>10}   yardstick {single:8.2f} s   "
        f"ratio {together / single:5.2f}   {verdict}",
        flush=True,
    )
    return {"goal": name, "prov s": together, "yardstick s": single, "verdict": verdict}


def _halves(data: Path, tmp: Path) -> list[Path]:
    """The first and the last 60 % of the rows, each giving its claims' text on every row."""
    with (data / "assertions.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    # each half must stand alone: a claim's text (given on its first row) on every row
    claim = [c for c in header if c in ("claim_text", "topic", "quantity", "unit", "since")]
    claim += [c for c in header if c == "cumulative"]
    first: dict[str, dict] = {}
    for row in rows:
        given = first.setdefault(row["claim_key"], {c: row[c] for c in claim})
        row.update(given)
    del first
    n, halves = len(rows), []
    for name, part in (("first", rows[: n * 3 // 5]), ("last", rows[n * 2 // 5 :])):
        halves.append(tmp / f"{name}.csv")
        with halves[-1].open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, header, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows(part)
    return halves


def _counts(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in TABLES}
    finally:
        engine.dispose()


def postgres_databases(url: str):
    """Fresh databases beside ``url``'s, dropped by ``drop()``."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base, made = make_url(url), []
    admin = create_engine(base, isolation_level="AUTOCOMMIT")

    def database(name: str) -> str:
        db = f"{base.database}_writers_{name}"
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
            conn.execute(text(f'CREATE DATABASE "{db}"'))
        made.append(db)
        return base.set(database=db).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            for db in made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{db}"'))
        admin.dispose()

    return database, drop


def bytecode() -> None:
    """Time prov as an installed copy runs: from its cached bytecode. Where the
    environment sets PYTHONDONTWRITEBYTECODE (this machine does), every process would
    compile prov's modules again from source (20-30 ms a command), while the
    yardsticks' libraries have theirs from pip."""
    import compileall

    import provenance

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(Path(provenance.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assertions", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--only",
        default="startup,import,list,contradictions,show,export,writers",
        help="sections",
    )
    parser.add_argument(
        "--sqlite-db", type=Path, help="an SQLite desk already loaded with the dataset"
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="also run the import (in a database beside it) and the read side on PostgreSQL",
    )
    args = parser.parse_args()
    args.only = set(args.only.split(","))
    bytecode()
    data = dataset(args.assertions)
    print(f"# {args.assertions:,} assertions, median of {args.runs} runs, {os.cpu_count()} cores\n")
    with tempfile.TemporaryDirectory(dir=HERE / "out") as tmp:
        print("## SQLite\n")
        run_sqlite(args, data, Path(tmp))
        if "writers" in args.only:
            two_writers(data, Path(tmp), lambda name: f"sqlite:///{tmp}/writers-{name}.db")
        if args.postgres:
            print("\n## PostgreSQL\n")
            run_postgres(args, data, Path(tmp))
            if "writers" in args.only:
                database, drop = postgres_databases(args.postgres)
                try:
                    two_writers(data, Path(tmp), database)
                finally:
                    drop()


if __name__ == "__main__":
    main()
