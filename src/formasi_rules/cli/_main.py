"""``formasi evaluate | validate | schema``.

Exit status: 0 all went well; 1 some record was rejected (reported on stderr and in the
output); 2 the command could not run (bad option, bad policy, unreadable file); 3 an
internal error (a bug: set FORMASI_DEBUG=1 to see the traceback and please report it).
"""

from __future__ import annotations

import contextlib
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

from .._errors import FormasiError, InvalidArgument, Problem, WorkerError
from ..engine import BACKENDS, LAYOUTS, BackendWarning, Engine, RecordError, expand
from ..engine._engine import _check_filter as check_filter
from ..formation._inputs import Located
from ..inputs import FORMATS as INPUT_FORMATS
from ..inputs import read_records
from ..policy import load_policy, policy_folder
from ..schemas import NAMES as SCHEMAS
from ..schemas import schema as json_schema
from ..sheets import is_workbook
from . import _formation_output as fo
from ._formation_output import FORMATS as FORMATION_FORMATS
from ._policies import available, find_policy, policy_argument, roots
from ._files import Interrupts, Output, cannot_write, exit_status
from ._output import FORMATS, WriteFailed, Writer
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


SIZE_WARNING_AFTER = 1000  # records of the default full layout before the size is mentioned


def _size_warning(writer: Writer, total: int | None) -> None:
    each = writer.size / max(writer.count, 1)
    text = (f"warning: the full layout (the default for --format json) has written {writer.size / 1e6:,.0f} MB "
            f"for {writer.count:,} records, about {each / 1e3:,.0f} KB each")
    if total:
        text += f"; about {each * total / 1e9:,.1f} GB for the {total:,} records of this file"
    click.echo(text + ". --layout compact is about 40x smaller, and 'formasi expand' gives back the full form "
               "/ keluaran lengkap besar; pakai --layout compact", err=True)


def _rejected(error: RecordError) -> None:
    click.echo(f"rejected {error.where}" + (f" (id {error.candidate})" if error.candidate else "") + ":", err=True)
    _problems(list(error.problems))


_INTERRUPTS = Interrupts()


