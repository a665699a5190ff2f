"""``load_policy``: read a policy folder (and the policies it extends), validate every file,
build one resolved :class:`Policy`.

A policy folder holds ``policy.yaml`` (name, dates, vocabularies, levels, routes, sources),
``fields/*.yaml`` (what rules may test and how derived values are computed), ``tables/*.yaml``
(thresholds) and ``rules/*.yaml`` (requirements and properties). ``extends: jf_umum`` in
policy.yaml puts another policy folder (a sibling, or a relative path) underneath: its
vocabularies, fields, tables, rules and sources hold unless this one adds to or replaces them,
and a replacement says so (``replaces:``). Every problem in every file of every layer is
collected and raised together as one PolicyError.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

import attrs

from .._errors import EngineError, InvalidArgument, PolicyError, Problem, suggest
from ._check import CITATION_DEEPER, CITATION_KEYS, TEXT_DEEPER, Reader, citation_shape, period_hint
from ._conditions import parse_condition
from ._fields import SYSTEM_FIELDS, Field
from ._header import (
    ID_PATTERN, _replace_problem, build_allocation, near_miss, read_header, read_levels, read_routes,
)
from ._build_fields import build_fields
from ._model import Citation, Period, Policy, Property, Route, Rule, Table, TableRow, Where
from ._typecheck import check_settings, typecheck_rule, typecheck_tables
from ._yaml import load_yaml, load_yaml_bytes
from ._yaml import where as place_in

CONFIDENCE = ("P", "S", "C", "I")
RULE_REQUIRED = ("id", "title", "routes", "require", "citation")
FORMATION_RULE_REQUIRED = ("id", "title", "subject", "when", "then", "citation")
RULE_OPTIONAL = ("levels", "valid_from", "valid_to", "note", "replaces")
PROPERTY_REQUIRED = ("id", "title", "route", "level", "when", "citation")
PROPERTY_OPTIONAL = ("never", "always", "note")
# a key indented too little out of a rule, property, title or citation lands in the mapping holding it
RULES_DEEPER = {"rules": ("rule", "aturan", tuple(dict.fromkeys(RULE_REQUIRED + FORMATION_RULE_REQUIRED
                                                                  + RULE_OPTIONAL))),
                "properties": ("property", "sifat", PROPERTY_REQUIRED + PROPERTY_OPTIONAL)}
RULE_DEEPER = {"title": TEXT_DEEPER, "citation": CITATION_DEEPER}
FOLDERS = ("fields", "tables", "rules")
MAX_LAYERS = 8


def load_policy(path: str | os.PathLike) -> Policy:
    """Load and validate the policy in folder ``path`` (with the policies it extends); raise
    PolicyError listing every problem.

    >>> policy = load_policy("policies/pengantar_kerja")   # doctest: +SKIP
    """
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgument(f"load_policy() takes a folder path, got {type(path).__name__}")
    return _Loader(Path(path)).load()


def load_checked(root: str | os.PathLike, digest: str) -> Policy:
    """The policy in folder ``root``, refused unless its digest is ``digest``: a process that
    evaluates part of a batch (a ``--jobs`` worker, or a Dask worker in formasi_rules.extra.dask)
    loads the policy by its folder, and must decide by exactly the version the batch began with."""
    return checked(load_policy(root), root, digest)


def checked(policy: Policy, root: str | os.PathLike, digest: str) -> Policy:
    """``policy``, loaded from folder ``root``, refused unless its digest is ``digest`` (see
    :func:`load_checked`)."""
    if policy.digest != digest:
        raise EngineError(f"the policy in {root} changed after the batch started, or this machine holds another "
                          f"copy of it (its digest here is {policy.digest}, the batch's {digest}); run the batch "
                          f"again on the same policy files / kebijakan di {root} tidak sama dengan yang dipakai "
                          "saat batch dimulai")
    return policy


def policy_folder(policies: str | os.PathLike, name: str | None = None) -> Path:
    """The folder of policy ``name`` under ``policies``; without a name, the one the folder's
    ``default`` file names (a line), or the only policy there that is not a base."""
    root = Path(policies)
    if name is not None:
        return root / name
    marker = root / "default"
    if marker.is_file():
        return root / marker.read_text(encoding="utf-8").strip()
    concrete = [p.parent for p in sorted(root.glob("*/policy.yaml")) if not is_base_policy(p.parent)]
    if len(concrete) == 1:
        return concrete[0]
    names = ", ".join(p.name for p in concrete) or "none"
    raise InvalidArgument(f"which policy? {root} holds {names}; name one (--policy NAME), or write its name "
                          f"in {marker} / sebutkan kebijakan yang dipakai")


def is_base_policy(folder: str | os.PathLike) -> bool:
    """Whether the policy in ``folder`` is a base (``abstract: true``), used only through the
    policies that extend it. Reads policy.yaml alone; a file that does not parse is not a base."""
    policy_yaml = Path(folder) / "policy.yaml"
    try:
        doc = load_yaml(policy_yaml, display(policy_yaml))
    except PolicyError:
        return False
    return isinstance(doc, dict) and doc.get("abstract") is True


def display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class _Layer:
    """One policy folder of the chain: its files, parsed."""

    def __init__(self, root: Path):
        self.root = root
        self.files = [root / "policy.yaml"] + [f for d in FOLDERS for f in sorted((root / d).glob("*.yaml"))]
        # anything else in those folders would be left out without a word: a rule file named .yml, or
        # moved into a subfolder, changes the decisions (what editors and systems leave is let be)
        self.strays = [f for d in FOLDERS if (root / d).is_dir() for f in sorted((root / d).iterdir())
                       if not (f.suffix == ".yaml" and f.is_file()) and not _LEFT_BY_TOOLS.match(f.name)]
        self.docs: dict[str, list[tuple[str, Any]]] = {d: [] for d in ("policy", *FOLDERS)}
        self.parsed: dict[Path, bytes] = {}  # the bytes each file was parsed from: what the digest covers
        self.name = _named(root).name
        self.header: dict | None = None


# hidden files, editors' backups and autosaves (name~, #name#, .bak, .orig, .swp, .tmp), what
# Windows and macOS put in folders
_LEFT_BY_TOOLS = re.compile(r"(\..*|#.*|.*[~#]|.*\.(bak|orig|swp|tmp)|thumbs\.db|desktop\.ini)", re.IGNORECASE)


def _stray(path: Path) -> Problem:
    folder = path.parent.name
    if path.is_dir():
        return Problem("P004", f"subfolder {path.name!r} di {folder}/ tidak dibaca; pindahkan berkasnya ke {folder}/",
                       f"the subfolder {path.name!r} in {folder}/ is not read: only {folder}/*.yaml are, so its files "
                       f"would be left out", file=display(path), hint=f"move its .yaml files up into {folder}/ / pindahkan berkas .yaml-nya ke {folder}/")
    if path.suffix.lower() in (".yml", ".yaml"):
        hint = f"rename it to {path.with_suffix('.yaml').name!r} / ganti namanya menjadi {path.with_suffix('.yaml').name!r}"
    else:
        hint = (f"move it out of {folder}/ (only the policy's .yaml files belong there), or save it as a .yaml file / "
                f"pindahkan keluar dari {folder}/ (hanya berkas .yaml kebijakan di sana), atau simpan sebagai berkas .yaml")
    return Problem("P004", f"berkas {path.name!r} di {folder}/ tidak dibaca: hanya berkas .yaml yang dibaca",
                   f"the file {path.name!r} in {folder}/ is not read: only files ending in .yaml (lower case) are, "
                   f"so what it holds would be left out", file=display(path), hint=hint)


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self._pending_citations: list = []

    def load(self) -> Policy:
        layers = self._chain(self.root)
        def fail() -> PolicyError:  # a problem in a YAML anchor's block is met once per alias: said once
            problems = list(dict.fromkeys(self.problems))
            return PolicyError(problems, f"{len(problems)} problem(s) in the policy")

        header = self._merge_headers(layers)
        if header is None:
            raise fail()
        tables = self._merged(layers, "tables", self._tables, "table")
        self.problems += typecheck_tables(header, tables)
        if not header["abstract"]:
            self._placeholders(tables)
        fields = self._fields(layers, header, tables)
        rules, properties = self._rules(layers, header, fields)
        if fields is None:
            raise fail()
        self._crosscheck(header, tables, fields, rules + [p.rule for p in properties])
        if self.problems:
            raise fail()
        return Policy(
            name=header["name"], version=header["version"], title=header["title"], coverage=header["coverage"],
            levels=header["levels"], routes=header["routes"], sources=header["sources"],
            vocabularies=header["vocabularies"], fields=fields, tables=tables, rules=tuple(rules),
            formation=header.get("formation"), allocation=header.get("allocation"), root=str(self.root),
            digest=self._digest(layers), properties=tuple(properties), layers=tuple(la.name for la in layers),
            position=header.get("position"), precedence=header.get("precedence", ()), abstract=header["abstract"])

    # --- the chain of layers --------------------------------------------------------------

    def _chain(self, root: Path) -> list[_Layer]:
        chain: list[_Layer] = []
        seen: set[Path] = set()
        here: Path | None = root
        while here is not None:
            if not (here / "policy.yaml").is_file():
                if chain:
                    raise PolicyError([_extends_nothing(chain[-1], here)])
                raise PolicyError([Problem("P000", f"folder kebijakan tidak berisi policy.yaml: {here}",
                                           f"not a policy folder (no policy.yaml in it): {here}", file=str(here),
                                           hint="point at a policy folder: one that holds policy.yaml / tunjuk folder kebijakan: yang berisi policy.yaml")])
            if here.resolve() in seen or len(chain) >= MAX_LAYERS:
                raise PolicyError([Problem("P003", f"rantai 'extends' berputar atau terlalu panjang di {here}",
                                           f"the chain of 'extends' loops or is longer than {MAX_LAYERS} at {here}",
                                           file=display(here / "policy.yaml"),
                                           hint=_chain_hint([layer.name for layer in chain], _named(here).name,
                                                            here.resolve() in seen))])
            seen.add(here.resolve())
            layer = _Layer(here)
            self.problems += [_stray(path) for path in layer.strays]
            for path in layer.files:
                kind = "policy" if path.name == "policy.yaml" and path.parent == here else path.parent.name
                try:
                    doc, data = load_yaml_bytes(path, display(path))
                    layer.docs[kind].append((display(path), doc))
                    layer.parsed[path] = data
                except PolicyError as exc:
                    self.problems += exc.problems
            chain.append(layer)
            docs = layer.docs["policy"]
            extends = docs[0][1].get("extends") if docs and isinstance(docs[0][1], dict) else None
            here = _resolve(here, extends) if isinstance(extends, str) and extends.strip() else None
        if self.problems:
            raise PolicyError(self.problems, "the policy files could not be read")
        return chain[::-1]  # base first

    def _placeholders(self, tables: dict[str, Table]) -> None:
        """A table a base policy leaves without rows is the extending policy's to fill."""
        for table in tables.values():
            if not table.rows:
                self.problems.append(Problem(
                    "P048", f"tabel {table.name!r} dari {table.layer} kosong: kebijakan ini harus menggantinya",
                    f"table {table.name!r} of {table.layer} has no rows: a policy that extends {table.layer} "
                    f"must give its own (a table with 'replaces: {table.name}')",
                    file=table.where.file, line=table.where.line, column=table.where.column,
                    hint="see the table's note for what it holds / lihat catatan (note) tabel itu untuk isinya"))

    def _digest(self, layers: list[_Layer]) -> str:
        h = hashlib.sha256()
        for layer in layers:
            for path in layer.files:
                h.update(f"{layer.name}/{path.relative_to(layer.root).as_posix()}".encode() + b"\0")
                h.update(layer.parsed[path] + b"\0")  # not read again: a file swapped since is not mixed in
        return "sha256:" + h.hexdigest()

    # --- policy.yaml of every layer -----------------------------------------------------------

    def _merge_headers(self, layers: list[_Layer]) -> dict | None:
        merged: dict[str, Any] = {"vocabularies": {}, "sources": {}, "routes": {}}
        readers = []
        for layer in layers:
            file, doc = layer.docs["policy"][0]
            r = Reader(file)
            part = read_header(r, doc)
            layer.header = part
            readers.append((r, part))
            if part is None:
                self.problems += r.problems
                return None
            for name, vocab in (part.get("vocabularies") or {}).items():
                vocab = _with_layer(vocab, layer.name)
                base = merged["vocabularies"].get(name)
                changed = base.changed_by(vocab) if base is not None else []
                if changed:
                    r.problem("P021", f"kosakata {name!r} mengubah nilai dari lapisan di bawahnya: {'; '.join(changed)}",
                              f"vocabulary {name!r} changes what the policy it extends defines: {'; '.join(changed)}; a "
                              "layer adds values and aliases, it does not renumber or respell the base's",
                              doc["vocabularies"], name,
                              hint="list only the new values (with ranks that fit among the base's) and new aliases / "
                                   "tulis hanya nilai baru (dengan peringkat yang cocok di antara nilai dasar) dan alias baru")
                merged["vocabularies"][name] = base.merged(vocab) if base is not None else vocab
            for key, source in (part.get("sources") or {}).items():
                spec = doc["sources"][key]
                if (key in merged["sources"]) != bool(spec.get("replaces")):
                    _replace_problem(r, doc["sources"], key, "source", key in merged["sources"])
                merged["sources"][key] = source
            for key in ("name", "version", "title", "coverage", "position", "formation"):
                if key in part:
                    merged[key] = part[key]
            merged["abstract"] = part["abstract"]  # only the top layer's word counts
            if "allocation" in part:
                merged["allocation_node"] = (r, part["allocation"])
        vocabularies = merged["vocabularies"]
        level_vocab = vocabularies.get("level")
        added_at: dict[str, tuple[str, Any]] = {}  # route -> the file (and document) that first declares it
        for (r, part), layer in zip(readers, layers):
            doc = part["doc"]
            if "levels" in part:
                merged["levels"] = read_levels(r, doc, level_vocab)
            levels = merged.get("levels") or (level_vocab.values if level_vocab else ())
            if "routes" in part:
                read = read_routes(r, doc, tuple(levels), merged["routes"])
                added_at.update({name: (r.file, doc) for name in read if name not in merged["routes"]})
                merged["routes"].update(read)
            if "precedence" in part:
                merged["precedence"] = r.choices(doc, "precedence", "precedence", tuple(merged["routes"]),
                                                 allow_all=False)
                said_at = (r.file, r.at(doc, "precedence"))
            self.problems += r.problems
            r.problems = []
        if not merged.get("levels"):
            said = any("levels" in part for _, part in readers)  # said, but wrongly: that problem is reported
            if level_vocab is not None and not said:
                self.problems.append(Problem("P013", "kebijakan tidak menyebut 'levels'",
                                             "no layer of the policy says which 'levels' the position has",
                                             file=layers[-1].docs["policy"][0][0]))
            return None
        levels = merged["levels"]
        # a route keeps the levels of the position it has; one with none left is not offered
        routes = {}
        for name, route in merged["routes"].items():
            kept = tuple(lv for lv in levels if lv in route.levels)
            if kept:
                routes[name] = Route(route.name, route.title, kept)
        merged["declared_routes"] = tuple(merged["routes"])  # a base's rules may name one left out
        merged["routes"] = routes
        merged["precedence"] = tuple(r for r in merged.get("precedence") or () if r in routes)
        left_out = [name for name in routes if name not in merged["precedence"]]
        if merged["precedence"] and left_out:
            file, at = said_at
            later = [added_at[name] for name in left_out if added_at.get(name, (file,))[0] != file]
            below = bool(later)  # a route a policy above the order's adds: the order is restated there
            if below:
                at = Where(later[0][0], *place_in(later[0][1], "routes"))
            self.problems.append(Problem(
                "P011", f"precedence tidak menyebut {', '.join(left_out)}",
                f"precedence {'(given in ' + file + ') ' if below else ''}leaves out {', '.join(left_out)}: a route "
                "left out would go after every route listed, an order no one chose"
                + ("; the policy that adds it restates precedence with every route" if below else ""),
                file=at.file, line=at.line, column=at.column,
                hint=f"precedence: [{', '.join((*merged['precedence'], *left_out))}] (in the order they go first) / "
                     f"precedence: [{', '.join((*merged['precedence'], *left_out))}] (menurut urutan yang "
                     "didahulukan)"))
        if None in (merged.get("name"), merged.get("title")) or any(p.file == layers[-1].docs["policy"][0][0]
                                                                     for p in self.problems):
            return None
        return merged

    # --- tables, fields and rules, merged over the layers ---------------------------------------

    def _merged(self, layers: list[_Layer], folder: str, read: Any, kind: str) -> dict:
        """Named items of every layer, a later layer's replacing an earlier one's only by name."""
        out: dict[str, Any] = {}
        for layer in layers:
            below = tuple(out)  # what the policies this layer extends define
            here: dict[str, Where] = {}  # what this layer defines, and where
            for file, doc in layer.docs[folder]:
                r = Reader(file)
                for name, (item, node, key, replaces) in read(r, doc, layer.name).items():
                    target = replaces if isinstance(replaces, str) else name
                    first = here.get(name) or (here.get(target) if replaces else None)
                    here.setdefault(name, r.at(node, key))
                    if replaces:  # what it replaces is defined here too, from now on (a second replacer is a twice)
                        here.setdefault(target, here[name])
                    if first is not None:
                        _twice(r, node, key, kind, name, first)
                    elif replaces and target not in out:
                        _replace_problem(r, node, key, kind, False, target=target, known=out)
                    elif not replaces and name in out:
                        _replace_problem(r, node, key, kind, True)
                    elif replaces or near_miss(r, node, key, kind, below):  # (a near miss is said there)
                        out.pop(target, None)
                        out[name] = item
                self.problems += r.problems
        return out

    def _fields(self, layers: list[_Layer], header: dict, tables: dict[str, Table]) -> dict[str, Field] | None:
        specs: list[tuple[Reader, str, Any, str]] = []  # (reader, name, spec node, layer)
        names: dict[str, int] = {}
        for layer in layers:
            here: dict[str, Where] = {}  # the fields this layer defines, and where
            for file, doc in layer.docs["fields"]:
                r = Reader(file)
                if r.document(doc, "fields") is not None and r.keys(doc, ("fields",), (), _file_named(file)):
                    node = r.mapping(doc, "fields", "fields") or {}
                    for name, spec in node.items():
                        replaces = spec.get("replaces") if isinstance(spec, dict) else None
                        if name in here:
                            _twice(r, node, name, "field", name, here[name])
                            continue
                        here[name] = r.at(node, name)
                        if name in SYSTEM_FIELDS:
                            r.problem("P080", f"field {name!r} disediakan mesin", f"field {name!r} is provided by "
                                      "the engine and cannot be declared", node, name,
                                      hint=f"give your field another name; rules read the engine's {name} as it is "
                                      f"/ beri field Anda nama lain; aturan membaca {name} dari mesin apa adanya")
                        elif (name in names) != bool(replaces):
                            _replace_problem(r, node, name, "field", name in names)
                        else:
                            if name in names:
                                specs[names[name]] = None  # replaced
                            names[name] = len(specs)
                            specs.append((r, str(name), node, layer.name))
                self.problems += r.problems
                r.problems = []
        fields, problems = build_fields([s for s in specs if s is not None], header, tables, parse_condition)
        self.problems += problems
        return fields

    def _rules(self, layers: list[_Layer], header: dict, fields: dict | None) -> tuple[list[Rule], list[Property]]:
        rules: dict[str, list[Rule]] = {}
        properties: dict[str, Property] = {}
        top = layers[-1].name
        for layer in layers:
            own: dict[str, list[Rule]] = {}
            for file, doc in layer.docs["rules"]:
                r = Reader(file)
                if fields is not None and r.document(doc, "rules") is not None and r.keys(
                        doc, (), ("rules", "properties"), _file_named(file), RULES_DEEPER):
                    if "rules" in doc:
                        self._rule_list(r, doc, header, fields, layer.name, layer.name == top, rules, own)
                    if "properties" in doc:
                        self._properties(r, doc, header, fields, layer.name, layer.name == top, properties)
                self.problems += r.problems
            for rid, versions in own.items():
                rules[rid] = versions
        flat = [rule for versions in rules.values() for rule in versions]
        return flat, list(properties.values())

    def _rule_list(self, r: Reader, doc: Any, header: dict, fields: dict, layer: str, top: bool,
                   rules: dict[str, list[Rule]], own: dict[str, list[Rule]]) -> None:
        node = r.sequence(doc, "rules", "rules")
        level_vocab = header["vocabularies"]["level"].values
        for i, spec in enumerate(node or []):
            r.rule = spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str) else None
            formation = isinstance(spec, dict) and spec.get("subject") == "formation"
            required = FORMATION_RULE_REQUIRED if formation else RULE_REQUIRED
            if r.mapping(node, i, f"rule {i + 1}") is None or not r.keys(
                    spec, required, RULE_OPTIONAL, f"{'formation rule' if formation else 'rule'} {r.rule or i + 1}",
                    RULE_DEEPER, self._citation_shape(r, header, spec)):
                continue
            rid = r.string(spec, "id", "id", ID_PATTERN)
            title = r.text(spec, "title", "title")
            known = tuple(header["routes"]) if top else header["declared_routes"]
            routes = () if formation else r.choices(spec, "routes", "routes", known or ("-",))
            levels = r.choices(spec, "levels", "levels", level_vocab) if "levels" in spec else header["levels"]
            condition = parse_condition(r, spec, "when" if formation else "require", fields)
            then = parse_condition(r, spec, "then", fields) if formation else None
            citation = self._citation(r, spec)
            period = self._period(r, spec)
            if None in (rid, title, routes, levels, condition, citation) or (formation and then is None):
                continue
            replaces = spec.get("replaces")
            target = replaces if isinstance(replaces, str) else rid
            if rid not in own:  # the first version of an id in this layer decides what it replaces
                if replaces and target not in rules:
                    _replace_problem(r, node, i, "rule", False, rid, target, rules)
                    continue
                if not replaces and rid in rules:
                    _replace_problem(r, node, i, "rule", True, rid)
                    continue
                if replaces:
                    rules.pop(target)
            kept = tuple(lv for lv in levels if lv in header["levels"])
            if top and not header["abstract"] and not _applies(r, node, i, routes, levels, period, formation, header):
                continue
            if not top:  # a base rule for levels or routes this position does not have is left out
                routes = tuple(rt for rt in routes if rt in header["routes"]) if routes != "all" else routes
                if not kept or (not formation and not routes):
                    continue
            own.setdefault(rid, []).append(Rule(
                rid, title, routes, kept if not top else levels, condition, citation, period, spec.get("note"),
                r.at(node, i), subject="formation" if formation else "candidate", then=then, layer=layer))
        r.rule = None

    def _properties(self, r: Reader, doc: Any, header: dict, fields: dict, layer: str, top: bool,
                    out: dict[str, Property]) -> None:
        """``properties:``: invariants of the regulation that ``formasi check`` tests."""
        node = r.sequence(doc, "properties", "properties")
        for i, spec in enumerate(node or []):
            r.rule = spec.get("id") if isinstance(spec, dict) and isinstance(spec.get("id"), str) else None
            if r.mapping(node, i, f"property {i + 1}") is None or not r.keys(
                    spec, PROPERTY_REQUIRED, PROPERTY_OPTIONAL, f"property {r.rule or i + 1}", RULE_DEEPER,
                    self._citation_shape(r, header, spec)):
                continue
            if ("never" in spec) == ("always" in spec):
                r.problem("P058", "sifat perlu tepat satu dari never / always",
                          "a property needs exactly one of 'never: OUTCOME' or 'always: OUTCOME'", node, i,
                          hint="keep one, for example 'never: eligible' or 'always: not_eligible' (outcomes: eligible, "
                               "not_eligible, undetermined) / pertahankan satu, misalnya 'never: eligible' atau "
                               "'always: not_eligible' (hasil: eligible, not_eligible, undetermined)")
                continue
            which = "never" if "never" in spec else "always"
            pid = r.string(spec, "id", "id", ID_PATTERN)
            title = r.text(spec, "title", "title")
            level = r.choice(spec, "level", "level", header["vocabularies"]["level"].values)
            route = r.choice(spec, "route", "route", tuple(header["routes"]))
            outcome = r.choice(spec, which, which, ("eligible", "not_eligible", "undetermined"))
            when = parse_condition(r, spec, "when", fields)
            citation = self._citation(r, spec)
            if None in (pid, title, route, level, outcome, when, citation):
                continue
            if level not in header["levels"] or level not in header["routes"][route].levels:
                if top and not header["abstract"]:  # the policy's own: it would never be checked, unsaid
                    _applies(r, node, i, (route,), (level,), None, False, header)
                continue  # a base property about a level this position does not have
            rule = Rule(pid, title, (route,), (level,), when, citation, Period(), spec.get("note"), r.at(node, i),
                        layer=layer)
            out[pid] = Property(pid, rule, which == "never", outcome)
        r.rule = None

    def _tables(self, r: Reader, doc: Any, layer: str) -> dict[str, tuple]:
        out: dict[str, tuple] = {}
        if r.document(doc, "tables") is None or not r.keys(doc, ("tables",), (), _file_named(r.file)):
            return out
        node = r.mapping(doc, "tables", "tables")
        for name, spec in (node or {}).items():
            if name in out:
                r.problem("P040", f"tabel {name!r} didefinisikan dua kali", f"table {name!r} is defined twice", node, name,
                          hint="rename one of the two, or delete the copy / ganti nama salah satunya, atau hapus "
                               "salinannya")
                continue
            row_keys = (*(spec.get("columns") or {}), "valid_from", "valid_to", "citation", "note") \
                if isinstance(spec, dict) and isinstance(spec.get("columns"), dict) else ()
            if isinstance(spec, dict) and isinstance(spec.get("key"), str) and spec["key"] != "none":
                row_keys = (spec["key"], *row_keys)
            if r.mapping(node, name, f"table {name!r}") is None or not r.keys(
                    spec, ("title", "key", "columns", "rows"), ("citation", "note", "replaces"), f"table {name!r}",
                    {**RULE_DEEPER, "rows": ("row", "baris", row_keys)}):
                continue
            key = r.string(spec, "key", "key", r"[a-z][a-z0-9_]*")
            columns = r.mapping(spec, "columns", "columns")
            rows_node = r.sequence(spec, "rows", "rows")
            title = r.text(spec, "title", "title")
            citation = self._citation(r, spec) if "citation" in spec else None
            if None in (key, columns, rows_node, title):
                continue
            cols = {str(c): str(t) for c, t in columns.items()}
            given = [set(row) for row in rows_node if isinstance(row, dict)]
            other = set.intersection(*given) - {*cols, "valid_from", "valid_to", "citation", "note"} if given else set()
            if key != "none" and given and not any(key in g for g in given) and len(other) == 1:
                written = other.pop()  # every row is keyed by one other name: the key: line is the typo
                r.problem("P012", f"kunci tabel {key!r}, tetapi barisnya memakai {written!r}",
                          f"the table's key is {key!r} but every row gives {written!r} instead", spec, "key",
                          hint=f"write key: {written}, as the rows do / tulis key: {written}, seperti baris-barisnya")
                key = written  # read on as the rows say, so that the rules reading it say nothing more
            rows = []
            for i, row in enumerate(rows_node):
                if r.mapping(rows_node, i, f"row {i + 1} of table {name!r}") is None:
                    continue
                keycol = () if key == "none" else (key,)
                if not r.keys(row, keycol, (*cols, "valid_from", "valid_to", "citation", "note"),
                              f"row {i + 1} of table {name!r}", RULE_DEEPER):
                    continue
                rows.append(TableRow(
                    key=None if key == "none" else str(row[key]), values={c: row[c] for c in cols if c in row},
                    period=self._period(r, row), citation=self._citation(r, row) if "citation" in row else None,
                    note=row.get("note"), where=r.at(rows_node, i), layer=layer))
            table = Table(str(name), title, None if key == "none" else key, cols, tuple(rows), citation,
                          spec.get("note"), r.at(node, name), layer)
            out[str(name)] = (table, node, name, spec.get("replaces"))
        return out

    def _citation_shape(self, r: Reader, header: dict, spec: Any) -> dict[str, str] | None:
        """How a missing citation is written, shown with one the policy has: the last read in the
        same file, else in the same policy (layer), else the first source (with the first article
        it lists)."""
        sources = header.get("sources") or {}
        if not isinstance(spec, dict) or "citation" in spec:
            return None
        layer = Path(r.file).parent.parent
        here = [(w.file, c.source, c.article) for _, c, w in self._pending_citations
                if c.source in sources and Path(w.file).parent.parent == layer]
        mine = [c for c in here if c[0] == r.file]
        if mine or here:
            _, key, article = (mine or here)[-1]
            source = sources[key]
        elif sources:
            source, article = next(iter(sources.values())), None
        else:
            return None
        # a citation may leave its article out, but the example names one: of the source's list, if it
        # has one (any other article of such a source is P059)
        return {"citation": citation_shape(source.key, article or (source.articles[0] if source.articles else None))}

    def _citation(self, r: Reader, node: Any) -> Citation | None:
        spec = r.mapping(node, "citation", "citation")
        if spec is None or not r.keys(spec, CITATION_KEYS[:1], CITATION_KEYS[1:], "citation"):
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
                      f"valid_to {end} is before valid_from {start}", node, "valid_to", hint=period_hint(start, end))
        return Period(start, end)

    # --- cross-file checks ------------------------------------------------------------------

    def _crosscheck(self, header: dict, tables: dict[str, Table], fields: dict, rules: list[Rule]) -> None:
        sources = header["sources"]
        for rule, cit, where in self._pending_citations:
            if cit.source not in sources:
                self.problems.append(Problem(
                    "P050", f"sumber {cit.source!r} tidak didefinisikan di policy.yaml",
                    f"citation source {cit.source!r} is not defined under 'sources:' in policy.yaml",
                    file=where.file, line=where.line, column=where.column, rule=rule,
                    hint=suggest(cit.source, sources)))
            elif not _cites_a_listed_article(sources[cit.source], cit.article):
                listed = sources[cit.source].articles
                self.problems.append(Problem(
                    "P059", f"{cit.source} tidak memuat {cit.article!r}",
                    f"citation of {cit.source} names {cit.article!r}, which is not among the articles the source "
                    f"lists ({', '.join(listed)})", file=where.file, line=where.line, column=where.column,
                    rule=rule, hint=suggest(cit.article or "", listed)))
        if "allocation_node" in header:
            r, node = header["allocation_node"]
            header["allocation"] = build_allocation(r, node, tuple(header["routes"]), fields, self._citation(r, node))
            self.problems += r.problems
            r.problems = []
        self.problems += check_settings(header, tables)
        versions: dict[str, list[Rule]] = {}
        for rule in rules:
            self.problems += typecheck_rule(header, tables, fields, rule)
            for other in versions.get(rule.id, []):
                if other.period.overlaps(rule.period):
                    self.problems.append(Problem(
                        "P052", f"dua versi aturan {rule.id!r} berlaku pada tanggal yang sama",
                        f"two versions of rule {rule.id!r} are in force on the same days "
                        f"(the other is at {other.where.file}:{other.where.line})",
                        file=rule.where.file, line=rule.where.line, column=rule.where.column,
                        rule=rule.id, hint="give the older version a valid_to before the newer valid_from / beri versi lama valid_to "
                             "sebelum valid_from versi baru"))
            versions.setdefault(rule.id, []).append(rule)


