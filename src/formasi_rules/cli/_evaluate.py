"""``formasi evaluate`` and ``formasi expand``: decisions for a file of candidates, and the full
layout back from a compact run."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import sys
import warnings

import attrs
import click

from .._errors import FormasiError, InvalidArgument, Problem, WorkerError
from .._text import Text
from ..engine import BACKENDS, LAYOUTS, BackendWarning, Engine, RecordError
from ..engine._compact import expander
from ..engine._engine import brief_workers, check_filter
from ..engine._parallel import discard_prestarted, prestart
from ..formation._existing import existing_columns
from ..inputs import FORMATS as INPUT_FORMATS
from ..inputs import read_formation, read_records, record_columns
from ..sheets._layout import WORKLOAD_COLUMNS
from ._files import Output, cannot_write
from ._output import FORMATS, WriteFailed, Writer
from ._progress import Progress, count_records
from ._common import (
    DELIMITER, INTERRUPTS, POLICIES, POLICY, Date, Rejections, load, located, command, main,
)


SIZE_WARNING_AFTER = 1000  # records of the default full layout before the size is mentioned


def _size_warning(writer: Writer, total: int | None) -> None:
    each = writer.size / max(writer.count, 1)
    text = (f"warning: the full layout (the default for --format json) has written {writer.size / 1e6:,.0f} MB "
            f"for {writer.count:,} records, about {each / 1e3:,.0f} KB each")
    if total:
        text += f"; about {each * total / 1e9:,.1f} GB for the {total:,} records of this file"
    click.echo(text + ". --layout compact is about 40x smaller, and 'formasi expand' gives back the full form "
               "/ keluaran lengkap besar; pakai --layout compact", err=True)


@main.command()
@click.argument("candidates", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--as-of", type=Date(), default=None,
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
@DELIMITER
@POLICIES
@POLICY
@click.option("--backend", type=click.Choice(BACKENDS), default=None,
              help="Rules engine [default: durable, or reference where durable_rules is unavailable].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the decisions here instead of standard output.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes in all: this one and N-1 workers (same results, same order).")
@click.option("--no-remember", "afresh", is_flag=True,
              help="Ask the rules engine for every candidate, never answering one from what it answered for "
                   "another with the same values (an audit: the same results, slower) / tanpa memo.")
@click.option("-q", "--quiet", is_flag=True, help="No progress line on a terminal.")
@command
def evaluate(candidates, as_of, fmt, layout, input_format, route, level, formation, workload, existing, allocate,
             delimiter, policies, policy_name, backend, output, jobs, afresh, quiet):
    """Decide, for every candidate in CANDIDATES, each route and level, with every reason.

    CANDIDATES is a file, or - for standard input (with --input-format jsonl or csv)."""
    if formation and workload:
        raise click.UsageError("give either --formation or --workload, not both / "
                               "berikan --formation atau --workload, bukan keduanya")
    if existing and not workload:
        raise click.UsageError("--existing goes with --workload / --existing dipakai bersama --workload")
    if allocate and not (formation or workload):
        raise click.UsageError("--allocate needs the open places: give --formation or --workload / "
                               "--allocate memerlukan formasi terbuka: berikan --formation atau --workload")
    if candidates == "-":  # standard input: a stream, so its format must be said
        if input_format not in ("jsonl", "csv"):
            raise click.UsageError("reading standard input (-) needs --input-format jsonl or csv / "
                                   "membaca masukan standar (-) memerlukan --input-format jsonl atau csv")
        candidates = "/dev/stdin"
    if layout and fmt == "table":
        raise click.UsageError("--layout is for --format json or jsonl; the table has one layout / "
                               "--layout untuk --format json atau jsonl; tabel hanya punya satu tata letak")
    watch_size = layout is None and fmt == "json"  # the full layout by default: say when it grows big
    layout = layout or ("compact" if fmt == "jsonl" else "full")
    if jobs > 1:  # the workers import the engine now, beside this process loading the policy
        prestart(jobs - 1)
        click.get_current_context().call_on_close(discard_prestarted)  # those no batch took (an early error)
    policy = load(policies, policy_name)
    if jobs > 1 and not (formation or workload):  # ... and make their engines beside this process making its
        brief_workers(policy, backend, remember=not afresh)  # own (~0.1 s); with open places, once they are read
    as_of = as_of or dt.date.today()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BackendWarning)
        engine = Engine(policy, backend=backend, remember=not afresh)
    for w in caught:
        click.echo(f"warning: {w.message}", err=True)
    # a file of open places (read here where --delimiter says its separator), or (below) a formation
    # computed from workload
    places = read_formation(formation, policy.levels, delimiter) if formation and delimiter else formation
    if workload:
        computed = engine.formation(located(workload, delimiter, WORKLOAD_COLUMNS),
                                  located(existing, delimiter, existing_columns(policy)), as_of=as_of)
        for problem in computed.problems:
            click.echo(f"rejected workload row: {problem}", err=True)
        for warning in computed.warnings:  # as formasi formation says them: no officers given, a region two ways
            click.echo(f"warning: {warning}", err=True)
        if computed.problems:
            engine.close()
            click.echo("error: the workload has rejected rows; open places would be wrong / beban kerja memiliki baris "
                       "yang ditolak; formasi terbuka akan salah", err=True)
            sys.exit(2)
        places = computed
    try:  # a date outside the policy or a filter no route meets: said before any output
        route, level = check_filter(policy, engine.plan(as_of), route, level)
    except FormasiError:
        engine.close()
        raise
    total, rejected = 0, Rejections()
    sink = Output(output) if output else None  # moved into place once the run produced output
    out = sink.file if sink else sys.stdout
    kept = frozen = False
    stopped: BaseException | None = None  # an interruption or a lost worker: the output holds what was done
    try:
        writer = Writer(out, fmt, layout, engine.catalogue(as_of) if layout == "compact" else None)
        progress = Progress(enabled=not quiet)
        if progress.enabled:  # only then is the file read twice
            progress.total = count_records(candidates, input_format)
        records = read_records(candidates, input_format, parse=jobs == 1,  # workers parse JSON Lines
                               delimiter=delimiter, columns=record_columns(policy))
        # the policy, the engine and the modules live as long as the run: the collector's full passes
        # need not walk them again and again (2-4 us a candidate, docs/performance.md); given back after
        frozen = not gc.get_freeze_count()  # (a host that froze its own keeps them frozen)
        if frozen:
            gc.freeze()
        try:
            if fmt == "jsonl" and not allocate:  # the fast path: blocks of finished bytes, from workers too
                for block in engine.evaluate_blocks(records, as_of=as_of, route=route, level=level,
                                                    formation=places, jobs=jobs, layout=layout):
                    with INTERRUPTS.held():  # never half a block: the output stays valid
                        writer.write_block(block.text)
                        total += block.count
                    for _, error in block.errors:
                        rejected.add(error)
                    progress.step(block.count)
            else:
                items = engine.evaluate_many(records, as_of=as_of, route=route, level=level, formation=places,
                                             jobs=jobs)
                if allocate:  # contested places can only be given once every candidate is known
                    items = engine.allocate(list(items), formation=places)
                for item in items:
                    with INTERRUPTS.held():  # the count says exactly what the output holds
                        writer.write(item)
                        total += 1
                    if watch_size and total == SIZE_WARNING_AFTER:
                        _size_warning(writer, progress.total)
                    if isinstance(item, RecordError):
                        rejected.add(item)
                    progress.step()
        except (KeyboardInterrupt, WorkerError) as exc:
            stopped = exc
        finally:
            progress.finish()
        with INTERRUPTS.held():  # a signal now is taken once the output is complete and kept
            writer.close()
            kept = True
    except WriteFailed as exc:
        raise cannot_write(output or "standard output", exc) from None
    finally:
        if frozen:
            gc.unfreeze()
        engine.close()
        with INTERRUPTS.held():  # never half moved into place
            if sink and kept:
                sink.commit()
            elif sink:
                sink.discard()
    if isinstance(stopped, KeyboardInterrupt):
        click.echo(f"interrupted after {total} record(s); the output holds those and is complete", err=True)
    if stopped is not None:
        raise stopped
    if not total:  # an empty file, or a CSV of its header alone: most likely not the file meant
        click.echo("warning: the input holds no records / masukan tidak berisi rekaman", err=True)
    rejected.summary()
    click.echo(f"{total} record(s): {total - rejected.count} evaluated, {rejected.count} rejected "
               f"(policy {policy.name} {policy.version}, {engine.backend.name}, as of {as_of})", err=True)
    sys.exit(1 if rejected.count else 0)


@main.command(name="expand")
@click.argument("compact", type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write here instead of standard output.")
@command
def expand_command(compact, output):
    """The full layout (every reason, both languages, citations) from a COMPACT run's output.

    JSON Lines in (the catalogue on the first line), JSON Lines out; or the compact JSON
    object {"catalogue", "results"} in, a JSON list out. COMPACT may be - for standard input
    (formasi evaluate ... | formasi expand -)."""
    try:
        f = contextlib.nullcontext(_stdin()) if compact == "-" else open(compact, encoding="utf-8-sig")
    except OSError as exc:
        raise FormasiError(f"cannot open {compact}: {exc.strerror} / berkas tidak dapat dibuka") from None
    with f as f:
        first = f.readline()
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        lines = isinstance(head, dict) and "catalogue" in head and "results" not in head
        if isinstance(head, dict) and "results" in head:  # the compact JSON object, all on its first line
            whole = head
            if "catalogue" not in whole:
                raise _not_compact(compact, False)
        elif not lines:  # not JSON Lines: the compact JSON object?
            rest = first + f.read()
            if not rest.strip():
                raise FormasiError(f"{compact}: the file is empty; give the output of a compact run / berkas kosong")
            if isinstance(head, dict):  # JSON Lines with no catalogue first
                if "failed" in head and isinstance(head.get("decisions"), dict):
                    raise FormasiError(f"{compact}: compact records without their catalogue: a compact run's "
                                       "output begins with a catalogue line, which expand needs; give the whole "
                                       "output / baris katalog di awal keluaran tidak ada")
                raise _not_compact(compact, _looks_full(first))
            whole = _json_line(compact, 1, rest, _looks_full(first))
            if not isinstance(whole, dict) or "catalogue" not in whole or "results" not in whole:
                raise _not_compact(compact, _looks_full(first) or isinstance(whole, list))
        sink = Output(output) if output else None
        out = sink.file if sink else sys.stdout
        writer = None
        total, rejected = 0, Rejections()
        try:
            if lines:  # JSON Lines
                expand_one = expander(head, copy=False)  # (each written at once: no copy to change)
                for number, line in enumerate(f, start=2):
                    if line.strip():
                        writer = writer or Writer(out, "jsonl")
                        writer.write(_expanded(expand_one, compact, f"$[{total}] (line {number})", number, line,
                                               rejected))
                        total += 1
            else:  # the whole object is read: a second catalogue in it is refused before a byte is written
                for i, record in enumerate(whole["results"]):
                    if isinstance(record, dict) and "catalogue" in record:
                        raise _two_runs(compact, f"$.results[{i}]")
                writer = Writer(out, "json")
                expand_one = expander(whole, copy=False)
                for total, record in enumerate(whole["results"], start=1):
                    writer.write(_expanded(expand_one, compact, f"$.results[{total - 1}]", None, record, rejected))
            if writer:
                writer.close()
            if sink:
                sink.commit()
        except WriteFailed as exc:
            raise cannot_write(output or "standard output", exc) from None
        finally:
            if sink:
                sink.discard()
    if rejected.count:  # as formasi evaluate: a rejected record, here or in the run read, is exit status 1
        rejected.summary()
        earlier = rejected.earlier
        click.echo(f"{total} record(s): {total - rejected.count} expanded, {rejected.count} rejected (each an error "
                   f"item in the output, in its place; {earlier} of them rejected by the run and passed through as "
                   f"it wrote them) / {total} rekaman: {total - rejected.count} diperluas, {rejected.count} ditolak "
                   f"(masing-masing butir galat di tempatnya; {earlier} di antaranya ditolak oleh run itu dan "
                   "diteruskan apa adanya)", err=True)
        sys.exit(1)


def _two_runs(path: str, where: str) -> FormasiError:
    """A second catalogue among the records: two runs' outputs joined, whose records and catalogues
    cannot be told apart past it, so the file is refused as a whole."""
    return FormasiError(f"{path}, {where}: a second catalogue among the records: the output of two runs joined? "
                        "expand each run's output on its own / katalog kedua di antara rekaman: keluaran dua "
                        "run digabung?")


def _expanded(expand_one, path: str, where: str, number: int | None, given, rejected: Rejections):
    """The full record of one compact record (``given``: a JSON line's text, or a record already
    parsed), or, for one that cannot be expanded, its error item, said on standard error as
    ``formasi evaluate`` says a rejected record: the rest of the file is expanded all the same. An
    error item (a record the run rejected) comes back as it is, and is said again as that run said it."""
    record = given
    if isinstance(given, str):
        try:
            record = json.loads(given)
        except ValueError as exc:
            return _rejected(rejected, path, where, number, None, "I011", f"not valid JSON ({exc})",
                             "bukan JSON yang sah", "a line cut short or edited? give the line as the run wrote "
                             "it, or evaluate its candidate again with --layout compact / baris terpotong atau "
                             "diubah? berikan baris seperti ditulis run-nya, atau evaluasi lagi kandidatnya dengan "
                             "--layout compact")
    if isinstance(record, dict) and "catalogue" in record:
        raise _two_runs(path, where)
    try:
        expanded = expand_one(record)
    except InvalidArgument as exc:
        said = Text.of(str(exc))
        candidate = record.get("candidate") if isinstance(record, dict) else None
        return _rejected(rejected, path, where, number, candidate if isinstance(candidate, str) else None,
                         "I032", said.en, said.id, "give the record as the run wrote it, with its own run's catalogue "
                         "first, or evaluate its candidate again with --layout compact / berikan rekaman seperti "
                         "ditulis run-nya, dengan katalog run itu di depannya, atau evaluasi lagi kandidatnya dengan "
                         "--layout compact")
    if "error" in record:  # rejected by the run itself: passed through, and said as that run said it
        rejected.add(_error_item(record["error"], where), earlier=True)
    return expanded


PROBLEM_FIELDS = frozenset(attrs.fields_dict(Problem))  # what a problem of an error item may give


def _error_item(error, where: str) -> RecordError:
    """The RecordError an error item of a run's output was written from, to be said again; a part
    of it that is not as a run writes it is left out (its place is then the item's in this file)."""
    error = error if isinstance(error, dict) else {}
    given = error.get("problems")
    problems = tuple(Problem(**{k: v for k, v in p.items() if k in PROBLEM_FIELDS}) for p in
                     (given if isinstance(given, list) else ())
                     if isinstance(p, dict) and all(isinstance(p.get(k), str) for k in ("code", "id", "en")))
    candidate = error.get("candidate")
    return RecordError(error["where"] if isinstance(error.get("where"), str) else where,
                       candidate if isinstance(candidate, str) else None, problems)


def _rejected(rejected: Rejections, path: str, where: str, number: int | None, candidate: str | None,
              code: str, en: str, id_: str, hint: str) -> dict:
    error = RecordError(where, candidate, (Problem(code, id_, en, file=path, line=number,
                                                   path=where.split()[0], hint=hint),))
    rejected.add(error)
    return error.to_dict()


def _stdin():
    """Standard input as UTF-8 text, whatever the locale (the output of a run is UTF-8); a byte-order
    mark a Windows editor put before it is skipped, as in a file."""
    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(encoding="utf-8-sig")
    return sys.stdin


def _looks_full(first_line: str) -> bool:
    """Whether a file's first line is a full-layout record (JSON Lines) or opens a JSON list."""
    try:
        head = json.loads(first_line)
    except ValueError:
        return first_line.strip() in ("[", "[]")
    return isinstance(head, dict) and isinstance(head.get("decisions"), list)  # (a compact record's is a mapping)


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