def _run(fn):
    """Run a command body: our errors become messages and exit 2, anything else exit 3; Ctrl-C
    and SIGTERM exit 130 and 143; a closed pipe on standard output is a quiet end (exit 0)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        _INTERRUPTS.install()
        try:
            return fn(*args, **kwargs)
        except click.ClickException:  # a usage error: click prints it and exits 2
            raise
        except KeyboardInterrupt as exc:
            sys.exit(exit_status(exc))
        except BrokenPipeError:
            # the reader stopped reading (| head -1), as it may: nothing more to say, and nothing
            # to flush at exit either (that would fail on the closed pipe again)
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except FormasiError as exc:
            lines = str(exc).splitlines()
            click.echo(f"error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(2)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            if os.environ.get("FORMASI_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error (a bug in formasi_rules, please report it): "
                       f"{type(exc).__name__}: {exc}", err=True)
            sys.exit(3)
        finally:
            _INTERRUPTS.restore()

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formasi-rules")
def main() -> None:
    """formasi_rules: appointment and formation decisions from declarative rule files."""


_POLICIES = click.option("--policies", type=click.Path(file_okay=False), default=None,
                         help="Folder holding your policy folders [default: ./policies, then the policies "
                              "shipped with formasi_rules; 'formasi policies' lists them].")
_POLICY = click.option("--policy", "policy_name", default=None,
                       help="Policy (a folder under --policies) [default: the one the folder's 'default' file names].")


def _load(policies: str | None, name: str | None):
    """The policy ``name`` (found as find_policy says), or without a name the default of the first
    policies folder that has one (see policy_folder)."""
    if name is not None:
        return load_policy(find_policy(policies, name))
    for _, root in roots(policies):
        if root.is_dir():
            try:
                return load_policy(policy_folder(root))
            except InvalidArgument as exc:
                raise click.UsageError(str(exc)) from None
    raise click.UsageError("give --policy NAME (no policies folder was found) / sebutkan --policy NAMA")


def _served_root() -> str:
    """The folder ``formasi serve`` serves without --policies: the first that exists, as for _load."""
    for _, root in roots(None):
        if root.is_dir():
            return str(root)
    raise click.UsageError("give --policies DIR: no policies folder was found")


def _delimiter(ctx, param, value):
    return "\t" if value == "tab" else value


_DELIMITER = click.option("--delimiter", type=click.Choice([",", ";", "tab"]), default=None, callback=_delimiter,
                          help="CSV separator [default: told from the header line; a UTF-8 byte-order "
                               "mark and CRLF are read as well].")


def _located(path, delimiter):
    """A CSV path with an explicit separator is read here, so the rows keep their places."""
    if path is None or delimiter is None or is_workbook(path):
        return path
    return Located(read_records(path, delimiter=delimiter))


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
@click.option("--route", default=None, help="Only this route (one the policy has; a pair it lacks is refused "
                                              "with the list of pairs).")
@click.option("--level", default=None, help="Only this level.")
@click.option("--formation", type=click.Path(dir_okay=False), default=None,
              help="Open places: a file of rows region, level, open (CSV, JSON or YAML).")
@click.option("--workload", type=click.Path(dir_okay=False), default=None,
              help="Instead of --formation: compute open places (need - existing) from workload rows.")
@click.option("--existing", type=click.Path(dir_okay=False), default=None,
              help="With --workload: officers in post (rows region, level, count, or candidate records).")
@click.option("--allocate", is_flag=True, default=False,
              help="Give contested places in the policy's priority order (reads all records first).")
@_DELIMITER
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
             delimiter, policies, policy_name, backend, output, jobs, quiet):
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
    watch_size = layout is None and fmt == "json"  # the full layout by default: say when it grows big
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
        computed = engine.formation(_located(workload, delimiter), _located(existing, delimiter), as_of=as_of)
        for problem in computed.problems:
            click.echo(f"rejected workload row: {problem}", err=True)
        if computed.problems:
            engine.close()
            click.echo("error: the workload has rejected rows; open places would be wrong", err=True)
            sys.exit(2)
        places = computed
    try:  # a date outside the policy or a filter no route meets: said before any output
        check_filter(policy, engine.plan(as_of), route, level)
    except FormasiError:
        engine.close()
        raise
    rejected = total = 0
    sink = Output(output) if output else None  # moved into place once the run produced output
    out = sink.file if sink else sys.stdout
    kept = False
    stopped: BaseException | None = None  # an interruption or a lost worker: the output holds what was done
    try:
        writer = Writer(out, fmt, layout, engine.catalogue(as_of) if layout == "compact" else None)
        progress = Progress(enabled=not quiet)
        if progress.enabled:  # only then is the file read twice
            progress.total = count_records(candidates, input_format)
        records = read_records(candidates, input_format, parse=jobs == 1,  # workers parse JSON Lines
                               delimiter=delimiter)
        try:
            if fmt == "jsonl" and not allocate:  # the fast path: blocks of finished bytes, from workers too
                for block in engine.evaluate_blocks(records, as_of=as_of, route=route, level=level,
                                                    formation=places, jobs=jobs, layout=layout):
                    with _INTERRUPTS.held():  # never half a block: the output stays valid
                        writer.write_block(block.text)
                        total, rejected = total + block.count, rejected + len(block.errors)
                    for _, error in block.errors:
                        _rejected(error)
                    progress.step(block.count)
            else:
                items = engine.evaluate_many(records, as_of=as_of, route=route, level=level, formation=places,
                                             jobs=jobs)
                if allocate:  # contested places can only be given once every candidate is known
                    items = engine.allocate(list(items), formation=places)
                for item in items:
                    with _INTERRUPTS.held():  # the count says exactly what the output holds
                        writer.write(item)
                        total += 1
                    if watch_size and total == SIZE_WARNING_AFTER:
                        _size_warning(writer, progress.total)
                    if isinstance(item, RecordError):
                        rejected += 1
                        _rejected(item)
                    progress.step()
        except (KeyboardInterrupt, WorkerError) as exc:
            stopped = exc
        finally:
            progress.finish()
        with _INTERRUPTS.held():  # a signal now is taken once the output is complete and kept
            writer.close()
            kept = True
    except WriteFailed as exc:
        raise cannot_write(output or "standard output", exc) from None
    finally:
        engine.close()
        with _INTERRUPTS.held():  # never half moved into place
            if sink and kept:
                sink.commit()
            elif sink:
                sink.discard()
    if isinstance(stopped, KeyboardInterrupt):
        click.echo(f"interrupted after {total} record(s); the output holds those and is complete", err=True)
    if stopped is not None:
        raise stopped
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
    try:
        f = open(compact, encoding="utf-8")
    except OSError as exc:
        raise FormasiError(f"cannot open {compact}: {exc.strerror} / berkas tidak dapat dibuka") from None
    with f:
        first = f.readline()
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        if not (isinstance(head, dict) and "catalogue" in head):  # not JSON Lines: the compact JSON object?
            whole = _json_line(compact, 1, first + f.read(), _looks_full(first))
            if not isinstance(whole, dict) or "catalogue" not in whole or "results" not in whole:
                raise _not_compact(compact, _looks_full(first) or isinstance(whole, list))
        sink = Output(output) if output else None
        out = sink.file if sink else sys.stdout
        writer = None
        try:
            if isinstance(head, dict) and "catalogue" in head:  # JSON Lines
                for number, line in enumerate(f, start=2):
                    if line.strip():
                        writer = writer or Writer(out, "jsonl")
                        writer.write(expand(head, _json_line(compact, number, line)))
            else:
                writer = Writer(out, "json")
                for record in whole["results"]:
                    writer.write(expand(whole, record))
            if writer:
                writer.close()
            if sink:
                sink.commit()
        except WriteFailed as exc:
            raise cannot_write(output or "standard output", exc) from None
        finally:
            if sink:
                sink.discard()


def _looks_full(first_line: str) -> bool:
    """Whether a file's first line is a full-layout record (JSON Lines) or opens a JSON list."""
    try:
        head = json.loads(first_line)
    except ValueError:
        return first_line.strip() in ("[", "[]")
    return isinstance(head, dict) and ("decisions" in head or "error" in head)


