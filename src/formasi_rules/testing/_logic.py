"""What the rules of one period say, decided exactly by the solver (see _solver).

- C010 a rule that can never pass (its own condition contradicts itself);
- C011 a route and level no candidate can be eligible for (a smallest set of its rules that
  contradict, the most specific first: the likely cause);
- C012 a rule masked by another: whenever the other passes it passes too, on the same decisions
  (one finding for a pair; two rules that pass on exactly the same candidates are one finding);
- C016 a rule that passes for every candidate (it decides nothing);
- C041 (monotonicity) a rule that turns a candidate from eligible to not eligible when a field whose vocabulary
  declares ``better:`` improves (with the two test cases, evaluated on every backend);
- C013 two formation rules that can fire together with bounds that contradict;
- C090 (information) a rule on the date alone that its dates close in this period: a window;
- C099 a question the solver could not settle, with its reason (never silence).
"""

from __future__ import annotations

import itertools

import z3

from ..engine._encode import decode
from ..engine._plan import And, Check, Cmp, Neg, Or, Plan, evaluate
from ..policy import Policy
from ._amend import against_the_grain
from ._findings import Finding, for_rules, period_text
from ._solver import Space
from ._witness import Confirmer


# z3's commonest reasons for giving up, in Bahasa Indonesia (any other is shown as z3 says it)
_REASONS_ID = {"timeout": "batas waktu habis", "canceled": "dibatalkan", "the solver gave up": "tanpa alasan"}


def _undecided(what: str, apa: str, reason: str, checks: list[Check], policy: Policy, when: str) -> Finding:
    """C099: the question the solver gave up on, in English (``what``) and Bahasa Indonesia (``apa``)."""
    return for_rules("C099", f"tidak dapat diputuskan: {apa} (penalar menyerah: {_REASONS_ID.get(reason, reason)})",
                     f"undecided: {what} (the solver gave up: {reason})", [c.rule for c in checks], policy,
                     severity="undecided", periods=(when,))


def date_only(check: Check) -> bool:
    return check.keys <= {"as_of"}


def plan_findings(policy: Policy, plan: Plan, confirm: Confirmer, closed: dict[str, list[str]]) -> list[Finding]:
    space = Space(policy, plan)
    when = period_text(plan.period)
    out: list[Finding] = []
    dead: set[str] = set()
    terms = {k: space.passes(c) for k, c in plan.checks.items()}
    for key, check in plan.checks.items():
        if date_only(check):  # a window: its open days, judged over all periods
            closed.setdefault(check.rule.id, []).append((plan.period, open_days(check, plan.period)))
        answer = space.solve(terms[key])
        if answer.status == "unknown":
            out.append(_undecided(f"can rule {check.rule.id} pass",
                                      f"dapatkah aturan {check.rule.id} terpenuhi", answer.reason, [check], policy, when))
            dead.add(key)
        elif answer.status == "unsat":
            dead.add(key)
            if not date_only(check):
                target = next((t for t, ks in plan.targets.items() if key in ks), None)
                shown = _blocked(policy, plan, space, terms, target, key, confirm,
                                 against_the_grain(policy, check.rule)) if target else ()
                out.append(for_rules("C010", f"aturan {check.rule.id} tidak pernah terpenuhi",
                                     f"rule {check.rule.id} can never pass: its condition contradicts itself",
                                     [check.rule], policy, periods=(when,), cases=shown))
    targets_of: dict[str, set] = {}
    for t, keys in plan.targets.items():
        for k in keys:
            targets_of.setdefault(k, set()).add(t)
    for (route, level), keys in plan.targets.items():
        if any(k in dead for k in keys):
            continue
        checks = [plan.checks[k] for k in keys]
        answer = space.solve(*[terms[k] for k in keys])
        if answer.status == "unknown":
            out.append(_undecided(f"can anyone be eligible for {route} at {level}",
                                      f"dapatkah seseorang memenuhi syarat {route} pada {level}", answer.reason, checks,
                                  policy, when))
        elif answer.status == "unsat":
            core = _core(space, [(k, terms[k]) for k in keys])
            core.sort(key=lambda k: (len(targets_of.get(k, ())), -list(plan.checks).index(k)))
            shown = _blocked(policy, plan, space, terms, (route, level), core[0], confirm,
                             against_the_grain(policy, plan.checks[core[0]].rule))
            out.append(for_rules(
                "C011", f"tidak ada kandidat yang dapat memenuhi {route} {level}: aturannya saling bertentangan",
                f"no candidate can be eligible for {route} at {level}: rules "
                f"{', '.join(dict.fromkeys(plan.checks[k].rule.id for k in core))} contradict each other",
                [plan.checks[k].rule for k in core], policy, periods=(when,), cases=shown))
        else:
            out += _monotone(policy, plan, space, (route, level), keys, terms, confirm, when, out)
    out += _masking(policy, plan, space, terms, targets_of, dead, when)
    out += _redundant(policy, plan, space, terms, targets_of, dead, when, out)
    shown = {f.topic[1:] for f in out if f.topic[:1] == ("C041",)}
    return [f for f in out if not (f.topic[:1] == ("C041?",) and f.topic[1:] in shown)]


