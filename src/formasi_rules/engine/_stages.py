"""An evaluation, stage by stage: read the record, derive and encode, decide, finish as a Result
or as text; a batch in chunks, each stage over the whole chunk before the next begins.

Run record by record, each stage finds the processor's caches full of the others' code and data
(the C engine's sessions most of all); run over a chunk, a stage's code stays warm and
durable_rules takes each ruleset over the chunk's facts in turn (``Backend.run_many``). The
results, their order and their errors are those of one record at a time: a record that fails at
any stage becomes its RecordError and the others in its chunk go on; an error that ends the batch
(an EngineError, one the records' iterable raises, a bug, an interrupt while a record is read or
derived) ends it after every record before it was given out, as it would one by one. An interrupt
while the engine decides a chunk ends the batch after the chunks before it: the records of that
chunk are not given out (none of them was decided).
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Callable

import attrs

from .._errors import InputError, InvalidArgument, Problem
from ..inputs import Candidate, Formation, JsonLine, path_of, read_line, structure_candidate
from ..inputs._candidate import id_text
from ..policy import Policy
from ._backend import Firings
from ._compiled import Compiled
from ._derive import Derived
from ._encode import AS_IS, encode, encode_fact, show, unusable
from ._plan import Plan
from ._result import RecordError, Rendered, Result, full_parts, precedence_of

CHUNK = 32  # records per chunk (benchmarks/stages.py): 16 to 1,024 keep each stage's code warm alike, but a chunk
# holds ~9 container objects a record in flight, and past the collector's young threshold (700) a chunk's
# records are promoted to be walked again by every full pass: ~0.2 µs a record at 32, ~6 at 256


@attrs.define(slots=True)
class _Case:
    """One record on its way through the stages of a chunk."""

    where: str
    ident: Any  # the record's id as given, for its RecordError
    candidate: Candidate | None = None
    targets: tuple[tuple[str, str], ...] | None = None
    derived: Derived | None = None
    fact: dict[str, Any] | None = None
    found: Firings | InputError | None = None  # what the backend found
    error: RecordError | None = None


Finish = Callable[[Compiled, int, Candidate, dt.date, Formation | None, Derived, Firings, list, str], Any]


def evaluate_one(compiled: Compiled, candidate: Candidate | Mapping, as_of: dt.date, places: Formation | None,
                 route: str | None, level: str | None, render: str | None = None) -> Result | Rendered:
    """One record through every stage: a Result (``render`` None) or its text in that layout;
    InputError for a bad record, its problems at ``$``."""
    index = compiled.index(as_of)
    plan, policy = compiled.plans[index], compiled.policy
    if not isinstance(candidate, Candidate):
        candidate = _structure(candidate, "$", policy)
    targets, derived = _prepared(compiled, index, candidate, as_of, places, route, level, render is not None)
    backend = compiled.backend
    firings = backend.recall(plan, compiled.codes[index], derived)
    if firings is None:  # the fact is built and run
        firings = backend.run(plan, _fact(compiled, index, derived))
    return FINISH[render](compiled, index, candidate, as_of, places, derived, firings, targets, "$")


def evaluate_records(compiled: Compiled, records: Iterable[Any], as_of: dt.date, places: Formation | None,
                     route: str | None, level: str | None, render: str | None = None, chunk: int = CHUNK,
                     ) -> Iterator[Result | Rendered | RecordError]:
    """Each record evaluated, in order (an error record where it cannot be): a Result, or with
    ``render`` its bytes in that layout, written straight from the evaluation (no Result in between).
    ``chunk`` records at a time go through each stage."""
    index = compiled.index(as_of)
    plan, policy, backend, finish = compiled.plans[index], compiled.policy, compiled.backend, FINISH[render]
    for part in _chunks(records, chunk):
        cases: list[_Case] = []
        stop: BaseException | None = None  # what ends the batch at the record after the last case
        # each stage over the whole chunk before the next (its code and data stay in the caches)
        try:
            for item in part:
                cases.append(_read(item, policy))
        except BaseException as exc:  # a bug, an interrupt: the records before it are given out first
            stop = exc
        at = 0
        try:
            for at, case in enumerate(cases):
                if case.error is None:
                    try:
                        case.targets, case.derived = _prepared(compiled, index, case.candidate, as_of, places,
                                                               route, level, render is not None)
                        case.fact = _fact(compiled, index, case.derived)
                    except InputError as exc:
                        case.error = _error(case, exc)
        except BaseException as exc:  # as above, at a record before any the reading stopped at
            stop = exc
            del cases[at:]  # the record it stopped at, and those read after it
        ready = [case for case in cases if case.error is None]
        try:
            for case, found in zip(ready, backend.run_many(plan, [case.fact for case in ready])):
                case.found = found
            for case in ready:  # let go at once: the collector need not walk a chunk of facts again
                case.fact = None
        except Exception:  # noqa: BLE001 - one by one below: every record before the one that fails is given out
            for case in ready:
                case.found = None
        for case in cases:
            if case.error is None:
                found = case.found
                if found is None:
                    try:
                        found = backend.run(plan, case.fact)
                    except InputError as exc:
                        found = exc
                if type(found) is Firings:
                    yield finish(compiled, index, case.candidate, as_of, places, case.derived, found, case.targets,
                                 case.where)
                    continue
                case.error = _error(case, found)
            yield case.error
        if stop is not None:
            raise stop


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    """``(index, item)`` in lists of ``size``. Where the iterable raises, the items taken before
    are given out first, then the error."""
    pairs = enumerate(items)
    while True:
        chunk: list[tuple[int, Any]] = []
        try:
            for pair in pairs:
                chunk.append(pair)
                if len(chunk) == size:
                    break
        except BaseException:  # the iterable's own error, or an interrupt while it reads
            if chunk:
                yield chunk
            raise
        if not chunk:
            return
        yield chunk


def _read(item: tuple[int, Any], policy: Policy) -> _Case:
    index, given = item
    where, record = given if isinstance(given, tuple) else (f"$[{index}]", given)
    if isinstance(record, JsonLine):  # parsed and validated in one pass, or else the detailed way
        record = read_line(record.text, policy) or record.parse()
    if isinstance(record, InputError):  # a line that is no record: a problem inside it at the record's place
        return _Case(where, None, error=RecordError(where, record.record_id, tuple(
            p if p.path is None else _at(p, where) for p in record.problems)))
    if type(record) is Candidate:  # the common case (a JSON line read in one pass), asked first
        case = _Case(where, record.id)
        case.candidate = record
        return case
    ident = record.get("id") if type(record) is dict or isinstance(record, Mapping) else getattr(record, "id", None)
    case = _Case(where, ident)
    try:
        case.candidate = record if isinstance(record, Candidate) else _structure(record, path_of(where), policy)
    except InputError as exc:
        case.error = _error(case, exc)
    return case


def _error(case: _Case, exc: InputError) -> RecordError:
    return RecordError(case.where, _named(case.ident), tuple(_at(p, case.where) for p in exc.problems))


def _named(ident: Any) -> str | None:
    """The candidate a record's error names: its id where the reader takes it as one (text, a whole
    number: a NIP from a data frame too); none for anything else (true, 12.5, a list, bytes), whose
    Python text ("True") a system reading the output would take for a candidate's id."""
    if isinstance(ident, str):
        return id_text(ident)  # as a record read whole names it ("A1 " is A1): the duplicate check compares it
    if isinstance(ident, numbers.Integral) and not isinstance(ident, bool):
        return str(ident)
    return None