def _not_compact(path: str, full: bool) -> FormasiError:
    if full:
        return FormasiError(f"{path}: this is full-layout output, which already holds every reason; "
                            "'formasi expand' reads the output of --layout compact / ini keluaran lengkap, "
                            "bukan --layout compact")
    return FormasiError(f"{path}: not the output of a compact run (no catalogue at the start) / bukan "
                        "keluaran --layout compact")


def _json_line(path: str, number: int, text: str, full: bool = False):
    try:
        return json.loads(text)
    except ValueError as exc:
        if full:
            raise _not_compact(path, True) from None
        raise FormasiError(f"{path}:{number}: not valid JSON ({exc}) / bukan JSON yang sah") from None


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
@click.option("--as-of", type=_Date(), default=None, help="Date whose parameters apply [default: today].")
@click.option("--format", "fmt", type=click.Choice(FORMATION_FORMATS), default="table", show_default=True,
              help="xlsx and pdf need -o.")
@click.option("--lang", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="The report's (html, pdf) first language; the other is shown beside it.")
@_DELIMITER
@_POLICIES
@_POLICY
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output (an HTML report wants a file).")
@_run
def formation_compute(workload, existing, as_of, fmt, lang, delimiter, policies, policy_name, backend, output):
    """Officers needed per region and level from WORKLOAD rows (region, activity, level, volume).

    WORKLOAD is a CSV, JSON or YAML file, or a filled-in workbook (.xlsx): for one to fill in, run
    'formasi formation template --regions FILE -o abk.xlsx'."""
    if fmt in fo.BINARY and not output:
        raise click.UsageError(f"--format {fmt} writes a file: give -o FILE")
    policy = _load(policies, policy_name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        engine = Engine(policy, backend=backend)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    as_of = as_of or dt.date.today()
    try:
        result = engine.formation(_located(workload, delimiter), _located(existing, delimiter), as_of=as_of)
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
        fo.write_binary(fmt, result, policy, output, lang=lang)
    else:
        render = {"json": lambda r: json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n",
                  "table": fo.table, "csv": fo.to_csv, "html": lambda r: fo.to_html(r, policy, lang=lang)}[fmt]
        text = render(result)
        if output:
            sink = Output(output)
            try:
                sink.file.write(text)
            except OSError as exc:
                sink.discard()
                raise cannot_write(output, exc) from None
            sink.commit()
        else:
            click.echo(text, nl=False)
    click.echo(f"{len(result.rows)} region/level rows, {len(result.problems)} rejected input row(s) "
               f"(policy {policy.name} {policy.version}, as of {as_of})", err=True)
    sys.exit(1 if result.problems else 0)


@formation.command("template")
@click.option("--regions", type=click.Path(dir_okay=False, exists=True), required=True,
              help="Region names: a text file, one a line, or a CSV file with a 'region' column.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), required=True,
              help="The workbook to write (.xlsx).")
@click.option("--as-of", type=_Date(), default=None,
              help="Date whose activity catalogue and parameters apply [default: today].")
@_POLICIES
@_POLICY
@_run
def formation_template(regions, output, as_of, policies, policy_name):
    """Write a workbook to fill in (lembar isian ABK): a row per region, activity and level with the
    volume to fill in, a sheet for the officers in post, the policy's catalogue with its norms
    (protected), lists to choose from, and instructions in Bahasa Indonesia."""
    from ..sheets import write_template
    from ..sheets._template import read_regions

    if not output.lower().endswith(".xlsx"):
        raise click.UsageError("-o must name an .xlsx file")
    policy = _load(policies, policy_name)
    as_of = as_of or dt.date.today()
    made = write_template(policy, output, read_regions(regions), as_of=as_of)
    click.echo(f"wrote {output}: {made['regions']} regions, {made['activities']} activities, "
               f"{made['workload_rows']} workload rows and {made['officer_rows']} officer rows to fill in "
               f"(policy {policy.name} {policy.version}, as of {as_of})", err=True)


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

    policy_dir = str(policy_argument(policy_dir))
    findings = check(policy_dir, as_of=as_of, max_examples=max_examples, properties=not static_only)
    for f in findings:
        place = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "")
        rules = f" [rule {', '.join(f.rules)}]" if f.rules else ""
        click.echo(f"{f.code} {place}{rules}" + (" (info)" if f.severity == "info" else ""))
        click.echo(f"  {f.en}")
        click.echo(f"  {f.id}")
        for c in f.citations:
            click.echo(f"  citation: {c['title']}" + (f", {c['article']}" if c.get("article") else ""))
        if f.cases:
            click.echo("  counterexample, as test cases to paste into the policy's tests/ folder:")
            for line in cases_yaml(f.cases).splitlines():
                click.echo(f"    {line}")
    defects = [f for f in findings if f.severity != "info"]
    if defects:
        click.echo(f"{len(defects)} finding(s) in {policy_dir}" + (
            f" (and {len(findings) - len(defects)} for information)" if len(findings) > len(defects) else ""))
        sys.exit(1)
    info = f"; {len(findings)} for information" if findings else ""
    click.echo(f"ok: no defect findings in {policy_dir} (static checks" + ("" if static_only else
               f", property checks with {max_examples} examples each, fixed seed") + f"{info})")