def _blocked(policy: Policy, plan: Plan, space: Space, terms: dict, target, culprit: str,
             confirm: Confirmer, fixes=(), fallback: bool = True) -> tuple[dict, ...]:
    """A test case showing a rule blocks a route and level: a candidate meeting every other rule of
    it, not eligible on every backend (expected eligible: the case fails until the rule is fixed).

    ``fixes``: corrections of the rule (_amend), the finding's own or guessed from the policy's
    directions. The candidate is then one the first correction that admits anyone here admits,
    eligible on every backend of the policy so corrected: the case passes once the fix is made (any
    candidate the rule refuses fails until then, but one the corrected rule refuses too, for a test
    the fix leaves as it is, keeps failing after it). With none of them (or no fixes), any
    candidate the rule refuses, unless not ``fallback``."""
    others = [terms[k] for k in plan.targets[target] if k != culprit]
    check = plan.checks[culprit]
    route, level = target
    for fix in fixes:
        fixed = fix.check(policy, check, level, plan.period.valid_from)
        if fixed is None:
            continue
        answer = space.nearest([*others, z3.Not(terms[culprit]), space.term(fixed.condition)],
                               [(c.key, c.value) for c in _changed(check.condition, fixed.condition)])
        if answer.status != "sat":
            continue
        shown = _refused(plan, answer.model, target, check, confirm,
                         f"only {check.rule.id} refuses; eligible with {fix.text}")
        if shown and confirm.amended(fix).holds(shown[0]):
            return shown
    if not fallback:
        return ()
    answer = space.solve(*others, z3.Not(terms[culprit]))
    if answer.status != "sat":
        return ()
    return _refused(plan, answer.model, target, check, confirm,
                    f"meets every rule of {route}/{level} but {check.rule.id}")


def _changed(old, new) -> list[Cmp]:
    """The comparisons of ``new`` that differ from ``old`` at the same place (two resolutions of a
    rule, one test's operator changed): the candidate is sought close to their values."""
    if isinstance(new, Cmp):
        return [new] if new != old else []
    if isinstance(new, (And, Or)) and type(old) is type(new) and len(old.items) == len(new.items):
        return [c for a, b in zip(old.items, new.items, strict=True) for c in _changed(a, b)]
    if isinstance(new, Neg) and isinstance(old, Neg):
        return _changed(old.item, new.item)
    return []


def _refused(plan: Plan, model: dict, target, check: Check, confirm: Confirmer, name: str) -> tuple[dict, ...]:
    """The case of ``model``: not eligible for ``target`` on every backend, expected eligible."""
    shown, _ = confirm.show(model, plan.period.valid_from, target, "not_eligible", name)
    if shown is None:
        return ()
    return ({**shown, "expected": {f"{target[0]}/{target[1]}": "eligible"}},)


def open_days(check: Check, period) -> list[tuple[int, int]]:
    """The days of ``period`` (day numbers) on which a check on the date alone passes, as intervals.
    The condition is constant between the dates it names, so testing each named date, the days
    either side and the ends of the period finds every interval exactly."""
    lo = period.valid_from.toordinal()
    hi = period.valid_to.toordinal() if period.valid_to else lo + 365 * 200
    points = {lo, hi}
    for node in _leaves(check.condition):
        for v in (node.values if hasattr(node, "values") else (node.value,)):
            points |= {p for p in (v - 1, v, v + 1) if lo <= p <= hi}
    points = sorted(points)
    out: list[tuple[int, int]] = []
    for i, p in enumerate(points):
        if evaluate(check.condition, {"as_of": p}) is True:
            # constant from p up to the next point (exclusive), which is itself tested
            end = points[i + 1] - 1 if i + 1 < len(points) else p
            if out and out[-1][1] >= p - 1:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((p, end))
    return out


