"""``POST /v1/evaluate`` and ``/v1/allocate`` with a JSON body: the answer is byte for byte what
``formasi evaluate --format json`` writes for the same records.

The body is one candidate object, a list of them, or an envelope
``{"candidates": <object or list>, "formation": <places>}`` whose places are
``{region: {level: open}}`` or rows ``[{"region", "level", "open"}]``. A bad single
candidate is a 422 naming the place; in a list each bad record is an error item in its
place, the rest are evaluated, and the status is 207 (see docs/service.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import orjson

from .. import InputError, InvalidArgument, RecordError, Result
from .._json import leaves
from ..engine._allocate import allocate as allocate_places
from ..engine._engine import open_places_of
from ..engine._result import written
from ..formation import Located
from ..inputs._candidate import shown
from ..inputs._read import flaws, keys_twice, loads_document
from ._errors import ServiceError, bad_body, halves, not_json, too_many_records
from ._options import Options


def parse_json(body: bytes) -> tuple[Any, bool]:
    """The body's JSON value, read as ``formasi evaluate`` reads a .json file (a byte-order mark is
    skipped), and whether a part of it may be flawed: a key given twice, a number too long, NaN
    (:func:`inputs._read.flaws` says what and where)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_json(f"the body is not UTF-8 (byte {exc.start + 1})") from None
    try:
        return loads_document(text[1:] if text.startswith("\ufeff") else text)
    except json.JSONDecodeError as exc:
        raise not_json(exc.msg, exc.lineno, exc.colno) from None
    except RecursionError:
        raise not_json("nested too deeply to read") from None


def whole(data: Any, marked: bool, where: str = "$") -> Any:
    """A body (or the part at ``where``) read by :func:`parse_json` that must be right as a whole
    (a formation request, the places): any flaw in it is the request's error."""
    found = flaws(data, where) if marked else []
    if found:
        raise ServiceError(422, "S423", "the request body has a flaw: " + found[0].en,
                           "isi permintaan bercacat: " + found[0].id, problems=found)
    return data


def unpack(data: Any, *, max_records: int, marked: bool = False) -> tuple[list[tuple[str, Any]], bool, Any]:
    """``(records as (where, record) pairs, whether one candidate was sent, places or None)``;
    with ``marked`` (see :func:`parse_json`), a record with a flaw comes as its InputError, and
    the others go on."""
    records, single, places = _unpacked(data, max_records, marked)
    if marked:
        records = [(where, InputError(found) if (found := flaws(record, where)) else record)
                   for where, record in records]
    return records, single, places


def _unpacked(data: Any, max_records: int, marked: bool) -> tuple[list[tuple[str, Any]], bool, Any]:
    places = None
    if isinstance(data, dict) and "candidates" in data:
        twice = keys_twice(data) if marked else ()
        if twice:
            raise bad_body(f"the key {twice[0]!r} is given more than once in the envelope",
                           f"kunci {twice[0]!r} muncul lebih dari sekali", f"$.{twice[0]}")
        if marked and data.get("formation") is not None:
            whole(data["formation"], marked, "$.formation")
        extra = sorted(set(data) - {"candidates", "formation"})
        if extra:
            raise bad_body(f"unknown key {extra[0]!r} in the envelope; known: candidates, formation",
                           f"kunci {extra[0]!r} tidak dikenal; yang dikenal: candidates, formation", f"$.{extra[0]}")
        places = _places(data.get("formation"))
        data = data["candidates"]
    if isinstance(data, list):
        if len(data) > max_records:
            raise too_many_records(max_records, len(data))
        return [(f"$[{i}]", item) for i, item in enumerate(data)], False, places
    if isinstance(data, dict):
        return [("$", data)], True, places
    raise bad_body("expected a candidate object, a list of them, or {\"candidates\": ...}",
                   "harus objek kandidat, daftar kandidat, atau {\"candidates\": ...}")


def _places(value: Any) -> dict | Located | None:
    """Open places as ``{region: {level: open}}``, from that mapping or from rows."""
    if value is None or isinstance(value, dict):
        return value
    if not isinstance(value, list):
        raise bad_body("formation must be {region: {level: open}} or a list of rows {region, level, open}",
                       "formation harus {wilayah: {jenjang: jumlah}} atau daftar baris {region, level, open}",
                       "$.formation")
    for i, row in enumerate(value):
        if not isinstance(row, dict) or set(row) - {"region", "level", "open"} or {"region", "level", "open"} - set(row):
            raise bad_body("each formation row has exactly region, level and open",
                           "setiap baris formasi berisi tepat region, level dan open", f"$.formation[{i}]")
        region, level = row["region"], row["level"]
        for key, part in (("region", region), ("level", level)):
            if not isinstance(part, str) or not part.strip():
                raise bad_body(f"a formation row's {key} is a name, got {shown(part)}",
                               f"{key} baris formasi harus berupa nama, bukan {shown(part)}", f"$.formation[{i}].{key}")
    # each row read with its place, so a bad level or count is said at $.formation[1].level (S424)
    return Located([(f"$.formation[{i}]", row) for i, row in enumerate(value)])


