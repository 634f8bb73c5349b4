"""`prov claims` (listing, show), `prov claim add`, `prov assert`, `prov relate`,
`prov lexicon`."""

from __future__ import annotations

from contextlib import closing
from typing import Annotated

import typer

from provenance.cli.choices import Confidence, DateOption, RelationKind, Stance, Status, day, value
from provenance.cli.context import connection, connections, info, session, warn
from provenance.cli.output import FormatOption, OutputOption, emit
from provenance.vocabulary import CLAIM_COLUMNS

# The callback's docstring is the help of `prov claims`.
listing = typer.Typer(invoke_without_command=True)
single = typer.Typer(
    help="Add a claim.\n\nExample: prov claim add nk-troops-10k "
    '"North Korea sent over 10,000 troops"',
    no_args_is_help=True,
)


@listing.callback()
def claims(
    ctx: typer.Context,
    unverified: Annotated[
        bool, typer.Option("--unverified", help="Only single-source and unsupported claims.")
    ] = False,
    corroborated: Annotated[
        bool, typer.Option("--corroborated", help="Only corroborated.")
    ] = False,
    contested: Annotated[bool, typer.Option("--contested", help="Only contested.")] = False,
    status: Annotated[
        list[Status] | None, typer.Option(help="Only this status (repeatable).")
    ] = None,
    topic: Annotated[str | None, typer.Option(help="Only claims of this topic.")] = None,
    speaker: Annotated[
        str | None, typer.Option(help="Only claims this actor made or was cited for.")
    ] = None,
    outlet: Annotated[
        str | None, typer.Option(help="Only claims this outlet (or wire) carried.")
    ] = None,
    search: Annotated[
        str | None, typer.Option(help="Only claims whose text or key holds this.")
    ] = None,
    since: DateOption = None,
    until: DateOption = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List claims with their status; `prov claims show KEY` explains one.

    A claim is corroborated when two independent groups firmly support it, contested
    when a group that does not support it challenges or contradicts it, single-source
    when only one group (or only hedged, unattributed or unnamed voices) assert it, and
    unsupported when nothing asserts it. --since/--until keep claims with a statement
    published in that window; the status always counts every statement.

    Example: prov claims --unverified --topic nk-shells-to-russia --format csv
    """
    if ctx.invoked_subcommand is not None:
        return
    from provenance.config import load_settings
    from provenance.services.claim_reports import ClaimFilter, list_claims

    statuses = {value(s) for s in status or []}
    if unverified:
        statuses |= {"single-source", "unsupported"}
    if corroborated:
        statuses.add("corroborated")
    if contested:
        statuses.add("contested")
    filters = ClaimFilter(
        statuses=tuple(sorted(statuses)),  # type: ignore[arg-type]
        topic=topic,
        speaker=speaker,
        outlet=outlet,
        search=search,
        since=day(since),
        until=day(until),
    )
    window_days = load_settings().window_days
    with connection(ctx) as conn:
        rows = list_claims(conn, filters, window_days=window_days)
        n = emit(rows, list(CLAIM_COLUMNS), fmt, output, title="Claims")
    if n == 0:
        info("no claims match")


@listing.command("show")
def show(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="The claim's key.")],
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """Show one claim: its figure, status, why, conflicts and provenance tree.

    The tree runs independence group → origin (the cited source, else the speaker) →
    each statement with its article, outlet (and wire), date, wording and quote.
    Figures conflict within `window_days` (setting; $PROV_WINDOW_DAYS, default 3).

    Example: prov claims show nk-shells-1m
    """
    from provenance.cli.show import render
    from provenance.config import load_settings
    from provenance.services.claim_reports import explain_claim

    window_days = load_settings().window_days
    with connection(ctx) as conn:
        render(explain_claim(conn, key, window_days=window_days), fmt, output)


@single.command("add")
def add(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="A short unique slug, e.g. nk-shells-1m.")],
    text: Annotated[str, typer.Argument(help="The proposition, in one sentence.")],
    topic: Annotated[str | None, typer.Option(help="Claims on one subject share a topic.")] = None,
    quantity: Annotated[
        str | None, typer.Option(help='The figure as written: "more than one million".')
    ] = None,
    low: Annotated[float | None, typer.Option(help="Lower bound (instead of --quantity).")] = None,
    high: Annotated[float | None, typer.Option(help="Upper bound (instead of --quantity).")] = None,
    low_open: Annotated[bool, typer.Option(help="The lower bound itself is excluded.")] = False,
    high_open: Annotated[bool, typer.Option(help="The upper bound itself is excluded.")] = False,
    unit: Annotated[str | None, typer.Option(help="What is counted: shells, troops.")] = None,
    as_of: DateOption = None,
    since: DateOption = None,
    cumulative: Annotated[bool, typer.Option(help="A running total, which cannot shrink.")] = False,
) -> None:
    """Add a claim, with its figure if it has one.

    Example: prov claim add nk-shells-1m "North Korea has sent more than one million
    artillery shells to Russia" --topic nk-shells-to-russia --quantity "more than one
    million" --unit shells --since 2023-08-01 --cumulative
    """
    from provenance.config import load_settings
    from provenance.services.claims import Figure, add_claim

    figure = Figure(
        quantity=quantity,
        low=low,
        high=high,
        low_open=low_open,
        high_open=high_open,
        unit=unit,
        as_of=day(as_of),
        since=day(since),
        cumulative=cumulative,
    )
    settings = load_settings()
    with session(ctx, write=True) as s:
        claim = add_claim(
            s, key=key, text=text, topic=topic, figure=figure, tolerance=settings.tolerance
        )
        info(f"added claim {claim.key}")


def assert_(
    ctx: typer.Context,
    claim: Annotated[str, typer.Argument(help="The claim's key.")],
    article: Annotated[
        str, typer.Option(help="The article: its url, its id (#12), or its title if it has no url.")
    ],
    speaker: Annotated[
        str | None, typer.Option(help="Who said it; leave out for the outlet's own voice.")
    ] = None,
    cites: Annotated[str | None, typer.Option(help="Whom the speaker relied on.")] = None,
    stance: Annotated[
        Stance | None, typer.Option(help="asserts (default), denies or doubts.")
    ] = None,
    wording: Annotated[
        str | None, typer.Option(help='The confidence words as written: "has learned", "could".')
    ] = None,
    confidence: Annotated[
        Confidence | None, typer.Option(help="Override the level read from the wording.")
    ] = None,
    quote: Annotated[str | None, typer.Option(help="A short verbatim excerpt.")] = None,
    quote_start: Annotated[
        int | None, typer.Option(min=0, help="Quote offset in the text.")
    ] = None,
    quote_end: Annotated[int | None, typer.Option(min=0, help="Quote end offset.")] = None,
) -> None:
    """Record that an article states a claim, with who said it and how surely.

    Example: prov assert nk-shells-1m --article https://www.themoscowtimes.com/... --speaker
    "Yoo Sang-bum" --cites NIS --wording "has learned"
    """
    from provenance.analysis.confidence import default_lexicon
    from provenance.config import load_settings
    from provenance.services.claims import add_assertion

    lexicon = default_lexicon(load_settings().lexicon)
    with session(ctx, write=True) as s:
        assertion, reading = add_assertion(
            s,
            claim=claim,
            article=article,
            speaker=speaker,
            cites=cites,
            stance=value(stance),
            wording=wording,
            confidence=value(confidence),
            quote=quote,
            quote_start=quote_start,
            quote_end=quote_end,
            lexicon=lexicon,
        )
    if wording and not reading.known and confidence is None:
        warn(f"wording {wording!r} holds no known cue; taken as asserted (see `prov lexicon`)")
    info(f"recorded: {assertion.stance} ({assertion.confidence})")


def relate(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="A claim key.")],
    kind: Annotated[RelationKind, typer.Argument(help="contradicts, supports or supersedes.")],
    b: Annotated[str, typer.Argument(help="Another claim key.")],
    note: Annotated[str | None, typer.Option(help="Why.")] = None,
) -> None:
    """Relate two claims.

    Example: prov relate nk-launch-october contradicts nk-launch-postponed --note "Seoul says"
    """
    from provenance.services.claims import relate as relate_claims

    with session(ctx, write=True) as s:
        relate_claims(s, a=a, kind=kind.value, b=b, note=note)
    info(f"{a} {kind.value} {b}")


def lexicon(fmt: FormatOption = None, output: OutputOption = None) -> None:
    """List the confidence lexicon: each cue and the level it signals.

    Add or override cues with a YAML file of the same shape (level: [cues]) named by
    $PROV_LEXICON or `lexicon = "path"` in the config file.

    Example: prov lexicon --format csv
    """
    from provenance.analysis.confidence import HEDGE_ORDER, default_lexicon
    from provenance.config import load_settings

    entries = default_lexicon(load_settings().lexicon).entries
    rows = sorted(
        ({"cue": cue, "level": level} for cue, level in entries.items()),
        key=lambda r: (HEDGE_ORDER.index(r["level"]), r["cue"]),
    )
    emit(rows, ["level", "cue"], fmt, output, title="Confidence lexicon")


CONTRADICTION_COLUMNS = [
    "kind",
    "claim_a",
    "claim_b",
    "contests",
    "why",
    # both sides (services.contradictions), spelled out so that --help stays fast
    *(
        f"{side}_{field}"
        for side in "ab"
        for field in ("text", "figure", "date", "groups", "origins", "outlets")
    ),
]
# A terminal table cannot hold both sides in full; the why names the figures.
CONTRADICTION_TABLE = [
    "kind",
    "claim_a",
    "a_date",
    "a_groups",
    "claim_b",
    "b_date",
    "b_groups",
    "why",
]


def contradictions(
    ctx: typer.Context,
    topic: Annotated[str | None, typer.Option(help="Only pairs involving this topic.")] = None,
    fmt: FormatOption = None,
    output: OutputOption = None,
) -> None:
    """List every conflicting pair: numeric conflicts, contradicts relations, challenges.

    numeric: two figures of one topic and unit (same or unknown `since`) that do not
    overlap within `window_days` of each other (setting; $PROV_WINDOW_DAYS, default
    3), or a running total that shrank. relation: `prov relate A contradicts B`.
    challenge: a group that denies or doubts a claim, against those asserting it
    (claim_b is then claim_a). Each row has both sides (text, figure, date, groups,
    origins, outlets), the claims the pair contests (none when one group revises its
    own figure) and why. A side's date is the claim's as_of (else its first article);
    for a challenge, b_date is the first denial or doubt.

    Example: prov contradictions --topic nk-shells-to-russia --format json
    """
    from provenance.cli.output import Format, choose
    from provenance.config import load_settings
    from provenance.services.contradictions import list_contradictions

    window_days = load_settings().window_days
    columns = CONTRADICTION_TABLE if choose(fmt, output) == Format.table else CONTRADICTION_COLUMNS
    # the challenges are queried beside the numeric pairs, on a second core
    with connections(ctx, 2) as conns:
        conn, *beside = conns
        pairs = list_contradictions(
            conn, topic=topic, window_days=window_days, beside=beside[0] if beside else None
        )
        with closing(pairs) as rows:
            n = emit(rows, columns, fmt, output, title="Contradictions")
    if n == 0:
        info("no conflicting pairs")
