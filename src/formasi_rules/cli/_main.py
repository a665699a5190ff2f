"""``formasi evaluate | validate | schema``.

Exit status: 0 all went well; 1 some record was rejected (reported on stderr and in the
output); 2 the command could not run (bad option, bad policy, unreadable file); 3 an
internal error (a bug: set FORMASI_DEBUG=1 to see the traceback and please report it).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sys
import traceback
import warnings
from importlib.resources import files
from pathlib import Path

import click

from .._errors import FormasiError, Problem
from ..engine import BACKENDS, LAYOUTS, BackendWarning, Engine, RecordError, expand
from ..inputs import FORMATS as INPUT_FORMATS
from ..inputs import read_records
from ..policy import load_policy
from ..schemas import NAMES as SCHEMAS
from ..schemas import schema as json_schema
from . import _formation_output as fo
from ._formation_output import FORMATS as FORMATION_FORMATS
from ._output import FORMATS, Writer
from ._progress import Progress, count_records


class _Date(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"expected a date like 2025-10-09, got {value!r} / tanggal seperti 2025-10-09", param, ctx)


def _problems(problems: list[Problem]) -> None:
    for p in problems:
        click.echo(f"  {p}", err=True)


def _rejected(error: RecordError) -> None:
    click.echo(f"rejected {error.where}" + (f" (id {error.candidate})" if error.candidate else "") + ":", err=True)
    _problems(list(error.problems))


def _run(fn):
    """Run a command body: our errors become messages and exit 2, anything else exit 3."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except click.ClickException:  # a usage error: click prints it and exits 2
            raise
        except FormasiError as exc:
            lines = str(exc).splitlines()
            click.echo(f"error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(2)
        except (KeyboardInterrupt, BrokenPipeError):
            sys.exit(130)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            if os.environ.get("FORMASI_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error (a bug in formasi_rules, please report it): "
                       f"{type(exc).__name__}: {exc}", err=True)
            sys.exit(3)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formasi-rules")
def main() -> None:
    """formasi_rules: appointment and formation decisions from declarative rule files."""


_POLICIES = click.option("--policies", type=click.Path(file_okay=False), default="policies",
                         show_default=True, help="Folder holding the policy folders.")
_POLICY = click.option("--policy", "policy_name", default=None,
                       help="Policy (a folder under --policies) [default: the one named in --policies/default].")


def _load(policies: str, name: str | None):
    """The policy ``name`` under ``policies``; without a name, the one the folder's ``default``
    file names (one line), so that the default is the policy staff's choice, not the program's."""
    if name is None:
        marker = Path(policies) / "default"
        try:
            name = marker.read_text(encoding="utf-8").strip()
        except OSError:
            raise click.UsageError(f"give --policy NAME: {marker} (naming the default policy) cannot be read") from None
    return load_policy(Path(policies) / name)


@main.command()
@click.argument("candidates", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--as-of", type=_Date(), default=None,
              help="Evaluation date, e.g. 2025-10-09 [default: today].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option("--layout", type=click.Choice(LAYOUTS), default=None,
              help="full: every reason with its text and citations; compact: the run's catalogue of "
                   "checks first, then per candidate its outcomes, the checks that failed or could not "
                   "be tested, and the values read (about 40x smaller; 'formasi expand' gives back the "
                   "full form) [default: full for json, compact for jsonl].")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), default=None,
              help="Input format [default: from the file name].")
@click.option("--route", default=None, help="Only this route (one of the policy's routes).")
@click.option("--level", default=None, help="Only this level (one of the policy's levels).")
@click.option("--formation", type=click.Path(dir_okay=False), default=None,
              help="Open places: a file of rows region, level, open (CSV, JSON or YAML).")
@click.option("--workload", type=click.Path(dir_okay=False), default=None,
              help="Instead of --formation: compute open places (need - existing) from workload rows.")
@click.option("--existing", type=click.Path(dir_okay=False), default=None,
              help="With --workload: officers in post (rows region, level, count, or candidate records).")