def _prepared(compiled: Compiled, index: int, candidate: Candidate, as_of: dt.date, places: Formation | None,
              route: str | None, level: str | None, shown: bool = True,
              ) -> tuple[tuple[tuple[str, str], ...], Derived]:
    """What the backend needs of a candidate: its targets and its derived values (``shown``: with
    their text, for a record written at once)."""
    policy, plan = compiled.policy, compiled.plans[index]
    return _targets(policy, plan, candidate, route, level), compiled.deriver.derive(candidate, as_of, places, shown)


def _fact(compiled: Compiled, index: int, derived: Derived) -> dict[str, Any]:
    """The engine fact of the derived values (where the backend cannot answer from them alone)."""
    try:
        return compiled.encoders[index](derived.values, derived.per_level)
    except (ArithmeticError, ValueError):  # a value the engine cannot hold: the slow path words it
        return _encoded(derived, compiled.policy, compiled.plans[index].keys)


def _shown(echo: frozenset[str], derived: Derived, written: bool = False) -> dict[str, Any]:
    """The derived values as a result shows them; ``echo`` (``Compiled.echo``): the fields that only
    repeat a value of the record. ``written``: for a record written at once, whose Derived is let go
    after, so the deriver's own dicts are used as they are, not copied (each is the candidate's own:
    OpenPlaces makes a fresh one per candidate)."""
    if derived.shown is not None:  # kept by the deriver as it went
        shown = derived.shown if written else dict(derived.shown)
    else:
        shown = {k: v if type(v) in AS_IS else show(v) for k, v in derived.values.items() if k not in echo}
    shown.update(derived.per_level if written else {k: dict(v) for k, v in derived.per_level.items()})
    shown["explain"] = derived.explain
    return shown


