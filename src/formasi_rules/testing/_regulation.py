"""Invariants a regulation's tables and rules should have, found through what the rules read
(never through rule or position names), checked on every period:

- C020 a minimum read per level (``at_least``/``above`` a per-level table) that falls as the level rises;
- C021 / C022 ranges per level (a rule reading ``at_least`` one column and ``at_most``/``below``
  another of the same table on one field) that overlap / leave a gap between consecutive levels;
- C023 the threshold of a promotion to the next level below the threshold of a promotion within
  the level, at the level promoted from. A *step table* is a per-level table with a level-typed
  column that a rule compares the candidate's level with (``position_level: {equals: {table:
  level_steps, column: from_level}}``); its rules' route is the promotion to a level; a route
  whose rule compares the same field with ``{this: level}`` stays within the level;
- C024 a step that does not come from the level just below (in the vocabulary's order, within the
  level's category): a level promoted from itself, or skipping one;
- C025 values of an ordered vocabulary that rank equal although a table keyed by that vocabulary
  gives them different values (the tie is an edit, not a declared equality);
- C015 a test whose direction contradicts the column it reads (``at_most`` a ``min_…`` column,
  ``at_least`` a ``max_…`` one), or one test of a field against every other test of that field in
  the policy (two or more lower bounds and this one upper bound, or the reverse);
- C026 a title that states a number none of the values the rule reads has (a cell in any period,
  a literal, a number of years a field it reads is taken over).
"""

from __future__ import annotations

import re
from typing import Any

from .._text import Text
from ..engine._plan import periods
from ..policy import All, AnyOf, Literal, Not, Policy, TableRef, Test, ThisLevel
from ..policy import _derivations as d
from ._amend import Amendment, reversed_test
from ._findings import Finding, period_text

LOWER = ("at_least", "above")
UPPER = ("at_most", "below")


def tests_of(cond, negated: bool = False):
    """Every test in a condition, with whether it sits under an odd number of ``not``."""
    if isinstance(cond, (All, AnyOf)):
        for c in cond.items:
            yield from tests_of(c, negated)
    elif isinstance(cond, Not):
        yield from tests_of(cond.item, not negated)
    elif isinstance(cond, Test):
        yield cond, negated


def _rank(policy: Policy, table, column: str, value):
    kind = table.columns[column]
    return policy.scales[kind][value] if kind in policy.scales else value


def _cite(policy, rule):
    return (rule.citation.to_dict(policy),)


def _candidate_rules(policy: Policy):
    return [r for r in policy.rules if r.subject == "candidate"]


def _pairs(policy: Policy, rows: list) -> list[tuple]:
    """Consecutive items of ``rows`` (``(level, ...)`` in level order) that are one step apart on
    the same ladder: levels rise within a category (keterampilan, keahlian), not across them."""
    vocab = policy.vocabularies.get("level")
    category = (lambda lv: vocab.categories.get(lv)) if vocab else (lambda lv: None)
    by: dict = {}
    for item in rows:
        by.setdefault(category(item[0]), []).append(item)
    return [pair for ladder in by.values() for pair in zip(ladder, ladder[1:], strict=False)]


def ordering(policy: Policy) -> list[Finding]:
    out = []
    seen = set()
    for rule in _candidate_rules(policy):
        for test, neg in tests_of(rule.condition):
            ref = test.value
            if neg or test.op not in LOWER or not isinstance(ref, TableRef):
                continue
            table = policy.tables[ref.table]
            if table.key != "level":
                continue
            for period in periods(policy):
                rows = [(lv, table.row(lv, period.valid_from)) for lv in policy.levels]
                rows = [(lv, r) for lv, r in rows if r is not None and r.values.get(ref.column) is not None]
                for (lo_lv, lo), (hi_lv, hi) in _pairs(policy, rows):
                    if _rank(policy, table, ref.column, hi.values[ref.column]) >= _rank(
                            policy, table, ref.column, lo.values[ref.column]):
                        continue
                    key = (ref.table, ref.column, hi_lv, hi.values[ref.column], lo.values[ref.column], period)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(Finding(
                        "C020", f"tabel {table.name}: {hi_lv} meminta lebih sedikit dari {lo_lv}",
                        f"table {table.name}, column {ref.column}: {hi_lv} asks {hi.values[ref.column]}, less than "
                        f"{lo_lv} ({lo.values[ref.column]}); a higher level should not ask less (read by "
                        f"rule {rule.id} as a minimum)", (rule.id,), hi.where.file, hi.where.line,
                        _cite(policy, rule), periods=(period_text(period),)))
    return out