@click.option("--allocate", is_flag=True, default=False,
              help="Give contested places in the policy's priority order (reads all records first).")
@_POLICIES
@_POLICY
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Rules engine [default: durable, or reference where durable_rules is unavailable].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the decisions here instead of standard output.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes in all: this one and N-1 workers (same results, same order).")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on a terminal.")
@_run
def evaluate(candidates, as_of, fmt, layout, input_format, route, level, formation, workload, existing, allocate,
             policies, policy_name, backend, output, jobs, quiet):
    """Decide, for every candidate in CANDIDATES, each route and level, with every reason.

    CANDIDATES is a file, or - for standard input (with --input-format jsonl or csv)."""
    if formation and workload:
        raise click.UsageError("give either --formation or --workload, not both")
    if existing and not workload:
        raise click.UsageError("--existing goes with --workload")
    if allocate and not (formation or workload):
        raise click.UsageError("--allocate needs the open places: give --formation or --workload")
    if candidates == "-":  # standard input: a stream, so its format must be said
        if input_format not in ("jsonl", "csv"):
            raise click.UsageError("reading standard input (-) needs --input-format jsonl or csv")
        candidates = "/dev/stdin"
    if layout and fmt == "table":
        raise click.UsageError("--layout is for --format json or jsonl; the table has one layout")
    layout = layout or ("compact" if fmt == "jsonl" else "full")
    policy = _load(policies, policy_name)
    as_of = as_of or dt.date.today()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        engine = Engine(policy, backend=backend)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    places = formation  # a file of open places, or (below) a formation computed from workload
    if workload:
        computed = engine.formation(workload, existing, as_of=as_of)
        for problem in computed.problems:
            click.echo(f"rejected workload row: {problem}", err=True)
        if computed.problems:
            engine.close()
            click.echo("error: the workload has rejected rows; open places would be wrong", err=True)
            sys.exit(2)
        places = computed
    rejected = total = 0
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    writer = Writer(out, fmt, layout, engine.catalogue(as_of) if layout == "compact" else None)
    progress = Progress(enabled=not quiet)
    if progress.enabled:  # only then is the file read twice
        progress.total = count_records(candidates, input_format)
    records = read_records(candidates, input_format, parse=jobs == 1)  # workers parse JSON Lines
    try:
        if fmt == "jsonl" and not allocate:  # the fast path: blocks of finished bytes, from workers too
            for block in engine.evaluate_blocks(records, as_of=as_of, route=route, level=level,
                                                formation=places, jobs=jobs, layout=layout):
                writer.write_block(block.text)
                for _, error in block.errors:
                    _rejected(error)
                total, rejected = total + block.count, rejected + len(block.errors)
                progress.step(block.count)
        else:
            items = engine.evaluate_many(records, as_of=as_of, route=route, level=level, formation=places,
                                         jobs=jobs)
            if allocate:  # contested places can only be given once every candidate is known
                items = engine.allocate(list(items), formation=places)
            for item in items:
                total += 1
                if isinstance(item, RecordError):
                    rejected += 1
                    _rejected(item)
                writer.write(item)
                progress.step()
    except KeyboardInterrupt:
        progress.finish()
        click.echo(f"interrupted after {total} record(s); the output holds those and is complete",
                   err=True)
        raise
    finally:
        progress.finish()
        writer.close()
        if output:
            out.close()
        engine.close()
    click.echo(f"{total} record(s): {total - rejected} evaluated, {rejected} rejected "
               f"(policy {policy.name} {policy.version}, {engine.backend.name}, as of {as_of})", err=True)
    sys.exit(1 if rejected else 0)