# --- the last stage: a Result, or the record's text in one layout ----------------------------------

def _as_result(compiled: Compiled, index: int, candidate: Candidate, as_of: dt.date, places: Formation | None,
               derived: Derived, firings: Firings, targets: list, where: str) -> Result:
    """The Result, its outcomes settled now and the rest when first read (``Result.deferred``)."""
    explainer, policy = compiled.explainers[index], compiled.policy
    later = _Later(compiled, explainer, candidate, as_of, places, derived, firings, targets)
    return Result.deferred(candidate.id, as_of, policy.identity(), compiled.backend.name,
                           explainer.outcomes(firings, targets), policy.precedence, later.decisions, later,
                           where if where != "$" else "")


class _Later:
    """What a Result of :func:`_as_result` computes only when read (``Result.deferred``): its
    derived values shown; its check states, values read and values; its decisions. Each when first
    asked for: decisions read first need neither the states nor the values shown, and the states
    not the values shown. The values shown hold how each was reached (``derived["explain"]``), which
    the Result's chain does not keep (``GeneratedDeriver.derive``): the candidate is derived again
    with it. Once all are made it keeps only the Explanation, as a Result made at once would."""

    __slots__ = ("explainer", "echo", "deriver", "candidate", "as_of", "places", "derived", "firings", "targets",
                 "explanation", "left")

    def __init__(self, compiled: Compiled, explainer: Any, candidate: Candidate, as_of: dt.date,
                 places: Formation | None, derived: Derived, firings: Firings, targets: list):
        # (not the Compiled: a Result kept does not keep a version the engine has let go of, its backend)
        self.explainer, self.echo, self.deriver = explainer, compiled.echo, compiled.deriver
        self.candidate, self.as_of, self.places = candidate, as_of, places
        self.derived: Any = derived
        self.firings: Any = firings
        self.targets = targets
        self.explanation: Any = None
        self.left = 2  # the groups of fields not yet given: the values shown, and the rest

    def __call__(self, name: str) -> tuple[dict[str, Any], bool]:
        # (each group once: Result.deferred holds a lock, and asks only for a field it has not got)
        derived = self.derived
        if name == "derived":
            if derived.explain is None:  # the same derivation made again, keeping its steps (and its values'
                # order: a lean one holds them in the order of its slots)
                derived = self.deriver.derive(self.candidate, self.as_of, self.places)
            values = {"derived": _shown(self.echo, derived)}
        else:
            explanation = self.explanation or self.explainer.explain(derived, self.firings, self.targets)
            values = {"checks": self.explainer.states(self.firings, self.targets), "actual": explanation.actual,
                      "values": {**derived.values, "region": self.candidate.region}}
            self.explanation = explanation
        self.left -= 1
        if not self.left:  # (the Explanation made with the rest builds the decisions not yet read)
            self.derived = self.firings = self.candidate = self.places = self.deriver = None
        return values, not self.left

    def decisions(self, result: Result) -> tuple:
        explanation = self.explanation
        if explanation is None:
            derived, firings = self.derived, self.firings
            if derived is None:  # called in another thread since: it made the explanation
                explanation = self.explanation
            else:  # (a second explanation made at once in another thread is equal to it)
                explanation = self.explanation = self.explainer.explain(derived, firings, self.targets)
        return explanation.decisions(result)


def _as_compact(compiled: Compiled, index: int, candidate: Candidate, as_of: dt.date, places: Formation | None,
                derived: Derived, firings: Firings, targets: list, where: str) -> Rendered:
    """What ``_as_result(...).to_bytes("compact")`` gives, without the Result in between."""
    return Rendered(candidate.id, [compiled.explainers[index].compact(
        candidate.id, _shown(compiled.echo, derived, written=True), derived, firings, targets)], "compact", where)