def _leaves(cond):
    if hasattr(cond, "items"):
        for c in cond.items:
            yield from _leaves(c)
    elif hasattr(cond, "item"):
        yield from _leaves(cond.item)
    else:
        yield cond


def _core(space: Space, named: list[tuple[str, object]]) -> list[str]:
    """A smallest set of the named terms that cannot hold together (deletion-minimal)."""
    keep = [k for k, _ in named]
    terms = dict(named)
    for k in list(keep):
        trial = [x for x in keep if x != k]
        if trial and space.solve(*[terms[x] for x in trial]).status == "unsat":
            keep = trial
    return keep


def _masking(policy: Policy, plan: Plan, space: Space, terms: dict, targets_of: dict, dead: set,
             when: str) -> list[Finding]:
    out = []
    live = [c for k, c in plan.checks.items() if k not in dead and not date_only(c)]
    valid = set()
    for a in live:
        answer = space.solve(z3.Not(terms[a.key]))
        if answer.status == "unsat":
            valid.add(a.key)
            out.append(for_rules("C016", f"aturan {a.rule.id} selalu terpenuhi",
                                 f"rule {a.rule.id} passes for every candidate: it decides nothing",
                                 [a.rule], policy, periods=(when,)))
    groups = {c.key: space.group(c.keys) for c in live}
    masked: dict[tuple[str, str], bool] = {}
    for a, b in itertools.permutations(live, 2):
        if a.rule.id == b.rule.id or a.key in valid or b.key in valid:
            continue
        if not targets_of.get(a.key) or not targets_of[a.key] <= targets_of.get(b.key, set()):
            continue
        if not groups[a.key] & groups[b.key]:
            continue
        answer = space.solve(terms[b.key], z3.Not(terms[a.key]))
        if answer.status == "unsat":
            masked[(a.key, b.key)] = True
        elif answer.status == "unknown":
            out.append(_undecided(f"is {a.rule.id} masked by {b.rule.id}",
                                      f"apakah {a.rule.id} tertutup oleh {b.rule.id}", answer.reason, [a, b], policy, when))
    said: set[frozenset] = set()
    for (ak, bk) in masked:
        a, b = plan.checks[ak], plan.checks[bk]
        pair = frozenset((a.rule.id, b.rule.id))
        if pair in said:
            continue
        said.add(pair)
        # where it holds: the decisions of every check of the one rule masked by a check of the other
        at, pada, there = _where(policy, plan, targets_of, a.rule.id, [
            t for x, y in masked if (plan.checks[x].rule.id, plan.checks[y].rule.id) == (a.rule.id, b.rule.id)
            for t in targets_of[x]])
        if (bk, ak) in masked:  # the same candidates pass both: the later one is the repeat
            first, later = sorted((a, b), key=lambda c: (c.rule.where.file, c.rule.where.line or 0))
            out.append(for_rules("C012", f"aturan {later.rule.id} sama dengan {first.rule.id}{pada}",
                                 f"rule {later.rule.id} passes exactly when {first.rule.id} does{at}: one of them is "
                                 f"a repeat and never decides an outcome{there}", [later.rule, first.rule], policy,
                                 periods=(when,)))
        else:
            out.append(for_rules(
                "C012", f"aturan {a.rule.id} tertutup oleh {b.rule.id}{pada}",
                f"rule {a.rule.id} is masked by {b.rule.id}{at}: whenever {b.rule.id} passes, {a.rule.id} passes "
                f"too, on the same decisions, so it never decides an outcome{there}", [a.rule, b.rule], policy,
                periods=(when,)))
    return out


def _where(policy: Policy, plan: Plan, targets_of: dict, rule_id: str, targets) -> tuple[str, str, str]:
    """Where a finding about a rule holds (" at route/level, ...", " hanya pada ...", and " there" for
    the end of the English) when ``targets`` are not every decision the rule takes part in (a gap in
    a table's ranges can hide a rule at one level only); else nothing: it holds wherever the rule applies."""
    every = {t for k, c in plan.checks.items() if c.rule.id == rule_id for t in targets_of.get(k, ())}
    if set(targets) >= every:
        return "", "", ""
    rank = {lv: i for i, lv in enumerate(policy.levels)}
    named = ", ".join(f"{r}/{lv}" for r, lv in sorted(set(targets), key=lambda t: (t[0], rank.get(t[1], -1), t[1])))
    return f" at {named}", f" hanya pada {named}", " there"


