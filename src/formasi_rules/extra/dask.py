"""A batch evaluated on a Dask cluster, byte for byte what one process writes.

When a national run outgrows one machine, the work goes to an engine built for that
(Dask here; Spark by the same contract, docs/distributed.md) rather than to more of
``--jobs``. Each partition is evaluated by a pure function of the policy (its folder and
digest), the date, the options and the partition's records with their places in the
whole input (:func:`evaluate_partition`, from :mod:`formasi_rules.extra.partitions`, which
holds the contract and needs no extra). Two things need the whole stream, and this module
does them around the pure part:

- places: a record's place (``$[12]``, ``$[12] (line 14)``) appears in its error record, so
  each partition is told where it starts. The partitions are counted first (one cheap
  pass, read again afterwards: :meth:`dask.bag.Bag.persist` the input if it is costly to
  compute twice);
- one candidate, one record: a later record with an id already seen is an error record
  naming the first. The workers do not look for duplicates; this process applies the
  one-process rule over the partitions' Blocks, in order, as they arrive
  (:func:`mark_duplicates`). It sees ids and bytes it would write anyway.

Each worker process loads the policy once per folder and digest, refuses a copy whose digest
is not the batch's, and refuses a formasi_rules of another version than the client's.

    >>> import datetime as dt                                       # doctest: +SKIP
    >>> import dask.bag as db
    >>> from distributed import Client, LocalCluster
    >>> import formasi_rules as fr
    >>> from formasi_rules.extra import dask as frd
    >>> batch = frd.Batch.of(fr.load_policy("policies/pengantar_kerja"), as_of=dt.date(2025, 10, 9))
    >>> with LocalCluster(n_workers=2) as cluster, Client(cluster), open("out.jsonl", "wb") as out:
    ...     lines = db.read_text("candidates.jsonl", include_path=True, blocksize="8MiB")
    ...     out.write(frd.catalogue_line(batch))                 # the compact layout's first line
    ...     for block in frd.evaluate_jsonl(lines, batch):
    ...         out.write(block.text)

Needs the ``dask`` extra: ``pip install 'formasi-rules[dask]'``.
"""

from __future__ import annotations

import collections
import itertools
import math
import os
from collections.abc import Iterable, Iterator
from typing import Any

try:
    import dask
    import dask.bag
except ImportError as exc:  # the optional extra is not installed
    raise ImportError(f"formasi_rules.extra.dask needs the dask extra ({exc.name} is missing): "
                      "pip install 'formasi-rules[dask]'", name=exc.name) from None

from .._errors import InvalidArgument
from ..engine._result import Block
from ..inputs import JsonLine, flat_record, name_columns, record_columns
from .partitions import Batch, catalogue_line, evaluate_partition, mark_duplicates

__all__ = ["Batch", "catalogue_line", "evaluate_frame", "evaluate_jsonl", "evaluate_partition",
           "evaluate_records", "mark_duplicates"]


def _records_part(batch: Batch, part: Iterable[Any], start: int) -> Block:
    return evaluate_partition(batch, (item if isinstance(item, tuple) else (f"$[{start + i}]", item)
                                      for i, item in enumerate(part)))


def _lines_part(batch: Batch, part: Iterable[Any], starts: dict[str, tuple[int, int]]) -> Block:
    return evaluate_partition(batch, _placed(part, starts))


def _frame_part(batch: Batch, frame: Any, start: int) -> Block:
    """A pandas partition's rows as records: a row's cells by column name, as a CSV row's
    (:func:`..inputs.flat_record`), with what pandas writes for a missing cell (NaN, NaT, NA)
    not given, and a whole number in a float column (pandas turns a column of whole numbers
    with a gap into floats) that whole number."""
    import pandas  # wherever a dask DataFrame's partition is, pandas is

    columns = [str(c) for c in frame.columns]
    floats = [kind.kind == "f" for kind in frame.dtypes]
    nat, na = pandas.NaT, pandas.NA

    def cell(value: Any, in_floats: bool) -> Any:
        kind = type(value)
        if kind is str or kind is int or kind is bool:  # most cells
            return value
        if value is None or value is nat or value is na:
            return None
        if isinstance(value, float):  # (numpy's float64 too)
            if math.isnan(value):  # NaN: pandas' missing number, and a missing text in a text column
                return None
            return int(value) if in_floats and value.is_integer() else float(value)
        return _nested(value)

    def records() -> Iterator[tuple[str, Any]]:
        # column by column into Python values (tolist), which is several times faster than itertuples
        cells = [frame.iloc[:, j].tolist() for j in range(len(columns))]
        for i, row in enumerate(zip(*cells) if cells else [()] * len(frame)):  # (no column: empty records)
            where = f"$[{start + i}]"
            yield where, flat_record({c: cell(v, f) for c, v, f in zip(columns, row, floats)}, where)

    return evaluate_partition(batch, records())