@main.command(name="expand")
@click.argument("compact", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output.")
@_run
def expand_command(compact, output):
    """The full layout (every reason, both languages, citations) from a COMPACT run's output.

    JSON Lines in (the catalogue on the first line), JSON Lines out; or the compact JSON
    object {"catalogue", "results"} in, a JSON list out."""
    with open(compact, encoding="utf-8") as f:
        first = f.readline()
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
        writer = None
        try:
            if isinstance(head, dict) and "catalogue" in head:  # JSON Lines
                for number, line in enumerate(f, start=2):
                    if line.strip():
                        writer = writer or Writer(out, "jsonl")
                        writer.write(expand(head, _json_line(compact, number, line)))
            else:
                whole = _json_line(compact, 1, first + f.read())
                if not isinstance(whole, dict) or "catalogue" not in whole or "results" not in whole:
                    raise FormasiError(f"{compact}: not the output of a compact run (no catalogue at the "
                                       "start) / bukan keluaran --layout compact")
                writer = Writer(out, "json")
                for record in whole["results"]:
                    writer.write(expand(whole, record))
        finally:
            if writer:
                writer.close()
            if output:
                out.close()


def _json_line(path: str, number: int, text: str):
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FormasiError(f"{path}:{number}: not valid JSON ({exc}) / bukan JSON yang sah") from None


@main.command()
@click.argument("workload", type=click.Path(dir_okay=False))
@click.option("--existing", type=click.Path(dir_okay=False), default=None,
              help="Officers in post: rows region, level, count, or candidate records.")
@click.option("--as-of", type=_Date(), default=None, help="Date whose parameters apply [default: today].")
@click.option("--format", "fmt", type=click.Choice(FORMATION_FORMATS), default="table", show_default=True)
@_POLICIES
@_POLICY
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output (an HTML report wants a file).")
@_run
def formation(workload, existing, as_of, fmt, policies, policy_name, backend, output):
    """Officers needed per region and level from WORKLOAD rows (region, activity, level, volume)."""
    policy = _load(policies, policy_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        engine = Engine(policy, backend=backend)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    as_of = as_of or dt.date.today()
    try:
        result = engine.formation(workload, existing, as_of=as_of)
    finally:
        engine.close()
    for problem in result.problems:
        click.echo(f"rejected row: {problem}", err=True)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    render = {"json": lambda r: json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n",
              "table": fo.table, "csv": fo.to_csv, "html": fo.to_html}[fmt]
    text = render(result)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    click.echo(f"{len(result.rows)} region/level rows, {len(result.problems)} rejected input row(s) "
               f"(policy {policy.name} {policy.version}, as of {as_of})", err=True)
    sys.exit(1 if result.problems else 0)


@main.command("check")
@click.argument("policy_dir", type=click.Path(file_okay=False))
@click.option("--as-of", type=_Date(), default=None, help="Date of the property checks [default: policy start].")
@click.option("--max-examples", type=click.IntRange(1, 100_000), default=300, show_default=True,
              help="Generated examples per property (the seed is fixed: the same run every time).")
@click.option("--static-only", is_flag=True, help="Skip the property checks.")
@_run
def check_policy(policy_dir, as_of, max_examples, static_only):
    """Check a policy for consistency: static checks, then property checks with a fixed seed."""
    from ..testing import cases_yaml, check

    findings = check(policy_dir, as_of=as_of, max_examples=max_examples, properties=not static_only)
    for f in findings:
        place = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        rules = f" [rule {', '.join(f.rules)}]" if f.rules else ""
        mark = {"info": " (info)", "undecided": " (undecided)"}.get(f.severity, "")
        click.echo(f"{f.code} {place}{rules}{mark}")
        click.echo(f"  {f.en}")
        click.echo(f"  {f.id}")
        for c in f.citations:
            click.echo(f"  citation: {c['title']}" + (f", {c['article']}" if c.get("article") else ""))
        if f.cases:
            click.echo("  test cases (evaluated on every backend) to paste into the policy's tests/ folder:")
            for line in cases_yaml(f.cases).splitlines():
                click.echo(f"    {line}")
    # exit 1 for a defect or a question the reasoner could not settle, as `formasi validate` exits 1
    # for a policy with problems; information alone (a window closed by its dates) exits 0
    defects = [f for f in findings if f.severity == "defect"]
    undecided = [f for f in findings if f.severity == "undecided"]
    info = [f for f in findings if f.severity == "info"]
    if defects or undecided:
        parts = [f"{len(defects)} finding(s)"] + ([f"{len(undecided)} undecided"] if undecided else []) + (
            [f"{len(info)} for information"] if info else [])
        click.echo(f"{parts[0]} in {policy_dir}" + (f" ({', '.join(parts[1:])})" if parts[1:] else ""))
        sys.exit(1)
    note = f"; {len(info)} for information" if info else ""
    try:
        base = load_policy(policy_dir).abstract
    except FormasiError:
        base = False
    if base:
        click.echo(f"ok: {policy_dir} is a base (abstract: true): its files load and type-check; its rules "
                   "are checked in the policies that extend it")
        return
    click.echo(f"ok: no defect findings in {policy_dir} (static checks on every period, exact" + ("" if static_only else
               f"; property checks with {max_examples} examples, fixed seed") + f"{note})")


@main.command("test")
@click.argument("tests", type=click.Path(exists=True))
@click.option("--policy-dir", type=click.Path(file_okay=False), default=None,
              help="The policy the cases test [default: the folder above TESTS].")
@click.option("--coverage", "show_coverage", is_flag=True, help="List rules and table rows no case exercises.")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@_run
def test_cases(tests, policy_dir, show_coverage, backend):
    """Run a policy's YAML test cases (a file, or a folder of them)."""
    from ..testing import coverage, load_cases, run_case

    folder = Path(tests) if Path(tests).is_dir() else Path(tests).parent
    policy = load_policy(policy_dir or folder.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy, backend=backend)
    results = [run_case(engine, case) for case in load_cases(tests)]
    engine.close()
    for r in results:
        mark = "ok  " if r.passed else "FAIL"
        click.echo(f"{mark} {Path(r.case.file).name}:{r.case.line}  {r.case.name}")
        for failure in r.failures:
            click.echo(f"       {failure}")
    failed = sum(not r.passed for r in results)
    if show_coverage:
        gaps = coverage(policy, results)
        ids = {r.id for r in policy.rules}
        click.echo(f"coverage: {len(ids) - len(gaps['rules'])} of {len(ids)} "
                   "rules shown failing (or adjusting) by some case; rows no case read: "
                   f"{len(gaps['rows'])}")
        for rule in gaps["rules"]:
            click.echo(f"  rule not exercised: {rule}")
        for row in gaps["rows"]:
            click.echo(f"  table row not read: {row}")
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("policy_dir", type=click.Path(file_okay=False))
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Also compile the policy for this engine [default: durable where available].")
@_run
def validate(policy_dir, backend):
    """Check a policy folder: every file, every rule, and that the engine can run it."""
    policy = load_policy(policy_dir)
    if policy.abstract:
        click.echo(f"ok: policy {policy.name} {policy.version} ({policy.digest[:19]}…) is a base for other "
                   f"policies (abstract): {len(policy.fields)} fields, {len(policy.rules)} rules, "
                   f"{len(policy.tables)} tables; it is compiled and run in the policies that extend it")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy, backend=backend)
    plans = engine.plans
    engine.close()
    click.echo(f"ok: policy {policy.name} {policy.version} ({policy.digest[:19]}…)")
    click.echo(f"  {len(policy.rules)} rules, {len(policy.tables)} tables, {len(plans)} period(s) "
               f"from {policy.coverage.valid_from}, compiled for {engine.backend.name}")
    for plan in plans:
        click.echo(f"  {plan.period.valid_from} – {plan.period.valid_to or '…'}: "
                   f"{len(plan.checks)} checks over {len(plan.targets)} route/level pairs")


@main.command()
@click.argument("which", type=click.Choice(SCHEMAS))
@_POLICIES
@click.option("--policy", "policy_name", default=None,
              help="For 'candidate': the schema of this policy's records (its vocabularies and added fields).")
@_run
def schema(which, policies, policy_name):
    """Print a JSON Schema: of policy files, candidate records, evaluation results (full or compact
    layout) or formation output."""
    policy = _load(policies, policy_name) if policy_name else None
    click.echo(json.dumps(json_schema(which, policy), indent=2, ensure_ascii=False))