def _cites_a_listed_article(source: Any, article: str | None) -> bool:
    """Whether a citation's article is one the source lists ("Pasal 11 ayat (3)" is Pasal 11; not
    Pasal 1). A source that lists none, or a citation without an article, is not judged."""
    if source.articles is None or not article:
        return True
    return any(re.match(re.escape(a) + r"(?![0-9A-Za-z])", article.strip()) for a in source.articles)


def _twice(r: Reader, node: Any, key: Any, kind: str, name: str, first: Where) -> None:
    """P022: a name one policy defines twice (in two files of a folder): whichever file sorts last
    would win, ``replaces:`` or not, without a word."""
    at = f"{first.file}:{first.line}"
    r.problem("P022", f"{kind} {name!r} didefinisikan dua kali dalam kebijakan ini (pertama di {at})",
              f"{kind} {name!r} is defined twice in this policy (first at {at}); "
              f"'replaces:' replaces what a policy below defines, not another file of the same policy",
              node, key, hint="keep one definition: edit the first, or delete this one / "
              "pertahankan satu definisi: ubah yang pertama, atau hapus yang ini")


def _chain_hint(names: list[str], again: str, loops: bool) -> str:
    """How to mend P003: a chain of ``extends:`` that comes back to ``again``, or is too long."""
    chain = " → ".join([*names, again])
    if loops:
        return (f"the policies extend one another in a circle ({chain}): the base, which the others build on, "
                f"must have no 'extends:'; remove it there, or name the policy meant / kebijakan saling "
                f"meng-extend melingkar ({chain}): kebijakan dasar tidak boleh punya 'extends:'; hapus di sana, "
                "atau sebut kebijakan yang dimaksud")
    return (f"at most {MAX_LAYERS} policies can build on one another ({chain}): extend a policy nearer the base, "
            f"or join two layers into one / paling banyak {MAX_LAYERS} kebijakan bertumpuk ({chain}): extend "
            "kebijakan yang lebih dekat ke dasar, atau gabungkan dua lapisan")


