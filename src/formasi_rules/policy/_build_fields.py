"""Building the declared fields of a policy: each one's type, the record path it reads or the
derivation that computes it (type-checked), and the record inputs it depends on.

A field reads the record (``input: rank``) or is derived (``derive: ...``); derived fields may
use each other in any order, but not in a circle.
"""

from __future__ import annotations

import difflib
import re
from decimal import Decimal
from typing import Any

import attrs

from .._errors import Problem, said, suggest
from .._text import Text
from ._check import CITATION_DEEPER, TEXT_DEEPER, Reader
from ._derivations import Cases, Const, HistoryAt, HistoryExists, HistoryYear, OverYears, Parser, refs
from ._fields import BASIC_TYPES, HISTORIES, RECORD, SYSTEM_FIELDS, Field, kind_of
from ._model import FieldValue, TableRef, ThisLevel, tests_of
from ._typecheck import literal_error, ops_for

FIELD_KEYS = ("title", "type")
FIELD_OPTIONAL = ("input", "derive", "decimals", "default", "citation", "note", "replaces")
EXTRA_INPUT = r"[a-z][a-z0-9_]*"


def build_fields(specs: list[tuple[Reader, str, Any, str]], header: dict, tables: dict,
                 parse_condition: Any) -> tuple[dict[str, Field] | None, list[Problem]]:
    vocabularies = header["vocabularies"]
    problems: list[Problem] = []
    declared: dict[str, str] = {n: f.type for n, f in SYSTEM_FIELDS.items()}
    ok_specs = []
    for r, name, node, layer in specs:
        spec = node[name]
        r.rule = None
        what = f"field {name!r}"
        if r.mapping(node, name, what) is None or not r.keys(
                spec, FIELD_KEYS, FIELD_OPTIONAL, what, {"title": TEXT_DEEPER, "citation": CITATION_DEEPER}):
            continue
        type_name = spec["type"]
        if not isinstance(type_name, str) or (type_name not in BASIC_TYPES and type_name not in vocabularies):
            r.problem("P081", f"jenis {type_name!r} tidak dikenal", f"{what} has unknown type {type_name!r}; use "
                      f"{', '.join(BASIC_TYPES)} or a vocabulary ({', '.join(vocabularies)})", spec, "type",
                      hint=suggest(type_name, (*BASIC_TYPES, *vocabularies)))
            continue
        if ("input" in spec) == ("derive" in spec):
            r.problem("P082", f"{what} perlu tepat satu dari input / derive",
                      f"{what} needs exactly one of 'input: RECORD_FIELD' or 'derive: ...'", node, name,
                      hint="keep 'input:' for a value the record gives, or 'derive:' for one the policy computes, not "
                           "both and not neither / pakai 'input:' untuk nilai dari rekaman, atau 'derive:' untuk nilai "
                           "yang dihitung kebijakan, salah satu saja")
            continue
        declared[name] = type_name
        ok_specs.append((r, name, node, layer))

    fields: dict[str, Field] = {  # the engine's own, a coded one with its vocabulary's values (formation's level)
        n: attrs.evolve(f, values=vocabularies[f.scale].values) if f.scale in vocabularies else f
        for n, f in SYSTEM_FIELDS.items()}
    for r, name, node, layer in ok_specs:
        spec = node[name]
        type_name = declared[name]
        title = r.text(spec, "title", "title")
        decimals = 0
        if type_name == "number":
            decimals = spec.get("decimals")
            if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 6:
                r.problem("P083", "field angka perlu decimals 0 sampai 6",
                          f"number field {name!r} needs 'decimals:' (how many decimals are kept), 0 to 6", node, name,
                          hint="add a line 'decimals: 2' under the field (0 for whole numbers) / tambahkan baris "
                               "'decimals: 2' di bawah field (0 untuk bilangan bulat)")
                continue
        elif "decimals" in spec:
            r.problem("P083", "decimals hanya untuk type number", "'decimals' is only for fields of type number",
                      spec, "decimals", hint="remove the line, or make the field 'type: number' / hapus barisnya, atau "
                                             "jadikan field 'type: number'")
        source = derive = default = None
        if "input" in spec:
            source = _input_path(r, spec, name, type_name)
            if source is None:
                continue
            if "default" in spec:
                default = _default(r, spec, type_name, vocabularies)
                if default is None:
                    continue
        elif "default" in spec:
            r.problem("P090", "default hanya untuk field input", "'default' is only for input fields (a derived "
                      "value is unknown when its inputs are)", spec, "default",
                      hint="give the default to the input field the derivation reads, or remove it / pindahkan "
                           "default ke field input yang dibaca perhitungannya, atau hapus")
            continue
        else:
            parser = Parser(r, declared, vocabularies, tables,
                            lambda rr, n, k: parse_condition(rr, n, k, declared, field_values=True))
            parsed = parser.parse(spec, "derive")
            if parsed is None:
                continue
            derive, got = parsed
            if not _assignable(got, type_name):
                r.problem("P084", f"perhitungan menghasilkan {got}, bukan {type_name}",
                          f"the derivation of {name!r} gives a {got}, but the field is declared {type_name}",
                          spec, "derive", hint=f"declare it 'type: {got}', or correct the derivation / nyatakan "
                                               f"'type: {got}', atau perbaiki perhitungannya")
                continue
        vocab = vocabularies.get(type_name)
        fields[name] = Field(
            name, kind_of(type_name, vocabularies), title or _untitled(name), (),
            vocab.values if vocab else _texts(derive) if type_name == "text" else (),
            scale=type_name if vocab else None, decimals=decimals, input=source, derive=derive, type=type_name,
            default=default, note=spec.get("note"), where=r.at(node, name), layer=layer)
    for r, *_ in ok_specs:
        problems += r.problems
        r.problems = []
    if problems:
        return None, problems
    order, cycle = _order(fields)
    if cycle:
        f = fields[cycle[0]]
        problems.append(Problem("P085", f"field saling bergantung: {' -> '.join(cycle)}",
                                f"derived fields depend on each other in a circle: {' -> '.join(cycle)}",
                                file=f.where.file, line=f.where.line, column=f.where.column,
                                hint="one of them must be computed from the others without using itself / "
                                     "salah satunya harus dihitung dari yang lain tanpa memakai dirinya sendiri"))
        return None, problems
    problems += _check_case_conditions(fields, header, tables)
    # the record inputs a value depends on, in dependency order so each is complete when used
    for name in order:
        f = fields[name]
        if f.derive is not None:
            found: list[str] = []
            for dep in refs(f.derive):
                if dep in fields and dep not in SYSTEM_FIELDS:
                    found += fields[dep].inputs
            found += _histories(f.derive)
            fields[name] = attrs.evolve(f, inputs=tuple(dict.fromkeys(found)))
        elif f.input is not None:
            fields[name] = attrs.evolve(f, inputs=(f.input,))
    ordered = {n: fields[n] for n in SYSTEM_FIELDS}
    ordered.update({n: fields[n] for n in order if n not in SYSTEM_FIELDS})
    return (None if problems else ordered), problems