def _redundant(policy: Policy, plan: Plan, space: Space, terms: dict, targets_of: dict, dead: set, when: str,
               earlier: list[Finding]) -> list[Finding]:
    """C012 too: a rule that two or more other rules of each route and level it belongs to imply
    together (no single one does: that is masking, said above), so it never decides an outcome."""
    said = {r for f in earlier if f.code in ("C012", "C016") for r in f.rules[:1]}
    pairs = {frozenset(f.rules[:2]) for f in earlier if f.code == "C012"}
    out = []
    implied: dict[str, list] = {}  # rule id -> (its check, the cores of the rules that imply it) per check
    for key, check in plan.checks.items():
        if key in dead or date_only(check) or check.rule.id in said or not targets_of.get(key):
            continue
        cores = []
        for target in targets_of[key]:
            others = [k for k in plan.targets[target] if k != key and k not in dead and not date_only(plan.checks[k])]
            if any(k in dead for k in plan.targets[target]) or not others:
                cores = []
                break
            answer = space.solve(*[terms[k] for k in others], z3.Not(terms[key]))
            if answer.status != "unsat" or space.solve(*[terms[k] for k in others]).status != "sat":
                cores = []  # (others that cannot pass together are a contradiction, said as C011)
                break
            cores.append(_core(space, [(k, terms[k]) for k in others] + [("¬", z3.Not(terms[key]))]))
        if not cores:
            continue
        by = list(dict.fromkeys(plan.checks[k].rule.id for core in cores for k in core if k != "¬"))
        if len(by) < 2 or any(frozenset((check.rule.id, b)) in pairs for b in by):
            continue  # (a pair already said between this rule and one of them is the finding)
        implied.setdefault(check.rule.id, []).append((key, cores))
    for rule_id, found in implied.items():  # one finding per rule, naming where it holds
        core = [k for _, cores in found for c in cores for k in c if k != "¬"]
        by = list(dict.fromkeys(plan.checks[k].rule.id for k in core))
        at, pada, there = _where(policy, plan, targets_of, rule_id, [t for key, _ in found for t in targets_of[key]])
        out.append(for_rules(
            "C012", f"aturan {rule_id} tertutup oleh {', '.join(by)} bersama-sama{pada}",
            f"rule {rule_id} is implied by {', '.join(by)} together{at}: whenever they pass it passes too, on "
            f"the same decisions, so it never decides an outcome{there}",
            [plan.checks[found[0][0]].rule] + [plan.checks[k].rule for k in core], policy, periods=(when,)))
    return out


def better_keys(policy: Policy, keys) -> list[tuple[str, str]]:
    """The fact keys whose vocabulary declares which way is better, with that way; and numeric
    fields that every test and property of the policy bounds the same way (see _regulation)."""
    from ._regulation import inferred_directions
    inferred = inferred_directions(policy)
    out = []
    for key in sorted(keys):
        field = policy.fields[key.split("__")[0]]
        vocab = policy.vocabularies.get(field.scale) if field.kind == "ordered" else None
        if vocab is not None and vocab.better in ("higher", "lower"):
            out.append((key, vocab.better))
        elif field.name in inferred:
            out.append((key, inferred[field.name]))
    return out