def ranges(policy: Policy) -> list[Finding]:
    out = []
    seen = set()
    for rule in _candidate_rules(policy):
        tests = [t for t, neg in tests_of(rule.condition) if not neg and isinstance(t.value, TableRef)]
        for lo in (t for t in tests if t.op == "at_least"):
            for hi in (t for t in tests if t.op in UPPER):
                if lo.field != hi.field or lo.value.table != hi.value.table:
                    continue
                table = policy.tables[lo.value.table]
                if table.key != "level":
                    continue
                shrink = 1 if hi.op == "below" else 0
                for period in periods(policy):
                    spans = [(lv, table.row(lv, period.valid_from)) for lv in policy.levels]
                    spans = [(lv, _rank(policy, table, lo.value.column, r.values[lo.value.column]),
                              _rank(policy, table, hi.value.column, r.values[hi.value.column]), r)
                             for lv, r in spans if r is not None]
                    for (a, a_lo, a_hi, a_row), (b, b_lo, b_hi, row) in _pairs(policy, spans):
                        if shrink:  # "below max": the ranges are read with the top excluded
                            continue
                        if b_lo <= a_hi:
                            code, what, kata = "C021", "overlaps", "tumpang tindih dengan"
                        elif b_lo > a_hi + 1:
                            code, what, kata = "C022", "leaves a gap after", "menyisakan celah setelah"
                        else:
                            continue
                        if (code, table.name, a, b, rule.id, period) in seen:
                            continue
                        seen.add((code, table.name, a, b, rule.id, period))
                        out.append(Finding(code, f"tabel {table.name}: rentang {b} {kata} rentang {a}",
                                           f"table {table.name}: the range of {b} {what} the range of {a}",
                                           (rule.id,), row.where.file, row.where.line, _cite(policy, rule),
                                           periods=(period_text(period),),
                                           fix=_range_fix(policy, table, lo.value.column, hi.value.column,
                                                          (a, a_lo, a_row), (b, b_hi, row), code == "C021")))
    return out


# C021 (overlap) / C022 (gap): what to do, how the two cells stand, and the verbs that move the upper
# range's bottom and the lower range's top
_RANGE_WORDS = {
    True: (Text("akhiri satu rentang sebelum rentang berikutnya dimulai", "make one range end before the next begins"),
           Text("tidak di atas", "is not above"), Text("naikkan", "raise"), Text("turunkan", "lower")),
    False: (Text("mulai rentang berikutnya tepat setelah rentang di bawahnya berakhir",
                 "make the next range begin where the one below ends"),
            Text("lebih dari satu langkah di atas", "is more than one step above"), Text("turunkan", "lower"),
            Text("naikkan", "raise")),
}