def _default(r: Reader, spec: Any, type_name: str, vocabularies: dict) -> Any:
    value = spec["default"]
    ok = {"boolean": isinstance(value, bool), "text": isinstance(value, str),
          "integer": isinstance(value, int) and not isinstance(value, bool),
          "number": isinstance(value, (int, float)) and not isinstance(value, bool)}.get(
        type_name, type_name in vocabularies and value in vocabularies[type_name].values)
    if not ok:
        r.problem("P091", f"default {value!r} bukan {type_name}", f"default {value!r} is not a {type_name}",
                  spec, "default", hint=(f"write one of {', '.join(vocabularies[type_name].values)}"
                                         if type_name in vocabularies else f"write a {type_name}")
                  + f" / tulis nilai berjenis {type_name}")
        return None
    return Decimal(str(value)) if type_name in ("number", "integer") else value


def _untitled(name: str) -> Text:
    return Text(name, name)


def _assignable(got: str, declared: str) -> bool:
    return got == declared or (got == "integer" and declared == "number")


def _input_path(r: Reader, spec: Any, name: str, type_name: str) -> str | None:
    path = spec["input"]
    if not isinstance(path, str):
        r.problem("P086", "input harus nama field rekaman", "'input' must name a field of the record", spec, "input",
                  hint=f"write one of {', '.join(RECORD)}, or a new lower-case name / tulis salah satu nama field "
                       "rekaman, atau nama baru berhuruf kecil")
        return None
    if path in RECORD:
        if not _assignable(RECORD[path], type_name) and not (RECORD[path] == "number" and type_name == "integer"):
            r.problem("P087", f"{path} berjenis {RECORD[path]}", f"record field {path!r} holds a {RECORD[path]}, "
                      f"but field {name!r} is declared {type_name}", spec, "type",
                      hint=f"declare it 'type: {RECORD[path]}' / nyatakan 'type: {RECORD[path]}'")
            return None
        return path
    if path in HISTORIES or "." in path or not re.fullmatch(EXTRA_INPUT, path) or path in ("id", "request"):
        r.problem("P088", f"{path!r} bukan field rekaman", f"{path!r} is not a field of the record; record fields "
                  f"are {', '.join(RECORD)}, or a new top-level name (lower case) that records then may carry",
                  spec, "input", hint=suggest(path, RECORD))
        return None
    close = [k for k in RECORD if difflib.SequenceMatcher(None, path, k).ratio() >= 0.85]
    if close:  # birthdate for birth_date: a field of its own, which no record gives, and every rule on it undetermined
        r.problem("P088", f"{path!r} hampir sama dengan field rekaman {close[0]!r}", f"{path!r} is nearly the record "
                  f"field {close[0]!r}: as written it would be a new field of this policy, which records do not give, "
                  f"and every rule reading it undetermined", spec, "input",
                  hint=f"write {close[0]!r}; for a field of the policy's own, choose a name further from it / tulis "
                       f"{close[0]!r}; untuk field milik kebijakan ini, pilih nama yang lebih berbeda")
        return None
    return path  # a record field this policy adds (for example a flag)