def _extends_nothing(layer: _Layer, target: Path) -> Problem:
    """P000 at the ``extends:`` line of a policy whose base is not a policy folder, with the policy
    folders beside it that the name may have meant."""
    path, doc = layer.docs["policy"][0]
    line, column = place_in(doc, "extends")
    name = str(doc.get("extends"))
    beside = sorted(p.parent.name for p in target.parent.glob("*/policy.yaml")
                    if p.parent.resolve() != layer.root.resolve()) if target.parent.is_dir() else []
    return Problem("P000", f"'extends: {name}' bukan folder kebijakan (tidak ada policy.yaml di {target})",
                   f"'extends: {name}' names no policy folder: there is no policy.yaml in {target}",
                   file=path, line=line, column=column,
                   hint=suggest(name, beside) or (f"policy folders beside it: {', '.join(beside)} / folder kebijakan "
                                                  f"di sebelahnya: {', '.join(beside)}" if beside else
                                                  "name the folder of the policy this one builds on / sebut folder "
                                                  "kebijakan yang menjadi dasarnya"))


def _named(folder: Path) -> Path:
    """``folder`` as it is, or absolute where it has no name of its own: "." (a policy loaded from
    inside its folder) or a path through "..". Its name is the layer's, in the digest and the
    results, and its parent holds the policies it may extend; symbolic links are not followed."""
    return folder if folder.name and ".." not in folder.parts else Path(os.path.abspath(folder))


