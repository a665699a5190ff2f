"""``formasi formation``: officers needed per region and level from workload (``compute``, the
default), and the workbook to fill in (``template``)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import warnings
from pathlib import Path

import click

from ..engine import BACKENDS, BackendWarning, Engine
from ..formation._existing import existing_columns
from ..sheets import is_workbook
from ..sheets._layout import WORKLOAD_COLUMNS
from . import _formation_output as fo
from ._formation_output import FORMATS as FORMATION_FORMATS
from ._files import write_text, writing
from ._common import (
    DELIMITER, POLICIES, POLICY, Date, load, located, command, main,
)


class _DefaultGroup(click.Group):
    """A group whose first argument, when it names no subcommand, goes to the default one:
    ``formasi formation WORKLOAD`` computes, ``formasi formation template`` writes a workbook."""

    default = "compute"

    def parse_args(self, ctx, args):
        if not args or args[0] not in self.commands:
            args = [self.default, *args]
        return super().parse_args(ctx, args)


@main.group(cls=_DefaultGroup)
def formation():
    """Officers needed per region and level: 'formasi formation WORKLOAD' (see 'formasi formation
    compute -h'), or 'formasi formation template' for a workbook to fill in."""


@formation.command("compute")
@click.argument("workload", type=click.Path(dir_okay=False))
@click.option("--existing", type=click.Path(dir_okay=False), default=None,
              help="Officers in post: rows region, level, count, or candidate records [default: the "
                   "'pejabat' sheet when WORKLOAD is a workbook that has one].")
@click.option("--as-of", type=Date(), default=None, help="Date whose parameters apply [default: today].")
@click.option("--format", "fmt", type=click.Choice(FORMATION_FORMATS), default="table", show_default=True,
              help="xlsx and pdf need -o.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="The report's (html, pdf) first language; the other is shown beside it.")
@DELIMITER
@POLICIES
@POLICY
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output (an HTML report wants a file).")
@command
def formation_compute(workload, existing, as_of, fmt, lang, delimiter, policies, policy_name, backend, output):
    """Officers needed per region and level from WORKLOAD rows (region, activity, level, volume).

    WORKLOAD is a CSV, JSON or YAML file, or a filled-in workbook (.xlsx): for one to fill in, run
    'formasi formation template --regions FILE -o abk.xlsx'."""
    if fmt in fo.BINARY and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE / "
                               f"--format {fmt} menulis berkas: berikan -o BERKAS")
    policy = load(policies, policy_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        engine = Engine(policy, backend=backend)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    as_of = as_of or dt.date.today()
    try:
        result = engine.formation(located(workload, delimiter, WORKLOAD_COLUMNS),
                                  located(existing, delimiter, existing_columns(policy)), as_of=as_of)
    finally:
        engine.close()
    for problem in result.problems:
        click.echo(f"rejected row: {problem}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.rows and not result.problems and is_workbook(workload):
        click.echo(f"warning: no row of {Path(workload).name} has a volume or a count filled in "
                   "/ belum ada volume yang diisi", err=True)
    if fmt in fo.BINARY:
        with writing(output):
            fo.write_binary(fmt, result, policy, output, lang=lang)
    else:
        render = {"json": lambda r: json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n",
                  "table": fo.table, "csv": fo.to_csv, "html": lambda r: fo.to_html(r, policy, lang=lang)}[fmt]
        text = render(result)
        if output:
            write_text(output, text)
        else:
            click.echo(text, nl=False)
    click.echo(f"{len(result.rows)} region/level rows, {result.rejected_rows} rejected input row(s) "
               f"(policy {policy.name} {policy.version}, as of {as_of})", err=True)
    sys.exit(1 if result.problems else 0)


@formation.command("template")
@click.option("--regions", type=click.Path(dir_okay=False, exists=True), required=True,
              help="Region names: a text file, one a line, or a CSV file with a 'region' column.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The workbook to write (.xlsx).")
@click.option("--as-of", type=Date(), default=None,
              help="Date whose activity catalogue and parameters apply [default: today].")
@POLICIES
@POLICY
@command
def formation_template(regions, output, as_of, policies, policy_name):
    """Write a workbook to fill in (lembar isian ABK): a row per region, activity and level with the
    volume to fill in, a sheet for the officers in post, the policy's catalogue with its norms
    (protected), lists to choose from, and instructions in Bahasa Indonesia."""
    from ..sheets import write_template
    from ..sheets._template import read_regions

    if not output.lower().endswith(".xlsx"):
        raise click.UsageError("-o must name an .xlsx file / -o harus berkas .xlsx")
    policy = load(policies, policy_name)
    as_of = as_of or dt.date.today()
    regions = read_regions(regions)
    with writing(output):
        made = write_template(policy, output, regions, as_of=as_of)
    click.echo(f"wrote {output}: {made['regions']} regions, {made['activities']} activities, "
               f"{made['workload_rows']} workload rows and {made['officer_rows']} officer rows to fill in "
               f"(policy {policy.name} {policy.version}, as of {as_of})", err=True)