def _range_fix(policy: Policy, table, lo_col: str, hi_col: str, below: tuple, above: tuple, overlap: bool) -> Text:
    """How to fix C021 / C022: the two cells that meet wrongly, each at its row, and the values that
    make the upper range begin just after the lower one ends; never one that would leave either
    range empty (``below`` is the lower level, its bottom's rank and row; ``above`` the upper
    level, its top's rank and row)."""
    (a, a_lo, a_row), (b, b_hi, b_row) = below, above
    top, start = a_row.values[hi_col], b_row.values[lo_col]
    at_a, at_b = _row_at(a_row), _row_at(b_row)
    after, before = _step(policy, table, hi_col, top, +1), _step(policy, table, lo_col, start, -1)
    if overlap:
        if before is not None and _rank(policy, table, lo_col, before) < a_lo:
            before = None  # lowering the top of the range below would leave it empty
        if after is not None and _rank(policy, table, hi_col, after) > b_hi:
            after = None  # raising the bottom of the range above past its top would leave it empty
    what, stand, move_b, move_a = _RANGE_WORDS[overlap]
    en = f"{what.en}: {b}'s {lo_col} {start} ({at_b}) {stand.en} {a}'s {hi_col} {top} ({at_a})"
    id_ = f"{what.id}: {lo_col} {b} {start} ({at_b}) {stand.id} {hi_col} {a} {top} ({at_a})"
    said = [(f"{move.en} {level}'s {column} to {value}", f"{move.id} {column} {level} menjadi {value}")
            for move, level, column, value in ((move_b, b, lo_col, after), (move_a, a, hi_col, before))
            if value is not None]
    if said:
        en += "; " + ", or ".join(e for e, _ in said)
        id_ += "; " + ", atau ".join(i for _, i in said)
    return Text(id_, en)


def _row_at(row) -> str:
    return f"{row.where.file}:{row.where.line}" if row.where and row.where.line else (row.where.file or "?")


def _step(policy: Policy, table, column: str, value, direction: int):
    """The value next to ``value`` on the column's scale (+1 above, -1 below), or for a number one
    more or less (as C022 counts a gap); None where there is none."""
    kind = table.columns[column]
    if kind in policy.scales:
        scale = policy.scales[kind]
        rank = scale[value]
        others = [(r, v) for v, r in scale.items() if (r - rank) * direction > 0]
        return (min(others) if direction > 0 else max(others))[1] if others else None
    return value + direction


def _step_tables(policy: Policy):
    """(rule, test) pairs comparing a level-typed field with a level-typed column of a per-level table."""
    out = []
    for rule in _candidate_rules(policy):
        for test, neg in tests_of(rule.condition):
            ref = test.value
            if neg or test.op != "equals" or not isinstance(ref, TableRef):
                continue
            table = policy.tables[ref.table]
            field = policy.fields.get(test.field)
            if table.key == "level" and table.columns.get(ref.column) == "level" and field is not None \
                    and field.scale == "level":
                out.append((rule, test))
    return out


def _level_below(policy: Policy, level: str) -> str | None:
    vocab = policy.vocabularies["level"]
    category = vocab.categories.get(level)
    order = [lv for lv in policy.levels if vocab.categories.get(lv) == category]
    i = order.index(level) if level in order else -1
    return order[i - 1] if i > 0 else None


def steps(policy: Policy) -> list[Finding]:
    out, seen = [], set()
    for rule, test in _step_tables(policy):
        table = policy.tables[test.value.table]
        for period in periods(policy):
            for lv in policy.levels:
                if not any(lv in rule.levels and r in policy.routes and lv in policy.routes[r].levels
                           for r in rule.routes):
                    continue
                row = table.row(lv, period.valid_from)
                if row is None:
                    continue
                got, want = row.values.get(test.value.column), _level_below(policy, lv)
                if got == want or (table.name, lv, got, period) in seen:
                    continue
                seen.add((table.name, lv, got, period))
                why = "itself" if got == lv else (f"{got}, not the level just below ({want})" if want
                                                  else f"{got}, although no level is below it")
                out.append(Finding("C024", f"tabel {table.name}: {lv} dinaikkan dari {got}",
                                   f"table {table.name}: promotion to {lv} comes from {why} (read by rule {rule.id})",
                                   (rule.id,), row.where.file, row.where.line, _cite(policy, rule),
                                   periods=(period_text(period),)))
    return out