def _nested(value: Any) -> Any:
    """A cell's value with numpy's arrays and scalars (a nested column read from Parquet or
    Arrow) as Python's lists and numbers."""
    if hasattr(value, "tolist"):  # a numpy array or scalar
        value = value.tolist()
    if isinstance(value, dict):
        return {k: _nested(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nested(v) for v in value]
    return value


def _line(item: Any) -> tuple[str, str]:
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str) and isinstance(item[1], str):
        return item
    raise InvalidArgument("evaluate_jsonl() takes the lines of dask.bag.read_text(..., include_path=True): "
                          f"(line, path) pairs, so that an error record names its file and line; got {item!r:.80}")


def _placed(part: Iterable[Any], starts: dict[str, tuple[int, int]]) -> Iterator[tuple[str, JsonLine]]:
    """Lines as ``read_records(path, parse=False)`` gives them: blank lines skipped, a byte-order
    mark on a file's first line dropped, ``$[i] (line n)`` counted per file from ``starts``
    (the lines and records of each file in the partitions before this one)."""
    at = {path: list(start) for path, start in starts.items()}
    for item in part:
        text, path = _line(item)
        pos = at.setdefault(path, [0, 0])
        pos[0] += 1
        if pos[0] == 1 and text.startswith("\ufeff"):
            text = text[1:]
        if not text.strip():
            continue
        yield f"$[{pos[1]}] (line {pos[0]})", JsonLine(text, path, pos[0])
        pos[1] += 1


def _count_lines(part: Iterable[Any]) -> list[tuple[str, int, int, bool]]:
    """Per file, in order of appearance: the partition's lines, its non-blank lines, and whether
    its first line is blank but for a byte-order mark (not a record if it is the file's first)."""
    counts: dict[str, list] = {}
    for item in part:
        text, path = _line(item)
        c = counts.get(path)
        if c is None:
            c = counts[path] = [0, 0, text.startswith("\ufeff") and not text[1:].strip()]
        c[0] += 1
        c[1] += bool(text.strip())
    return [(path, lines, records, mark) for path, (lines, records, mark) in counts.items()]


def _count(part: Iterable[Any]) -> int:
    return sum(1 for _ in part)


# --- the client's side ----------------------------------------------------------------------

def evaluate_records(records: Any, batch: Batch, *, ahead: int | None = None) -> Iterator[Block]:
    """The Blocks of a Dask bag of records, in order: the bytes of
    ``Engine.evaluate_blocks(list(records), ...)`` in one process.

    The bag holds what :meth:`Engine.evaluate_blocks` takes: dicts (placed ``$[i]`` in the
    whole bag) or ``(where, record)`` pairs (placed as they say). At most ``ahead``
    partitions are computed ahead of the one handed out (default: two per worker thread),
    so memory stays flat in this process."""
    _check_batch(batch)
    if not isinstance(records, dask.bag.Bag):
        raise InvalidArgument(f"evaluate_records() takes a dask bag, got {type(records).__name__}")
    parts = records.to_delayed()
    return _run(parts, _records_part, batch, ahead, lambda: list(itertools.accumulate(
        dask.compute(*[dask.delayed(_count)(p) for p in parts]), initial=0)))


