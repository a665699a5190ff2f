"""``load_policy``: read a policy folder, validate every file, build a :class:`Policy`.

A policy folder holds ``policy.yaml`` (name, levels, routes, sources, scales),
``tables/*.yaml`` (thresholds) and ``rules/*.yaml`` (requirements). Every
problem in every file is collected and raised together as one PolicyError.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from .. import _vocab
from .._errors import InvalidArgument, PolicyError, Problem, suggest
from ._check import Reader
from ._conditions import parse_condition
from ._fields import FIELDS
from ._model import (
    AllocationSettings, Citation, CreditPointSettings, FormationSettings, Period, Property, Policy, Route, Rule, Source, Table, TableRow,
)
from ._typecheck import check_settings, typecheck_rule, typecheck_tables
from ._yaml import load_yaml

ID_PATTERN = r"[a-z0-9][a-z0-9_.\-]*"
CONFIDENCE = ("P", "S", "C", "I")
TABLE_KEYS = ("level", "rating", "activity", "period", "band", "none")


def load_policy(path: str | os.PathLike) -> Policy:
    """Load and validate the policy in folder ``path``; raise PolicyError listing every problem.

    >>> policy = load_policy("policies/pengantar_kerja")   # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"load_policy() takes a folder path, got {type(path).__name__}")
    root = Path(path)
    if not (root / "policy.yaml").is_file():
        raise PolicyError([Problem(
            "P000", f"folder kebijakan tidak berisi policy.yaml: {root}",
            f"not a policy folder (no policy.yaml in it): {root}", file=str(root),
            hint="point at a folder such as policies/pengantar_kerja")])
    files = [root / "policy.yaml"] + sorted((root / "tables").glob("*.yaml")) + sorted(
        (root / "rules").glob("*.yaml"))
    return _Loader(root, files).load()


