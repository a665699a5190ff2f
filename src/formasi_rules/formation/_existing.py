"""Officers in post per region and level (``--existing``): rows of counts as given, or officers'
records, each counted once where it holds the policy's position on the date."""

from __future__ import annotations

import datetime as dt
import difflib
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .._errors import InputError, Problem, said, suggest
from ..engine._derive import RecordView, level_in_name
from ..inputs import record_columns, region_key, structure_candidate
from ..inputs._candidate import NUMBER_FIELDS, SUSPECT, Names, plain_number, record_problems
from ..policy import fold
from ..policy._yaml import GROUPED
from ..sheets._layout import OFFICERS_SHEET
from ._inputs import file_line, place, records_of

COUNT_COLUMNS = frozenset(("region", "level", "count"))  # a row of counts of officers in post
MAX_COUNT = 10 ** 9  # officers at one level of one region: more is a typing slip, and past 64 bits for the engine
_IN_BAHASA = frozenset(("wilayah", "jenjang", "jumlah"))  # the same, as a header in Bahasa Indonesia names them


def existing_columns(policy: Any) -> frozenset[str]:
    """The names the columns of a file of officers in post may have: a row of counts's, in English
    or Bahasa Indonesia, or an officer's record's."""
    return COUNT_COLUMNS | _IN_BAHASA | record_columns(policy)


def _as_counts(raw: dict) -> dict | None:
    """A row of counts with its column names in lower case (a header in capitals is one too), or
    None where the row is an officer's record."""
    folded = {k.strip().casefold() if isinstance(k, str) else k: v for k, v in raw.items()}
    if "id" in folded or (COUNT_COLUMNS.isdisjoint(folded) and _IN_BAHASA.isdisjoint(folded)):
        return None
    return folded


def read_existing(source: str | os.PathLike | Iterable, policy: Any, as_of: dt.date | None = None
                  ) -> tuple[dict[str, dict[str, int]], dict[str, str], list[Problem], list[str]]:
    """Counts per region key and level, display names, problems, and warnings (officer records
    whose position name is close to the policy's but not it, those naming no position, and those
    not in post on ``as_of``: none of them counted).

    A row of counts (``region, level, count``) counts as given; a region and level given twice is
    a problem (W014), not a sum. An officer record counts where it holds the policy's position on
    ``as_of`` (its ``position``, or its ``positions`` history's entry then; None: its ``position``
    as given), at the level it gives or its position's name ends with; the same id twice is a
    problem (W014), as is a holder without a level (W015) or a region (W016)."""
    tally = _Tally(policy, as_of)
    for where, raw in records_of(source, OFFICERS_SHEET, existing_columns(policy)):
        if isinstance(raw, InputError):
            tally.problems += raw.problems
        elif isinstance(raw, dict) and (counts := _as_counts(raw)) is not None:
            tally.row(where, counts, file_line(source, where))
        else:
            tally.officer(where, raw, file_line(source, where))
    if tally.out_of_post:
        tally.warnings.append(
            f"{len(tally.out_of_post)} officer record(s) not counted: not in post on {as_of} (the post ended or "
            f"begins later; first: {tally.out_of_post[0]}) / pejabat tidak dihitung: tidak menjabat pada tanggal itu")
    if tally.other_post:
        tally.warnings.append(
            f"{len(tally.other_post)} officer record(s) not counted: their position is not "
            f"{getattr(policy.position, 'name', None) or policy.name} (first: {tally.other_post[0]}) / pejabat tidak "
            "dihitung: jabatannya bukan jabatan ini")
    if tally.unnamed:
        tally.warnings.append(
            f"{len(tally.unnamed)} officer record(s) not counted: they name no position, so whether they hold "
            f"{getattr(policy.position, 'name', None) or policy.name} is not known; give position.name (first: "
            f"{tally.unnamed[0]}) / pejabat tidak dihitung: nama jabatan (position.name) tidak diisi")
    if tally.other_status:
        tally.warnings.append(
            f"{len(tally.other_status)} officer record(s) not counted: their employment status may not hold the "
            f"position (it may be held by {', '.join(sorted(tally.holders))}; first: {tally.other_status[0]}) / "
            "pejabat tidak dihitung: status kepegawaiannya tidak dapat menduduki jabatan ini")
    return tally.counts, tally.names, tally.problems, tally.warnings


def _close(name: str, known: tuple[str, ...]) -> bool:
    """Whether a position's name is near one of ``known`` (a typo), or begins with one (a name
    with more after it: "(Plt)", "pada Dinas ...")."""
    folded, names = fold(name), [fold(n) for n in known]
    return any(folded.startswith(n) for n in names) or bool(difflib.get_close_matches(folded, names, n=1, cutoff=0.75))