def _resolve(here: Path, extends: str) -> Path:
    """``extends: jf_umum`` is a sibling folder; a value with a '/' is a path from this folder."""
    if "/" in extends or extends.startswith("."):
        return here / extends
    return _named(here).parent / extends


def _with_layer(vocab: Any, layer: str) -> Any:
    return attrs.evolve(vocab, layer=layer)


def _applies(r: Reader, node: Any, i: int, routes: tuple, levels: tuple, period: Period | None, formation: bool,
             header: dict) -> bool:
    """Whether a rule of the policy itself (not of a base, whose rules serve other positions too)
    can ever apply: on a route and level the policy has (P038), on a day the policy covers (P039).
    One that cannot would pass validation and never be asked, its requirement silently gone."""
    if not formation and not any(lv in header["routes"][rt].levels for rt in routes for lv in levels
                                 if rt in header["routes"]):
        pairs = "; ".join(f"{rt}: {', '.join(header['routes'][rt].levels)}" for rt in routes if rt in header["routes"])
        r.problem("P038", "aturan tidak berlaku pada jalur dan jenjang mana pun",
                  f"the rule applies to no route and level: none of its routes has its levels "
                  f"({', '.join(levels)}); the routes' levels are {pairs}", node, i,
                  hint="correct routes: or levels: / perbaiki routes: atau levels:")
        return False
    cover = header["coverage"]
    if period is not None and not period.overlaps(cover):
        r.problem("P039", "aturan tidak pernah berlaku dalam cakupan kebijakan",
                  f"the rule is never in force while the policy is ({cover.valid_from} to "
                  f"{cover.valid_to or 'no end'}): its valid_from/valid_to ({period.valid_from} to "
                  f"{period.valid_to or 'no end'}) lie outside", node, i, hint="correct its dates / perbaiki tanggalnya")
        return False
    return True


def _file_named(file: str) -> str:
    """A file as a problem at its top level names it: by its name alone, the place before the
    problem giving its whole path already."""
    return os.path.basename(file)