def evaluate_frame(frame: Any, batch: Batch, *, ahead: int | None = None) -> Iterator[Block]:
    """The Blocks of a Dask DataFrame whose rows are records, in order: the bytes of
    ``Engine.evaluate_blocks`` over the same rows read as a CSV file's (its columns named as a
    CSV header's, in any capitals and spacing; dotted column names for nested fields, ``performance`` as ``YEAR:RATING;...`` or a mapping), each placed ``$[i]`` by
    its position in the whole frame. A missing cell (None, NaN, NaT, NA) is not given. A cell
    may also hold a list or mapping (a history read from Parquet), taken as a JSON record's.
    ``ahead`` as for :func:`evaluate_records`. Needs ``dask[dataframe]``."""
    _check_batch(batch)
    try:
        import dask.dataframe
    except ImportError as exc:
        raise ImportError(f"evaluate_frame() needs dask's dataframe part ({exc.name} is missing): "
                          "pip install 'dask[dataframe]'", name=exc.name) from None
    if not isinstance(frame, dask.dataframe.DataFrame):
        raise InvalidArgument(f"evaluate_frame() takes a dask DataFrame, got {type(frame).__name__} "
                              "(a pandas DataFrame: dask.dataframe.from_pandas(frame, npartitions=...))")
    columns = list(frame.columns)
    named = [c for c in columns if not isinstance(c, str)]
    if named:
        raise InvalidArgument(f"a record's fields are named by text; the frame has the column(s) {named!r:.200} "
                              "(give the columns the fields' names, as a CSV header does)")
    # each column is the field it names in any capitals and spacing, as a CSV header's ("Birth Date")
    named = name_columns(columns, batch.columns or record_columns())
    if named != columns:
        frame = frame.rename(columns=dict(zip(columns, named)))
    parts = frame.to_delayed()
    return _run(parts, _frame_part, batch, ahead, lambda: list(itertools.accumulate(
        dask.compute(*[dask.delayed(len)(p) for p in parts]), initial=0)))


def evaluate_jsonl(lines: Any, batch: Batch, *, ahead: int | None = None) -> Iterator[Block]:
    """The Blocks of JSON Lines files read by ``dask.bag.read_text(paths, include_path=True)``
    (any ``blocksize``), in order: the bytes of ``Engine.evaluate_blocks`` over
    ``read_records(path, parse=False)`` of each file in turn, each file's record places and line
    numbers counted on their own; the workers parse the lines. A file is named as Dask names
    it (a local path made absolute). ``ahead`` as for :func:`evaluate_records`."""
    _check_batch(batch)
    if not isinstance(lines, dask.bag.Bag):
        raise InvalidArgument(f"evaluate_jsonl() takes a dask bag from dask.bag.read_text(), got "
                              f"{type(lines).__name__}")
    parts = lines.to_delayed()

    def starts() -> list[dict[str, tuple[int, int]]]:
        seen: dict[str, tuple[int, int]] = {}
        out = []
        for counts in dask.compute(*[dask.delayed(_count_lines)(p) for p in parts]):
            out.append({path: seen.get(path, (0, 0)) for path, *_ in counts})
            for path, n, records, mark in counts:
                before = seen.get(path, (0, 0))
                seen[path] = (before[0] + n, before[1] + records - (mark and before[0] == 0))
        return out

    return _run(parts, _lines_part, batch, ahead, starts)


def _check_batch(batch: Any) -> None:
    if not isinstance(batch, Batch):
        raise InvalidArgument(f"give a Batch (Batch.of(policy, as_of=...)), got {type(batch).__name__}")


def _run(parts: list, task: Any, batch: Batch, ahead: int | None, starts: Any) -> Iterator[Block]:
    if ahead is not None and (isinstance(ahead, bool) or not isinstance(ahead, int) or ahead < 1):
        raise InvalidArgument(f"ahead must be a whole number of 1 or more, got {ahead!r}")

    def blocks() -> Iterator[Block]:
        tasks = [dask.delayed(task, pure=False)(batch, p, s) for p, s in zip(parts, starts())]
        yield from mark_duplicates(_in_order(tasks, ahead))

    return blocks()


def _client() -> Any:
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:  # no client: Dask's local scheduler
        return None


def _in_order(tasks: list, ahead: int | None) -> Iterator[Block]:
    """Each task's result in order, with at most ``ahead`` under way: on the distributed client if
    there is one (as futures, the next sent as each is handed out), else in rounds."""
    client = _client()
    if client is None:
        ahead = ahead or 2 * (os.cpu_count() or 1)
        for i in range(0, len(tasks), ahead):
            yield from dask.compute(*tasks[i:i + ahead])
        return
    ahead = ahead or 2 * max(1, sum(client.nthreads().values()))
    waiting = iter(tasks)
    futures: collections.deque = collections.deque(client.compute(t) for t in itertools.islice(waiting, ahead))
    try:
        while futures:
            block = futures.popleft().result()
            following = next(waiting, None)
            if following is not None:
                futures.append(client.compute(following))
            yield block
    finally:
        for future in futures:  # the caller stopped early, or a partition failed
            future.cancel()