def promotion_thresholds(policy: Policy) -> list[Finding]:
    """C023: at a level, the threshold to go up a level is at least the one to go up within it."""
    out, seen = [], set()
    stepping = _step_tables(policy)
    if not stepping:
        return out
    within_routes = set()
    for rule in _candidate_rules(policy):
        for test, neg in tests_of(rule.condition):
            if not neg and test.op == "equals" and isinstance(test.value, ThisLevel) \
                    and any(test.field == t.field for _, t in stepping):
                within_routes |= set(rule.routes)
    for step_rule, step_test in stepping:
        up_routes = set(step_rule.routes)
        minima = _minima(policy)
        for field, (table_a, col_a, rule_a) in ((f, x) for f, xs in minima.items() for x in xs
                                                 if set(x[2].routes) & up_routes):
            for table_b, col_b, rule_b in minima[field]:
                if not (set(rule_b.routes) & within_routes) or set(rule_b.routes) & up_routes:
                    continue
                steps_table = policy.tables[step_test.value.table]
                for period in periods(policy):
                    day = period.valid_from
                    for lv in policy.levels:
                        srow, arow = steps_table.row(lv, day), policy.tables[table_a].row(lv, day)
                        if srow is None or arow is None:
                            continue
                        below = srow.values.get(step_test.value.column)
                        brow = policy.tables[table_b].row(below, day) if below in policy.levels else None
                        if brow is None or arow.values.get(col_a) is None or brow.values.get(col_b) is None:
                            continue
                        up, within = arow.values[col_a], brow.values[col_b]
                        if up >= within or (table_a, lv, up, within, period) in seen:
                            continue
                        seen.add((table_a, lv, up, within, period))
                        out.append(Finding(
                            "C023", f"tabel {table_a}: naik ke {lv} meminta lebih sedikit dari naik dalam {below}",
                            f"table {table_a}: promotion to {lv} asks {field} {up}, less than {within} that a "
                            f"promotion within {below} asks ({table_b}); at {below}, going up a level should not "
                            f"ask less (rules {rule_a.id} and {rule_b.id})", (rule_a.id, rule_b.id),
                            arow.where.file, arow.where.line, _cite(policy, rule_a),
                            periods=(period_text(period),)))
    return out


def _minima(policy: Policy) -> dict[str, list]:
    out: dict[str, list] = {}
    for rule in _candidate_rules(policy):
        for test, neg in tests_of(rule.condition):
            ref = test.value
            if not neg and test.op in LOWER and isinstance(ref, TableRef) and policy.tables[ref.table].key == "level":
                item = (ref.table, ref.column, rule)
                if item not in out.setdefault(test.field, []):
                    out[test.field].append(item)
    return out


def scale_ties(policy: Policy) -> list[Finding]:
    out = []
    for name, scale in policy.scales.items():
        for table in policy.tables.values():
            if table.key != name:
                continue
            rows = {r.key: r for r in table.rows}
            for a in scale:
                for b in scale:
                    if a >= b or scale[a] != scale[b] or a not in rows or b not in rows:
                        continue
                    if rows[a].values != rows[b].values:
                        out.append(Finding(
                            "C025", f"skala {name}: {a} dan {b} berperingkat sama, tetapi tabel {table.name} "
                            "membedakannya",
                            f"vocabulary {name}: {a} and {b} rank equal ({scale[a]}), yet table {table.name} gives "
                            f"them different values: a rule comparing {name} treats them alike, the table does not",
                            (), *_vocab_place(policy, name, b), ()))
    return out


def _vocab_place(policy: Policy, name: str, value: str) -> tuple[str | None, int | None]:
    """The policy.yaml of the layer that declared a vocabulary, and the line of one of its values."""
    from pathlib import Path
    layer = policy.vocabularies[name].layer
    where = next((r.where.file for r in policy.rules if r.layer == layer and r.where and r.where.file), None)
    if where is None:
        return "policy.yaml", None
    path = Path(where).parent.parent / "policy.yaml"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return str(path), None
    start = next((i for i, line in enumerate(lines) if line.strip() == f"{name}:"), 0)
    line = next((i + 1 for i, text in enumerate(lines) if i >= start and text.strip().startswith(f"{value}:")), None)
    return str(path), line