@main.command("test")
@click.argument("tests", type=click.Path(exists=True))
@click.option("--policy-dir", type=click.Path(file_okay=False), default=None,
              help="The policy the cases test [default: the folder above TESTS].")
@click.option("--coverage", "show_coverage", is_flag=True, help="List rules and table rows no case exercises.")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("--allow-empty", is_flag=True, help="Pass when there are no cases (else an error: a suite that "
                                                   "runs nothing checks nothing).")
@_run
def test_cases(tests, policy_dir, show_coverage, backend, allow_empty):
    """Run a policy's YAML test cases (a file, or a folder of them)."""
    from ..testing import coverage, load_cases, run_case

    folder = Path(tests) if Path(tests).is_dir() else Path(tests).parent
    policy = load_policy(policy_dir or folder.parent)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BackendWarning)
        engine = Engine(policy, backend=backend)
    try:
        results = [run_case(engine, case) for case in load_cases(tests, allow_empty=allow_empty)]
    finally:
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
    """Check a policy folder (or a policy's name): every file, every rule, and that the engine can run it."""
    policy = load_policy(policy_argument(policy_dir))
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


@main.command("policies")
@_POLICIES
@_run
def list_policies(policies):
    """List the policies found (in --policies DIR, or ./policies and those shipped with formasi_rules)."""
    found = available(policies)
    for name, folder in found:
        try:
            policy = load_policy(folder)
            title = policy.title.en if hasattr(policy.title, "en") else str(policy.title)
            click.echo(f"{name:<24} {policy.version:<10} {folder}")
            click.echo(f"  {title}")
        except FormasiError as exc:
            click.echo(f"{name:<24} {'(invalid)':<10} {folder}")
            click.echo(f"  {str(exc).splitlines()[0]}")
    if not found:
        looked = "; ".join(f"{what} ({root.resolve()})" for what, root in roots(policies))
        raise FormasiError(f"no policies found; looked in {looked}")