@attrs.define
class _Tally:
    policy: Any
    as_of: dt.date | None
    counts: dict[str, dict[str, int]] = attrs.field(factory=dict)  # region key -> level -> officers
    names: dict[str, str] = attrs.field(factory=dict)  # region key -> its name as first written
    problems: list[Problem] = attrs.field(factory=list)
    warnings: list[str] = attrs.field(factory=list)
    given: dict[tuple[str, str], str] = attrs.field(factory=dict)  # (region key, level) -> its row of counts
    officers: dict[str, str] = attrs.field(factory=dict)  # officer id -> the record that counted it
    out_of_post: list[str] = attrs.field(factory=list)
    other_post: list[str] = attrs.field(factory=list)  # records holding another position
    other_status: list[str] = attrs.field(factory=list)  # holders whose employment status may not hold it
    unnamed: list[str] = attrs.field(factory=list)  # records naming no position: which post they hold is not known
    holders: frozenset[str] | None = attrs.field(init=False)  # the statuses that may (formation.holders_table)
    levels: Names = attrs.field(init=False)  # a row's level in any capitals and spacing (Ahli Pertama)

    @levels.default
    def _levels(self) -> Names:
        return Names(self.policy.levels)

    @holders.default
    def _holders(self) -> frozenset[str] | None:
        name = self.policy.formation.holders_table if self.policy.formation else None
        row = self.policy.tables[name].row(None, self.as_of) if name and self.as_of else None
        return frozenset(row.values["statuses"]) if row is not None else None

    def _add(self, region: str, level: str, n: int) -> None:
        key = region_key(region)
        self.names.setdefault(key, " ".join(region.split()))
        by_level = self.counts.setdefault(key, {})
        by_level[level] = by_level.get(level, 0) + n

    def row(self, where: Any, raw: dict, located: dict[str, Any]) -> None:
        """A row of counts: region, level, count."""
        path, levels = place(where), self.policy.levels
        missing, unknown = sorted(COUNT_COLUMNS.difference(raw)), sorted(set(raw) - COUNT_COLUMNS)
        if missing or unknown:
            self.problems.append(Problem(
                "W017", "baris jumlah pejabat berisi region, level, count"
                + (f"; tidak ada {', '.join(missing)}" if missing else "")
                + (f"; kolom tidak dikenal {', '.join(map(repr, unknown))}" if unknown else ""),
                "a row of counts has region, level and count" + (f"; {', '.join(missing)} missing" if missing else "")
                + (f"; unknown column(s) {', '.join(map(repr, unknown))}" if unknown else ""), path=path,
                hint=(unknown and missing and suggest(str(unknown[0]), sorted(COUNT_COLUMNS)))
                or (f"give {' and '.join(missing)} in this row (a count of 0 where there is no officer) / isi "
                    f"{' dan '.join(missing)} pada baris ini (count 0 bila tidak ada pejabat)"
                    if missing and not unknown else
                    "name the columns region, level, count (or give officers' records, each with its id) / beri "
                    "judul kolom region, level, count (atau berikan rekaman pejabat, masing-masing dengan id-nya)"),
                **located))
            return
        region, count = raw["region"], plain_number(raw["count"])  # (np.int64 from pandas)
        level = self.levels.read(raw["level"]) or raw["level"]
        if isinstance(count, str) and count.strip().isascii() and count.strip().isdigit():
            count = int(count)
        if not isinstance(region, str) or not region.strip():
            self.problems.append(Problem("W010", "region harus berupa nama", "region must be a name",
                                         path=place(where, "region"), **located))
        elif level not in levels:
            self.problems.append(Problem("W011", f"jenjang tidak dikenal {said(level)}", f"unknown level {said(level)}",
                                         path=place(where, "level"), hint=suggest(str(level), levels), **located))
        elif isinstance(count, bool) or not isinstance(count, int) or not 0 <= count < MAX_COUNT:
            self.problems.append(Problem("W012", f"count harus bilangan bulat 0 sampai {MAX_COUNT - 1}, bukan {said(count)}",
                                         f"count must be a whole number from 0 to {MAX_COUNT - 1}, got {said(count)}",
                                         path=place(where, "count"), **located))
        elif (first := self.given.get((region_key(region), level))) is not None:
            self.problems.append(Problem(
                "W014", f"{region} {level} sudah diberikan di {first}; baris ini tidak dihitung",
                f"{region} at {level} was already given at {first}; this row is not counted (give each region "
                "and level once, with its whole count)", path=path, **located))
        else:
            self.given[region_key(region), level] = str(where)  # its line too: "$[0] (line 2)", a sheet's cell
            self._add(region, level, count)

    def officer(self, where: Any, raw: Any, located: dict[str, Any]) -> None:
        """An officer's record: counted where it holds the policy's position on the date."""
        path, policy, as_of = place(where), self.policy, self.as_of
        try:  # a date or an id that looks wrong does not keep an officer in post from being counted
            officer = structure_candidate(_own_numbers(raw), path, policy, strict=False)
        except InputError as exc:
            self.problems += [p if p.file else attrs.evolve(p, **located) for p in exc.problems]
            return
        suspect = [p for p in record_problems(officer, {}, path) if p.code in SUSPECT]
        if suspect:
            self.warnings.append(f"{path} (id {officer.id}): counted, but check " + "; ".join(
                f"{p.path}: {p.code} {p.en}" for p in suspect) + " / dihitung, tetapi periksa datanya")
        # the post held on the date; else the position given, to say below that it was not held then
        pos = (RecordView(officer, as_of).current if as_of is not None else None) or officer.position
        if not (pos and pos.name):
            self.unnamed.append(path)
            return
        identity = policy.position
        ours = policy.names_position(pos.name)
        if ours and identity is not None and identity.type is not None and pos.type != identity.type:
            if pos.type is not None:  # the position's name, another type of post (a JA named so): not this one
                self.warnings.append(f"{path} (id {officer.id}): position {pos.name!r} is of type {pos.type}, not "
                                     f"{identity.type}: not counted / jenis jabatan bukan {identity.type}")
                return
            self.warnings.append(f"{path} (id {officer.id}): position {pos.name!r} has no type: counted as "
                                 f"{identity.type} by its name; give position.type / jenis jabatan tidak diisi")
        if not ours:
            if identity is not None and _close(pos.name, (identity.name, *identity.aliases)):
                self.warnings.append(f"{path} (id {officer.id}): position {pos.name!r} is not counted: it is close to "
                                     f"{identity.name!r} but is not it; correct the name or add it to the policy's "
                                     f"position aliases / jabatan tidak dihitung")
            else:
                self.other_post.append(f"{path} {pos.name!r}")
            return
        if as_of is not None and ((pos.until is not None and pos.until < as_of)  # (until: the last day)
                                  or (pos.since is not None and pos.since > as_of)):
            self.out_of_post.append(path)
            return
        if self.holders is not None and officer.employment_status is not None \
                and officer.employment_status not in self.holders:  # (not given: counted, as it cannot be told)
            self.other_status.append(f"{path} {officer.employment_status}")
            return
        named = level_in_name(pos, policy)  # the level its name ends with, as a candidate's is read
        level = pos.level or named
        if pos.level and named and named != pos.level:
            self.warnings.append(f"{path} (id {officer.id}): position {pos.name!r} names level {named} but "
                                 f"position.level is {pos.level}: counted at {pos.level} / nama jabatan dan "
                                 f"jenjangnya berbeda")
        if level is not None and level not in policy.levels:
            self.problems.append(Problem(
                "W011", f"pejabat {officer.id}: jenjang {said(level)} bukan jenjang jabatan ini; tidak dihitung",
                f"officer {officer.id} holds {pos.name!r} at level {said(level)}, which the position does not have: "
                "not counted", path=f"{path}.position.level",
                hint=f"the levels are {', '.join(policy.levels)} / jenjang yang ada: {', '.join(policy.levels)}",
                **located))
        elif level is None:
            self.problems.append(Problem(
                "W015", f"pejabat {officer.id} tanpa jenjang: tidak dihitung",
                f"officer {officer.id} holds {pos.name!r} at no level: not counted", path=f"{path}.position",
                hint=f"give position.level: one of {', '.join(policy.levels)} / isi position.level: salah satu dari "
                     f"{', '.join(policy.levels)}", **located))
        elif not officer.region:
            self.problems.append(Problem(
                "W016", f"pejabat {officer.id} tanpa wilayah: tidak dihitung",
                f"officer {officer.id} has no region: not counted", path=f"{path}.region",
                hint="give the region the officer works in / isi region dengan wilayah tempat pejabat bekerja",
                **located))
        elif (first := self.officers.get(officer.id)) is not None:
            self.problems.append(Problem(
                "W014", f"pejabat {officer.id} sudah dihitung di {first}",
                f"officer {officer.id} was already counted at {first}; this record is not counted",
                path=path, **located))
        else:
            self.officers[officer.id] = str(where)
            self._add(officer.region, str(level), 1)


def _own_numbers(raw: Any) -> Any:
    """An officer's record with its own numbers as a candidate file reads them: the workload readers
    keep a YAML number written in three-digit groups as its text (a count's thousands, see
    ``_inputs._amount``), but an officer's credit points ``9.375`` are a number with three decimals,
    and a record refused for them would leave the officer uncounted."""
    if not isinstance(raw, Mapping):
        return raw
    read = {key: Decimal(value.strip()) for key in NUMBER_FIELDS
            if isinstance(value := raw.get(key), str) and value.count(".") == 1 and GROUPED.fullmatch(value.strip())}
    return {**raw, **read} if read else raw