def scale_order(policy: Policy) -> list[Finding]:
    """C025 too: an ordered vocabulary whose ranks go down somewhere in the order it is written."""
    out = []
    for name, vocab in policy.vocabularies.items():
        if not vocab.ordered:
            continue
        ranks = [(v, vocab.ranks.get(v)) for v in vocab.values]
        for (a, ra), (b, rb) in zip(ranks, ranks[1:], strict=False):
            if ra is not None and rb is not None and rb < ra:
                out.append(Finding(
                    "C025", f"skala {name}: {b} ditulis setelah {a} tetapi berperingkat lebih rendah",
                    f"vocabulary {name}: {b} is written after {a} but ranks lower ({rb} < {ra}); values are "
                    "listed lowest first", (), *_vocab_place(policy, name, b), ()))
    return out


def directions(policy: Policy) -> list[Finding]:
    out, votes = _votes(policy)
    for field, items in votes.items():
        lows = [x for x in items if x[0]]
        highs = [x for x in items if not x[0]]
        for few, many in ((lows, highs), (highs, lows)):
            if len(few) == 1 and len(many) >= 2 and few[0][1] is not None:
                _, rule, test = few[0]
                where = test.where or rule.where
                out.append(Finding(
                    "C015", f"aturan {rule.id}: arah uji {field} berlawanan dengan aturan lain",
                    f"rule {rule.id} tests {field} {test.op}: {'a lower' if few is lows else 'an upper'} bound, where "
                    f"{len(many)} other tests and properties of the policy bound {field} from "
                    f"{'above' if few is lows else 'below'}", (rule.id,), where.file, where.line, _cite(policy, rule),
                    topic=("C015", field, rule.id, "majority"), amend=_amend(reversed_test(rule, test))))
    return out


def inferred_directions(policy: Policy) -> dict[str, str]:
    """Numeric fields every test and property of the policy bounds one way (two or more of them):
    'higher' is better for a field only ever bounded from below, 'lower' for one bounded from above."""
    _, votes = _votes(policy)
    out = {}
    for field, items in votes.items():
        f = policy.fields.get(field)
        if f is None or f.kind != "number" or len(items) < 2:
            continue
        ways = {x[0] for x in items}
        if len(ways) == 1:
            out[field] = "higher" if ways == {True} else "lower"
    return out


def _votes(policy: Policy):
    out = []
    votes: dict[str, list] = {}
    for rule in _candidate_rules(policy):
        tests = list(tests_of(rule.condition))
        ranged = _ranged(rule.condition)
        for test, neg in tests:
            ref = test.value
            if test.op in ("equals", "not_equals") and isinstance(ref, TableRef) \
                    and ref.column.startswith(("min_", "max_")):
                what = "minimum" if ref.column.startswith("min_") else "maximum"
                out.append(Finding(
                    "C015", f"aturan {rule.id}: {test.field} {test.op} kolom {ref.column}",
                    f"rule {rule.id} tests {test.field} {test.op} {ref.table}.{ref.column}: a {what} compared "
                    f"for {'equality' if test.op == 'equals' else 'inequality'}, not as a bound", (rule.id,),
                    (test.where or rule.where).file, (test.where or rule.where).line, _cite(policy, rule),
                    topic=("C015", test.field, rule.id),
                    amend=(Amendment(rule.id, test, "at_least" if what == "minimum" else "at_most"),)))
                continue
            if test.op not in LOWER + UPPER:
                continue
            field = policy.fields.get(test.field)
            if field is None or field.kind == "date":
                continue
            lower = (test.op in LOWER) != neg
            ref = test.value
            if isinstance(ref, TableRef):
                col = ref.column
                if (col.startswith("min_") and not lower) or (col.startswith("max_") and lower):
                    out.append(Finding(
                        "C015", f"aturan {rule.id}: {test.field} {test.op} kolom {col}",
                        f"rule {rule.id} tests {test.field} {test.op} {ref.table}.{col}: a "
                        f"{'minimum' if col.startswith('min_') else 'maximum'} read as "
                        f"{'an upper' if not lower else 'a lower'} bound", (rule.id,),
                        (test.where or rule.where).file, (test.where or rule.where).line, _cite(policy, rule),
                        topic=("C015", test.field, rule.id), amend=_amend(reversed_test(rule, test))))
                    continue
            if id(test) not in ranged:  # both ways in one conjunction is a range: no vote
                votes.setdefault(test.field, []).append((lower, rule, test))
    for prop in policy.properties:  # "when FIELD above N, never eligible": FIELD is limited from above
        if prop.never and prop.outcome == "eligible":
            for test, neg in tests_of(prop.rule.condition):
                if test.op in LOWER + UPPER:
                    votes.setdefault(test.field, []).append(((test.op in UPPER) != neg, None, test))
    return out, votes