@main.command()
@click.argument("which", type=click.Choice(SCHEMAS))
@_POLICIES
@click.option("--policy", "policy_name", default=None,
              help="For 'candidate': the schema of this policy's records (its vocabularies and added fields).")
@_run
def schema(which, policies, policy_name):
    """Print a JSON Schema: of policy files, candidate records, evaluation results (full or compact
    layout), formation output or YAML test cases."""
    policy = _load(policies, policy_name) if policy_name else None
    click.echo(json.dumps(json_schema(which, policy), indent=2, ensure_ascii=False))


@main.command()
@_POLICIES
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback unless told otherwise).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (evaluation is CPU-bound: about one per core).")
@click.option("--watch", is_flag=True, help="Reload a policy when its files change (a bad version is refused).")
@click.option("--token-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Require 'Authorization: Bearer TOKEN', TOKEN being this file's first line.")
@click.option("--max-body", type=click.IntRange(1), default=16 << 20, show_default=True,
              help="Largest JSON body in bytes (for JSON Lines: the longest line).")
@click.option("--max-records", type=click.IntRange(1), default=10_000, show_default=True,
              help="Most records in one JSON list.")
@click.option("--max-stream-records", type=click.IntRange(1), default=None,
              help="Most records in one JSON Lines stream [default: no limit].")
@click.option("--formations", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder of formation files (rows region, level, open) a request names with ?formation=NAME.")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), default=60.0, show_default=True,
              help="Seconds a JSON request may take (a JSON Lines stream has no limit).")
@click.option("--cors-origin", "cors_origins", multiple=True,
              help="A browser origin allowed to call the service (repeat for more) [default: CORS off].")
@click.option("--backend", type=click.Choice(BACKENDS), default=None, help="Rules engine [default: durable].")
@click.option("--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="info",
              show_default=True)
@_run
def serve(policies, host, port, workers, watch, token_file, max_body, max_records, max_stream_records, formations,
          timeout, cors_origins, backend, log_level):
    """Serve decisions over HTTP: /v1/evaluate, /v1/formation, /openapi.json, /docs (docs/service.md)."""
    try:
        from ..service import Limits
        from ..service._serve import run
    except ImportError as exc:
        missing = click.ClickException(f"formasi serve needs the serve extra ({exc.name} is missing): "
                                       "pip install 'formasi-rules[serve]'")
        missing.exit_code = 2  # the command could not run
        raise missing from None
    try:
        run(policies=policies or _served_root(), host=host, port=port, workers=workers, watch=watch, token_file=token_file,
            limits=Limits(max_body=max_body, max_records=max_records, max_stream_records=max_stream_records,
                          timeout=timeout),
            backend=backend, cors_origins=list(cors_origins) or None, formations=formations, log_level=log_level)
    except ValueError as exc:  # an unusable token file
        bad = click.ClickException(str(exc))
        bad.exit_code = 2
        raise bad from None


# commands kept in modules of their own (imported last: they use _run from here)
from ._book import book as _book  # noqa: E402
from ._diff import diff as _diff  # noqa: E402

main.add_command(_book)
main.add_command(_diff)