def _monotone(policy: Policy, plan: Plan, space: Space, target: tuple[str, str], keys, terms: dict,
              confirm: Confirmer, when: str, earlier: list[Finding]) -> list[Finding]:
    """C041 (monotonicity), once per rule and field: the first route and level where it shows gives the case."""
    out = []
    checks = [plan.checks[k] for k in keys]
    read = set().union(*(c.keys for c in checks))
    said = {f.topic for f in earlier if f.topic[:1] == ("C041",)}
    for key, way in better_keys(policy, read):
        if any(t[1] == key.split("__")[0] and set(t[2]) <= {c.rule.id for c in checks
                                                              if key in c.keys} for t in said):
            continue
        twin = space.copy_key(key)
        old, new = space.vars[key], space.vars[twin]
        after = {k: space.term(plan.checks[k].condition, {key: twin}) for k in keys}
        fails_after = z3.Not(z3.And(*after.values()))
        step = new == old + 1 if way == "higher" else new == old - 1  # the smallest improvement first
        answer = space.solve(*[terms[k] for k in keys], step, fails_after)
        if answer.status != "sat":
            answer = space.solve(*[terms[k] for k in keys], new > old if way == "higher" else new < old,
                                 fails_after)
        if answer.status == "unknown":
            out.append(_undecided(f"is {target[0]}/{target[1]} monotone in {key}",
                                      f"apakah {target[0]}/{target[1]} monoton pada {key}", answer.reason, checks,
                                  policy, when))
            continue
        if answer.status != "sat":
            continue
        model = answer.model
        failed = [plan.checks[k] for k in keys if model.get(twin) is not None
                  and _fails(plan.checks[k], model, key, twin)]
        field = policy.fields[key.split("__")[0]]
        if field.kind == "ordered":
            scale = policy.scales[field.scale]
            name = lambda r, s=scale: min((n for n, v in s.items() if v == r), default=str(r))  # noqa: E731
        else:
            name = lambda r, f=field: str(decode(f, r))  # noqa: E731
        route, level = target
        before_case, _ = confirm.show(model, plan.period.valid_from, target, "eligible",
                                      f"eligible with {field.name} {name(model[key])}")
        changed = {**model, key: model[twin]}
        after_case, _ = confirm.show(changed, plan.period.valid_from, target, "not_eligible",
                                     f"not eligible with a better {field.name} ({name(model[twin])})")
        cases = tuple(c for c in (before_case, after_case) if c is not None) if before_case and after_case else ()
        if before_case and after_case:  # the expectation of a correct policy: still eligible
            cases = (before_case, {**after_case, "name": f"still eligible with a better {field.name}",
                                   "expected": {f"{route}/{level}": "eligible"}})
        culprits = [c.rule for c in failed] or [c.rule for c in checks]
        if not cases:  # the facts may be ones no record has (a relation the solver does not know): not a defect yet
            out.append(for_rules(
                "C099", f"tidak dapat diputuskan: monotonisitas {', '.join(r.id for r in culprits)} pada {field.name}",
                f"undecided: rule {', '.join(r.id for r in culprits)} looks not monotone in {field.name} at "
                f"{route}/{level} ({field.name} {name(model[key])} -> {name(model[twin])}), but no candidate record "
                "built from those facts shows it on the engine", culprits, policy, severity="undecided",
                periods=(when,), topic=("C041?", field.name, tuple(r.id for r in culprits))))
            continue
        out.append(for_rules(
            "C041", f"sifat 'monotonicity' dilanggar: aturan {', '.join(r.id for r in culprits)} tidak monoton "
            f"pada {field.name}",
            f"monotonicity is broken: rule {', '.join(r.id for r in culprits)} is not monotone in {field.name}: at "
            f"{route}/{level} a candidate eligible with {field.name} {name(model[key])} is not eligible after a "
            f"{way} {field.name} ({name(model[twin])}); "
            f"{'the vocabulary says' if field.kind == 'ordered' else 'every other test of it says'} {way} is better",
            culprits, policy,
            cases=cases, periods=(when,), topic=("C041", field.name, tuple(r.id for r in culprits))))
    return out


def _fails(check: Check, model: dict, key: str, twin: str) -> bool:
    """Whether ``check`` fails on the solver's facts with ``key`` changed (texts are their names)."""
    fact = {k: v for k, v in model.items() if "'" not in k}
    fact[key] = model[twin]
    return evaluate(check.condition, fact) is False


def formation_conflicts(policy: Policy, plan: Plan, bounds, when: str) -> list[Finding]:
    out = []
    if not plan.checks:
        return out
    space = Space(policy, plan)
    for a, b in itertools.combinations(plan.checks.values(), 2):
        lows = [x.value for x in bounds[a.key] + bounds[b.key] if x.op == "ge"]
        highs = [x.value for x in bounds[a.key] + bounds[b.key] if x.op == "le"]
        if not (lows and highs and max(lows) > min(highs)):
            continue
        answer = space.solve(space.passes(a), space.passes(b))
        if answer.status == "sat":
            out.append(for_rules("C013", f"aturan formasi {a.rule.id} dan {b.rule.id} bertentangan",
                                 f"formation rules {a.rule.id} and {b.rule.id} can apply together and ask a need "
                                 f"of at least {max(lows)} and at most {min(highs)}", [a.rule, b.rule], policy,
                                 periods=(when,)))
        elif answer.status == "unknown":
            out.append(_undecided(f"can {a.rule.id} and {b.rule.id} apply together",
                                      f"dapatkah {a.rule.id} dan {b.rule.id} berlaku bersamaan", answer.reason, [a, b],
                                  policy, when))
    return out