def begin(options: Options, begin_lock, records: Iterable, places: Any, compact: bool, written: bool = False):
    """Start a batch on one version: ``(identity, catalogue or None, iterator of results, policy)``;
    with ``written``, each record comes already written in the options' layout (its
    ``to_bytes(layout)`` is the same as a Result's, without the Result: for streams).

    The version's identity, the compact catalogue and the batch's pin are taken while no
    reload can swap the version (the batch pins when its first item is asked for)."""
    engine = options.engine
    with begin_lock:
        policy = engine.policy
        identity = policy.identity()
        catalogue = engine.catalogue(options.as_of) if compact else None
        if written:
            # one record at a time: a stream's answers go out as its records come, and the reader's
            # own error lines (written beside the answers) stay in their place
            items = engine._batch(records, options.as_of, places, options.route, options.level, 1,
                                  options.layout, blocks=False, chunk=1)
        else:
            items = engine.evaluate_many(records, as_of=options.as_of, route=options.route, level=options.level,
                                         formation=places)
        first = next(items, None)
    return identity, catalogue, _chain(first, items), policy


def _chain(first: Any, rest: Iterator) -> Iterator:
    if first is not None:
        yield first
        yield from rest


def evaluate(options: Options, begin_lock, body: bytes, *, max_records: int, allocate: bool = False):
    """The answer to a JSON evaluation: ``(status, bytes, identity, evaluated, rejected)``."""
    data, marked = parse_json(body)
    records, single, places = unpack(data, max_records=max_records, marked=marked)
    if options.formation is not None:
        if places is not None:
            raise bad_body("give the places inline or by name (?formation=), not both",
                           "berikan formasi di isi atau dengan nama (?formation=), bukan keduanya", "$.formation")
        places = options.formation
    if allocate and places is None:
        raise bad_body("allocation needs the open places: send {\"candidates\": [...], \"formation\": ...} "
                       "or name one with ?formation=",
                       "alokasi memerlukan formasi: kirim {\"candidates\": [...], \"formation\": ...} "
                       "atau sebut namanya dengan ?formation=", "$.formation")
    compact = options.layout == "compact"
    try:
        identity, catalogue, items, policy = begin(options, begin_lock, records, places, compact)
        items = list(items)
        if allocate:  # on the version the records were evaluated on, though a reload came in between
            items = allocate_places(policy, items, open_places_of(places, policy.levels))
    except InputError as exc:  # the places themselves are wrong
        raise ServiceError(422, "S424", "the formation places are invalid", "data formasi tidak sah",
                           problems=exc.problems) from None
    except InvalidArgument as exc:
        raise bad_body(*halves(exc)) from None
    rejected = [item for item in items if isinstance(item, RecordError)]
    if single and rejected:
        error = rejected[0]
        raise ServiceError(422, "S422", "the candidate record is invalid", "rekaman kandidat tidak sah",
                           problems=error.problems, candidate=error.candidate)
    text = render(items, options.layout, catalogue and _catalogue_text(identity, options.as_of, catalogue))
    status = 207 if rejected else 200
    return status, text.encode(), identity, len(items) - len(rejected), len(rejected)


_CATALOGUES: dict[tuple, str] = {}


def _catalogue_text(identity: dict[str, str], as_of: Any, catalogue: dict) -> str:
    """The catalogue as JSON text, rendered once per version, date and backend: it is the same
    for every request of that day (43 KB, half a millisecond to write each time)."""
    key = (identity["digest"], as_of, catalogue["catalogue"].get("backend"))
    text = _CATALOGUES.get(key)
    if text is None:
        text = json.dumps(catalogue, ensure_ascii=False)
        if len(_CATALOGUES) >= 64:
            _CATALOGUES.clear()
        _CATALOGUES[key] = text
    return text


def render(items: list[Result | RecordError], layout: str, catalogue: str | None) -> str:
    """A JSON document as ``formasi evaluate --format json`` writes it (indent 2, UTF-8 as is);
    ``catalogue`` is the compact layout's catalogue as JSON text."""
    parts = []
    if layout == "compact":
        parts.append(catalogue[:-1] + ', "results": [')
        end = "]}"
    else:
        parts.append("[")
        end = "]"
    for i, item in enumerate(items):
        parts.append(("," if i else "") + "\n" + indented(written(item, layout)))
    parts.append(f"\n{end}\n" if items else f"{end}\n")
    return "".join(parts)


def indented(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, ten times faster.

    orjson's two-space indent writes the same bytes as the standard library's except for
    some floats (``1e-05`` against ``1e-5``, NaN against null) and what it cannot write at
    all (integers over 64 bits, keys that are not strings, lone surrogates): those values
    take the standard library's path, so the answer is always the command line's."""
    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2)
    return json.dumps(value, ensure_ascii=False, indent=2) if _floats_differ(value) else text


def _floats_differ(value: Any) -> bool:
    return any(isinstance(item, float) and repr(item) != orjson.dumps(item).decode() for item in leaves(value))