def _amend(amendment: Amendment | None) -> tuple[Amendment, ...]:
    return (amendment,) if amendment is not None else ()


def _ranged(cond) -> set[int]:
    """The tests (by id) that bound a field both ways together with another test of the same
    conjunction (``between``, ``at_least`` and ``below`` in one requirement)."""
    out: set[int] = set()

    def conj(c) -> list:
        if isinstance(c, All):
            return [t for x in c.items for t in conj(x)]
        return [c] if isinstance(c, Test) else []

    def visit(c):
        if isinstance(c, (All, AnyOf)):
            if isinstance(c, All):
                group = [t for t in conj(c) if t.op in LOWER + UPPER]
                for t in group:
                    if any(u.field == t.field and (u.op in LOWER) != (t.op in LOWER) for u in group):
                        out.add(id(t))
            for x in c.items:
                visit(x)
        elif isinstance(c, Not):
            visit(c.item)

    visit(cond)
    return out


NUMBER = re.compile(r"(?<![\w/.,])(\d+(?:[.,]\d+)?)(?![\w/]|[.,]\d)")


def _numbers(text: str) -> set:
    out = set()
    for m in NUMBER.finditer(text or ""):
        try:
            out.add(float(m.group(1).replace(",", ".")))
        except ValueError:
            pass
    return out


def _values_read(policy: Policy, rule) -> set:
    out: set = set()
    for test, _ in tests_of(rule.condition):
        value = test.value
        if isinstance(value, Literal):
            raw = value.value if isinstance(value.value, tuple) else (value.value,)
            out |= {float(v) for v in raw if isinstance(v, (int, float)) or _decimal(v)}
        elif isinstance(value, TableRef):
            for row in policy.tables[value.table].rows:
                cell = row.values.get(value.column)
                if _decimal(cell) or isinstance(cell, (int, float)):
                    out.add(float(cell))
        field = policy.fields.get(test.field)
        node = field.derive if field is not None else None
        if isinstance(node, d.OverYears):
            out.add(float(node.years))
    return out


def _decimal(v: Any) -> bool:
    from decimal import Decimal
    return isinstance(v, Decimal) and not isinstance(v, bool)


def titles(policy: Policy) -> list[Finding]:
    out = []
    rules = list(_candidate_rules(policy))
    for rule in rules:
        stated = _numbers(rule.title.en) | _numbers(rule.title.id)
        if not stated:
            continue
        if not any(isinstance(t.value, TableRef) for t, _ in tests_of(rule.condition)):
            continue  # a title describes the cells a rule reads; a literal is in the rule itself
        known = _values_read(policy, rule)
        wrong = sorted(n for n in stated if n not in known)
        if wrong and known:
            shown = ", ".join(f"{n:g}" for n in wrong)
            out.append(Finding(
                "C026", f"judul aturan {rule.id} menyebut {shown}, yang tidak ada pada nilai yang dibacanya",
                f"the title of rule {rule.id} states {shown}, which none of the values it reads has "
                f"({', '.join(f'{n:g}' for n in sorted(known))}): the title and the table disagree",
                (rule.id,), rule.where.file, rule.where.line, _cite(policy, rule)))
    return out


def regulation_findings(policy: Policy) -> list[Finding]:
    return (ordering(policy) + ranges(policy) + promotion_thresholds(policy) + steps(policy)
            + scale_ties(policy) + scale_order(policy) + directions(policy) + titles(policy))
