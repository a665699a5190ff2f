"""``formasi diff OLD_DIR NEW_DIR``: what changed between two versions of a policy, and its
impact on candidates and on the formation need."""

from __future__ import annotations

import datetime as dt
import sys

import click

from ..inputs import read_records, record_columns
from ..policy import load_policy
from ._common import Date, command
from ._files import write_text


@click.command("diff")
@click.argument("old_dir", type=click.Path(file_okay=False))
@click.argument("new_dir", type=click.Path(file_okay=False))
@click.option("--candidates", type=click.Path(dir_okay=False), default=None,
              help="Candidate records (JSON, JSON Lines, YAML, CSV): whose decisions change.")
@click.option("--as-of", type=Date(), default=None, help="Date of the decisions [default: today].")
@click.option("--workload", type=click.Path(dir_okay=False), default=None,
              help="Workload rows: the need per region and level before and after (and the open places).")
@click.option("--existing", type=click.Path(dir_okay=False), default=None,
              help="Officers in post (rows region, level, count), with --workload.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "html")), default="text", show_default=True)
@click.option("--book", "book_url", default=None, metavar="URL",
              help="With --format html: the address of the new policy's book (formasi book), to link rules to.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output (an HTML page wants a file).")
@command
def diff(old_dir, new_dir, candidates, as_of, workload, existing, fmt, book_url, output):
    """What changed from OLD_DIR to NEW_DIR (rules, table cells, fields, vocabularies, periods)
    and, with --candidates or --workload, which decisions and needs change.

    Exit status: 0 done; 1 some candidate record was rejected (listed in the output);
    2 the command could not run."""
    from ..diff import diff as policy_diff
    from ..diff import to_html, to_json, to_text

    if existing and not workload:
        raise click.UsageError("--existing goes with --workload / --existing dipakai bersama --workload")
    old, new = load_policy(old_dir), load_policy(new_dir)
    as_of = as_of or dt.date.today()
    columns = record_columns(old) | record_columns(new)  # (a field either adds is read by its name)
    records = list(read_records(candidates, columns=columns)) if candidates else None
    result = policy_diff(old, new, candidates=records, as_of=as_of, workload=workload, existing=existing)
    if book_url and fmt != "html":
        raise click.UsageError("--book goes with --format html / --book dipakai bersama --format html")
    text = to_html(result, book=book_url) if fmt == "html" else {"text": to_text, "json": to_json}[fmt](result)
    if output:
        write_text(output, text)
    else:
        click.echo(text, nl=False)
    im = result.impact
    for warning in im.warnings if im is not None else ():  # as formasi formation says them
        click.echo(f"warning: {warning}", err=True)
    summary = f"{len(result.changes)} change(s)"
    if im is not None:
        summary += (f"; {len(im.flips)} decision(s) of {len({f.candidate for f in im.flips})} candidate(s) change "
                    f"(of {im.candidates}, as of {as_of})")
    click.echo(summary, err=True)
    sys.exit(1 if im is not None and im.rejected else 0)