class _Loader:
    def __init__(self, root: Path, files: list[Path]):
        self.root = root
        self.files = files
        self.problems: list[Problem] = []
        # citations are checked against 'sources' once every file has been read
        self._pending_citations: list = []

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def load(self) -> Policy:
        docs = []
        for path in self.files:
            try:
                docs.append((self.display(path), load_yaml(path, self.display(path))))
            except PolicyError as exc:
                self.problems += exc.problems
        if self.problems:
            raise PolicyError(self.problems, "the policy files could not be read")

        head_file, head = docs[0]
        r = Reader(head_file)
        header = self._header(r, head)
        self.problems += r.problems
        tables: dict[str, Table] = {}
        rules: list[Rule] = []
        properties: list[Property] = []
        for file, doc in docs[1:]:
            r = Reader(file)
            is_table_file = "/tables/" in "/" + file.replace(os.sep, "/")
            if is_table_file:
                if r.mapping({0: doc}, 0, file) is not None and r.keys(doc, ("tables",), (), file):
                    self._tables(r, doc, tables)
            elif r.mapping({0: doc}, 0, file) is not None and r.keys(doc, (), ("rules", "properties"), file):
                if "rules" in doc:
                    self._rules(r, doc, rules)
                if "properties" in doc:
                    self._properties(r, doc, properties)
            self.problems += r.problems
        if header is None:  # nothing else can be checked without levels, scales and sources
            raise PolicyError(self.problems, f"{len(self.problems)} problem(s) in the policy")
        # what did parse is still cross-checked, so one run reports every problem
        self._crosscheck(header, tables, rules + [p.rule for p in properties])
        if self.problems:
            raise PolicyError(self.problems, f"{len(self.problems)} problem(s) in the policy")
        return Policy(tables=tables, rules=tuple(rules), root=str(self.root),
                      digest=self._digest(), properties=tuple(properties), **header)

    def _digest(self) -> str:
        h = hashlib.sha256()
        for path in self.files:
            h.update(path.relative_to(self.root).as_posix().encode() + b"\0")
            h.update(path.read_bytes() + b"\0")
        return "sha256:" + h.hexdigest()

    # --- policy.yaml ----------------------------------------------------------------------

    def _header(self, r: Reader, doc: Any) -> dict | None:
        if r.mapping({0: doc}, 0, "policy.yaml") is None:
            return None
        if not r.keys(doc, ("policy", "version", "title", "valid_from", "levels", "routes",
                            "sources", "scales", "credit_points"), ("valid_to", "note", "formation", "allocation"),
                      "policy.yaml"):
            return None
        name = r.string(doc, "policy", "policy", ID_PATTERN)
        version = doc["version"]
        if not isinstance(version, (str, int, float)):
            r.problem("P014", "version harus berupa teks", "version must be text", doc, "version")
        title = r.text(doc, "title", "title")
        coverage = Period(r.date(doc, "valid_from", "valid_from"),
                          r.date(doc, "valid_to", "valid_to") if "valid_to" in doc else None)
        levels = r.choices(doc, "levels", "levels", _vocab.LEVELS, allow_all=False)
        sources = self._sources(r, doc)
        scales = self._scales(r, doc, levels or ())
        routes = self._routes(r, doc, levels or ())
        credit = self._credit(r, doc)
        formation = self._formation(r, doc) if "formation" in doc else None
        allocation = self._allocation(r, doc) if "allocation" in doc else None
        if None in (name, title, levels, sources, scales, routes, credit) or r.problems:
            return None
        return dict(name=name, version=str(version), title=title, coverage=coverage,
                    levels=levels, routes=routes, sources=sources, scales=scales,
                    credit_points=credit, formation=formation, allocation=allocation)

    def _sources(self, r: Reader, doc: Any) -> dict[str, Source] | None:
        node = r.mapping(doc, "sources", "sources")
        if node is None:
            return None
        out = {}
        for key, spec in node.items():
            if r.mapping(node, key, f"source {key!r}") is None:
                continue
            if not r.keys(spec, ("title",), ("url", "confidence", "note"), f"source {key!r}"):
                continue
            conf = r.choice(spec, "confidence", "confidence", CONFIDENCE) if "confidence" in spec else None
            out[str(key)] = Source(str(key), r.string(spec, "title", "title") or "",
                                   spec.get("url"), conf, spec.get("note"))
        return out

    def _scales(self, r: Reader, doc: Any, levels: tuple[str, ...]) -> dict | None:
        node = r.mapping(doc, "scales", "scales")
        if node is None or not r.keys(node, tuple(_vocab.SCALED), (), "scales"):
            return None
        scales: dict[str, dict[str, int]] = {"level": {lv: i + 1 for i, lv in enumerate(levels)}}
        for name, values in _vocab.SCALED.items():
            spec = r.mapping(node, name, f"scale {name!r}")
            if spec is None:
                continue
            ranks = {}
            for value in spec:
                if value not in values:
                    r.choice(spec, value, f"value in scale {name!r}", values)  # records the problem
                elif isinstance(spec[value], bool) or not isinstance(spec[value], int):
                    r.problem("P020", f"peringkat {value!r} harus bilangan bulat",
                              f"the rank of {value!r} must be a whole number", spec, value)
                else:
                    ranks[str(value)] = int(spec[value])
            lacking = [v for v in values if v not in spec]
            if lacking:
                r.problem("P021", f"skala {name!r} tidak memuat: {', '.join(lacking)}",
                          f"scale {name!r} does not rank: {', '.join(lacking)}; every value needs a rank",
                          node, name)
            scales[name] = ranks
        return scales

    def _routes(self, r: Reader, doc: Any, levels: tuple[str, ...]) -> dict[str, Route] | None:
        node = r.mapping(doc, "routes", "routes")
        if node is None:
            return None
        out = {}
        for name in node:
            if name not in _vocab.ROUTES:
                r.problem("P019", f"jalur {name!r} tidak dikenal",
                          f"route {name!r} is not known; expected one of: {', '.join(_vocab.ROUTES)}",
                          node, name, hint=suggest(name, _vocab.ROUTES))
                continue
            spec = r.mapping(node, name, f"route {name!r}")
            if spec is None or not r.keys(spec, ("title", "levels"), ("note",), f"route {name!r}"):
                continue
            title = r.text(spec, "title", "title")
            lv = r.choices(spec, "levels", "levels", levels)
            if title and lv:
                out[str(name)] = Route(str(name), title, lv)
        return out

    def _credit(self, r: Reader, doc: Any) -> CreditPointSettings | None:
        node = r.mapping(doc, "credit_points", "credit_points")
        if node is None or not r.keys(node, ("coefficient_table", "multiplier_table", "decimals"),
                                      ("note",), "credit_points"):
            return None
        decimals = node["decimals"]
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 4:
            r.problem("P022", "decimals harus bilangan bulat 0 sampai 4",
                      "decimals must be a whole number from 0 to 4", node, "decimals")
            return None
        return CreditPointSettings(str(node["coefficient_table"]), str(node["multiplier_table"]),
                                   decimals)

    def _formation(self, r: Reader, doc: Any) -> FormationSettings | None:
        names = ("working_time_table", "choices_table", "periods_table", "activities_table")
        node = r.mapping(doc, "formation", "formation")
        if node is None or not r.keys(node, names, ("note",), "formation"):
            return None
        values = [r.string(node, n, n) for n in names]
        return None if None in values else FormationSettings(*values)

    def _allocation(self, r: Reader, doc: Any) -> AllocationSettings | None:
        node = r.mapping(doc, "allocation", "allocation")
        if node is None or not r.keys(node, ("routes", "order_by", "citation"), ("note",), "allocation"):
            return None
        routes = r.choices(node, "routes", "allocation routes", _vocab.ROUTES, allow_all=False)
        order = r.sequence(node, "order_by", "order_by")
        citation = self._citation(r, node)
        keys = []
        for i, item in enumerate(order or []):
            if r.mapping(order, i, "order_by entry") is None or not r.keys(item, ("field", "order"), (),
                                                                          "order_by entry"):
                continue
            field = r.choice(item, "field", "field", tuple(n for n, f in FIELDS.items()
                                                           if f.subject == "candidate" and f.ordered))
            direction = r.choice(item, "order", "order", ("ascending", "descending"))
            if field and direction:
                keys.append((field, direction == "descending"))
        if routes is None or order is None or citation is None:
            return None
        return AllocationSettings(routes, tuple(keys), citation, node.get("note"))

    # --- tables ---------------------------------------------------------------------------

    def _tables(self, r: Reader, doc: Any, tables: dict[str, Table]) -> None:
        node = r.mapping(doc, "tables", "tables")
        if node is None:
            return
        for name, spec in node.items():
            if name in tables:
                r.problem("P040", f"tabel {name!r} didefinisikan dua kali",
                          f"table {name!r} is defined twice", node, name)
                continue
            if r.mapping(node, name, f"table {name!r}") is None or not r.keys(
                    spec, ("title", "key", "columns", "rows"), ("citation", "note"),
                    f"table {name!r}"):
                continue
            key = r.choice(spec, "key", "key", TABLE_KEYS)
            columns = r.mapping(spec, "columns", "columns")
            rows_node = r.sequence(spec, "rows", "rows")
            title = r.text(spec, "title", "title")
            citation = self._citation(r, spec) if "citation" in spec else None
            if None in (key, columns, rows_node, title):
                continue
            cols = {str(c): str(t) for c, t in columns.items()}
            rows = []
            for i, row in enumerate(rows_node):
                if r.mapping(rows_node, i, f"row {i + 1} of table {name!r}") is None:
                    continue
                keycol = () if key == "none" else (key,)
                if not r.keys(row, keycol, (*cols, "valid_from", "valid_to", "citation", "note"),
                              f"row {i + 1} of table {name!r}"):
                    continue
                rows.append(TableRow(
                    key=None if key == "none" else str(row[key]),
                    values={c: row[c] for c in cols if c in row},
                    period=self._period(r, row),
                    citation=self._citation(r, row) if "citation" in row else None,
                    note=row.get("note"), where=r.at(rows_node, i)))
            tables[str(name)] = Table(str(name), title, None if key == "none" else key, cols,
                                      tuple(rows), citation, spec.get("note"), r.at(node, name))

    # --- rules ----------------------------------------------------------------------------

    def _rules(self, r: Reader, doc: Any, rules: list[Rule]) -> None:
        node = r.sequence(doc, "rules", "rules")
        if node is None:
            return
        for i, spec in enumerate(node):
            r.rule = spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str) else None
            if isinstance(spec, dict) and spec.get("subject") == "formation":
                self._formation_rule(r, node, i, rules)
                continue
            if r.mapping(node, i, f"rule {i + 1}") is None or not r.keys(
                    spec, ("id", "title", "routes", "require", "citation"),
                    ("levels", "valid_from", "valid_to", "note"), f"rule {r.rule or i + 1}"):
                continue
            rid = r.string(spec, "id", "id", ID_PATTERN)
            title = r.text(spec, "title", "title")
            routes = r.choices(spec, "routes", "routes", _vocab.ROUTES)
            levels = r.choices(spec, "levels", "levels", _vocab.LEVELS) if "levels" in spec else _vocab.LEVELS
            condition = parse_condition(r, spec, "require")
            citation = self._citation(r, spec)
            period = self._period(r, spec)
            if None in (rid, title, routes, levels, condition, citation):
                continue
            rules.append(Rule(rid, title, routes, levels, condition, citation, period,
                              spec.get("note"), r.at(node, i)))
        r.rule = None

    def _formation_rule(self, r: Reader, node: Any, i: int, rules: list[Rule]) -> None:
        """``subject: formation``: when ``when`` holds for a region and level, ``then`` bounds its need."""
        spec = node[i]
        if not r.keys(spec, ("id", "title", "subject", "when", "then", "citation"),
                      ("levels", "valid_from", "valid_to", "note"), f"formation rule {r.rule or i + 1}"):
            return
        rid = r.string(spec, "id", "id", ID_PATTERN)
        title = r.text(spec, "title", "title")
        levels = r.choices(spec, "levels", "levels", _vocab.LEVELS) if "levels" in spec else _vocab.LEVELS
        when = parse_condition(r, spec, "when")
        then = parse_condition(r, spec, "then")
        citation = self._citation(r, spec)
        period = self._period(r, spec)
        if None in (rid, title, levels, when, then, citation):
            return
        rules.append(Rule(rid, title, (), levels, when, citation, period, spec.get("note"),
                          r.at(node, i), subject="formation", then=then))

    def _properties(self, r: Reader, doc: Any, out: list[Property]) -> None:
        """``properties:``: invariants of the regulation that ``formasi check`` tests."""
        node = r.sequence(doc, "properties", "properties")
        for i, spec in enumerate(node or []):
            r.rule = spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str) else None
            if r.mapping(node, i, f"property {i + 1}") is None or not r.keys(
                    spec, ("id", "title", "route", "level", "when", "citation"), ("never", "always", "note"),
                    f"property {r.rule or i + 1}"):
                continue
            if ("never" in spec) == ("always" in spec):
                r.problem("P058", "sifat perlu tepat satu dari never / always",
                          "a property needs exactly one of 'never: OUTCOME' or 'always: OUTCOME'", node, i)
                continue
            which = "never" if "never" in spec else "always"
            pid = r.string(spec, "id", "id", ID_PATTERN)
            title = r.text(spec, "title", "title")
            route = r.choice(spec, "route", "route", _vocab.ROUTES)
            level = r.choice(spec, "level", "level", _vocab.LEVELS)
            outcome = r.choice(spec, which, which, ("eligible", "not_eligible", "undetermined"))
            when = parse_condition(r, spec, "when")
            citation = self._citation(r, spec)
            if None in (pid, title, route, level, outcome, when, citation):
                continue
            rule = Rule(pid, title, (route,), (level,), when, citation, Period(), spec.get("note"), r.at(node, i))
            out.append(Property(pid, rule, which == "never", outcome))
        r.rule = None

    def _citation(self, r: Reader, node: Any) -> Citation | None:
        spec = r.mapping(node, "citation", "citation")
        if spec is None or not r.keys(spec, ("source",), ("article", "confidence", "note"), "citation"):
            return None
        conf = r.choice(spec, "confidence", "confidence", CONFIDENCE) if "confidence" in spec else None
        source = r.string(spec, "source", "citation source")
        if source is None:
            return None
        cit = Citation(source, str(spec["article"]) if "article" in spec else None, conf, spec.get("note"))
        self._pending_citations.append((r.rule, cit, r.at(spec, "source")))
        return cit

    def _period(self, r: Reader, node: Any) -> Period:
        start = r.date(node, "valid_from", "valid_from") if "valid_from" in node else None
        end = r.date(node, "valid_to", "valid_to") if "valid_to" in node else None
        if start and end and end < start:
            r.problem("P023", "valid_to lebih awal dari valid_from",
                      f"valid_to {end} is before valid_from {start}", node, "valid_to")
        return Period(start, end)

    # --- cross-file checks ------------------------------------------------------------------

    def _crosscheck(self, header: dict, tables: dict[str, Table], rules: list[Rule]) -> None:
        sources = header["sources"]
        for rule, cit, where in self._pending_citations:
            if cit.source not in sources:
                self.problems.append(Problem(
                    "P050", f"sumber {cit.source!r} tidak didefinisikan di policy.yaml",
                    f"citation source {cit.source!r} is not defined under 'sources:' in policy.yaml",
                    file=where.file, line=where.line, column=where.column, rule=rule,
                    hint=suggest(cit.source, sources)))
        self.problems += typecheck_tables(header, tables)
        self.problems += check_settings(header, tables)
        versions: dict[str, list[Rule]] = {}
        for rule in rules:
            self.problems += typecheck_rule(header, tables, rule)
            for other in versions.get(rule.id, []):
                if other.period.overlaps(rule.period):
                    self.problems.append(Problem(
                        "P052", f"dua versi aturan {rule.id!r} berlaku pada tanggal yang sama",
                        f"two versions of rule {rule.id!r} are in force on the same days "
                        f"(the other is at {other.where.file}:{other.where.line})",
                        file=rule.where.file, line=rule.where.line, column=rule.where.column,
                        rule=rule.id, hint="give the older version a valid_to before the newer valid_from"))
            versions.setdefault(rule.id, []).append(rule)