def _histories(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, (HistoryAt, HistoryExists, HistoryYear, OverYears)):
        found.append(node.history)
    if isinstance(node, tuple):
        for item in node:
            found += _histories(item)
    elif attrs.has(type(node)):
        for value in attrs.astuple(node, recurse=False):
            found += _histories(value)
    return found


def _order(fields: dict[str, Field]) -> tuple[list[str], list[str] | None]:
    """Fields in an order where each comes after what it reads; or the circle found."""
    order: list[str] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(name: str) -> list[str] | None:
        if state.get(name) == 2:
            return None
        if state.get(name) == 1:
            return stack[stack.index(name):] + [name]
        state[name] = 1
        stack.append(name)
        f = fields[name]
        for dep in refs(f.derive) if f.derive is not None else ():
            if dep in fields:
                found = visit(dep)
                if found:
                    return found
        stack.pop()
        state[name] = 2
        order.append(name)
        return None

    for name in fields:
        cycle = visit(name)
        if cycle:
            return order, cycle
    return order, None


def _texts(derive: Any) -> tuple[str, ...]:
    """The texts a text field derived by cases can be, where every case gives a written text (as
    ``entry_route``'s do): a rule or case testing it against another is a typo that would never hold."""
    if not isinstance(derive, Cases):
        return ()
    given = [value for _, value in derive.branches] + ([derive.otherwise] if derive.otherwise is not None else [])
    if not all(isinstance(v, Const) and isinstance(v.value, str) for v in given):
        return ()
    return tuple(dict.fromkeys(v.value for v in given))


def _check_case_conditions(fields: dict[str, Field], header: dict, tables: dict) -> list[Problem]:
    """The tests inside ``cases: - when:`` must fit their fields, like a rule's tests."""
    problems: list[Problem] = []

    def visit(condition: Any, owner: Field) -> None:
        for cond in tests_of(condition):
            field = fields[cond.field]
            where = cond.where or owner.where
            error = None
            if cond.op not in ops_for(field):
                error = f"operator {cond.op!r} cannot be used on {cond.field!r} ({field.kind})"
            elif isinstance(cond.value, FieldValue):
                other = fields.get(cond.value.name)
                if other is None:
                    error = f"unknown field {cond.value.name!r}"
                elif other.type != field.type and {other.type, field.type} - {"number", "integer"}:
                    error = f"{cond.field!r} ({field.type}) cannot be compared with {other.name!r} ({other.type})"
            elif isinstance(cond.value, TableRef):
                table = tables.get(cond.value.table)
                if table is None or cond.value.column not in table.columns:
                    error = f"no table {cond.value.table!r} with a column {cond.value.column!r}"
                elif table.key is not None:
                    error = (f"table {table.name!r} is keyed by {table.key}; inside a derivation read a cell of a "
                             f"table without key, or use 'lookup'")
            elif isinstance(cond.value, ThisLevel):
                error = "inside a derivation there is no level being evaluated; compare with a value or {field: NAME}"
            hint = None
            if not isinstance(cond.value, (FieldValue, TableRef, ThisLevel)):
                items = cond.value.value if isinstance(cond.value.value, tuple) else (cond.value.value,)
                for item in items:
                    if error is None and (error := literal_error(field, item, header)):
                        error = f"{cond.field} {said(item)}: {error}"
                        hint = suggest(item, field.values) if field.values else None
            if error:
                problems.append(Problem("P089", f"uji dalam perhitungan {owner.name!r} salah: {error}",
                                        f"a test in the derivation of {owner.name!r} is wrong: {error}",
                                        file=where.file, line=where.line, column=where.column, hint=hint))

    def walk(node: Any, owner: Field) -> None:
        if isinstance(node, Cases):
            for cond, _ in node.branches:
                visit(cond, owner)
        if isinstance(node, tuple):
            for item in node:
                walk(item, owner)
        elif attrs.has(type(node)):
            for value in attrs.astuple(node, recurse=False):
                walk(value, owner)

    for f in fields.values():
        if f.derive is not None:
            walk(f.derive, f)
    return problems