def _as_full(compiled: Compiled, index: int, candidate: Candidate, as_of: dt.date, places: Formation | None,
             derived: Derived, firings: Firings, targets: list, where: str) -> Rendered:
    """What ``_as_result(...).to_bytes("full")`` gives, without the Result and Decisions in between."""
    explainer = compiled.explainers[index]
    explanation = explainer.explain(derived, firings, targets)
    outcomes = explainer.outcomes(firings, targets)
    policy = compiled.policy
    return Rendered(candidate.id, full_parts(
        candidate.id, as_of, policy.identity(), compiled.backend.name, _shown(compiled.echo, derived, written=True),
        lambda parts: explanation.put_decisions(parts, outcomes), precedence_of(outcomes, policy.precedence)),
        "full", where)


FINISH: dict[str | None, Finish] = {None: _as_result, "compact": _as_compact, "full": _as_full}


# --- the stages' parts ---------------------------------------------------------------------------

def _structure(record: Any, path: str, policy: Policy) -> Candidate:
    try:
        return structure_candidate(record, path, policy)
    except RecursionError:  # a dict that holds itself (from Python), or nesting past the stack
        raise InputError([Problem("I017", "data bersarang terlalu dalam atau memuat dirinya sendiri",
                                  "the record is nested too deeply, or holds itself", path=path)]) from None


def _encoded(derived: Any, policy: Policy, keys: frozenset[str]) -> dict[str, Any]:
    """The engine fact; a value the engine cannot hold exactly (more decimals than its field
    declares, beyond 64 bits, infinite) is the record's error, naming the field."""
    try:
        return encode_fact(derived, policy, keys)
    except (ArithmeticError, ValueError):  # NotRepresentable, Decimal's InvalidOperation, OverflowError
        pass
    problems = []
    for name, value in derived.values.items():
        if name in keys:
            try:
                encode(policy.fields[name], value, policy)
            except (ArithmeticError, ValueError) as exc:
                problems.append(unusable(policy.fields[name], exc))
    if not problems:  # a per-level value: say so without guessing which
        problems.append(Problem("I021", "sebuah nilai turunan tidak dapat dipakai",
                                "a derived value cannot be encoded for the rules engine", path="$"))
    raise InputError(problems)


def _targets(policy: Policy, plan: Plan, candidate: Candidate, route: str | None,
             level: str | None) -> tuple[tuple[str, str], ...]:
    if route is None and level is None and candidate.request is None:  # (the common case, at once)
        return plan.every
    if route is not None or level is not None:  # a caller's filter
        for name, value, vocab in (("route", route, tuple(policy.routes)), ("level", level, policy.levels)):
            if value is not None and value not in vocab:
                raise InvalidArgument(f"{name} must be one of {', '.join(vocab)}, got {value!r}")
    req = candidate.request
    want_route = req.route if req and req.route else None
    want_level = req.level if req and req.level else None
    key = (id(plan), want_route, want_level, route, level)
    found = _TARGETS.get(key)
    if found is not None and found[0] is plan:
        return found[1]  # the same tuple for the same targets: the explainer knows it by identity
    requested = [t for t in plan.targets
                 if (want_route is None or t[0] == want_route) and (want_level is None or t[1] == want_level)]
    if not requested:
        raise InputError([Problem(
            "I030", f"permohonan {want_route or ''} {want_level or ''} tidak ada dalam kebijakan",
            f"the request ({want_route or 'any route'}, {want_level or 'any level'}) matches no "
            f"route and level of policy {policy.name}", path="$.request")])
    # a caller's filter narrows further; a request outside it leaves no decision, not an error
    chosen = [t for t in requested if (route is None or t[0] == route) and (level is None or t[1] == level)]
    if len(_TARGETS) > 256:
        _TARGETS.clear()
    _TARGETS[key] = (plan, plan.every if len(chosen) == len(plan.every) else tuple(chosen))
    return _TARGETS[key][1]


_TARGETS: dict[tuple, tuple[Plan, tuple[tuple[str, str], ...]]] = {}  # a batch asks for few target sets


def _at(problem: Problem, where: str) -> Problem:
    """Re-anchor a problem found inside one record ("$.birth_date") at the record ("$[3].birth_date")."""
    base = path_of(where)
    path = problem.path or "$"
    if path.startswith("$.") or path == "$":
        path = base + path[1:]
    return attrs.evolve(problem, path=path)
