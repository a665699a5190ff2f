"""Input data: candidate records and formation places, read and validated."""

from ._candidate import Candidate, CompetencyTest, Names, PerformanceRating, Position, RankHeld, Request
from ._structure import read_line, record_columns, structure_candidate
from ._formation import Formation, formation_from_mapping, formation_from_rows, read_formation, region_key
from ._read import (
    FORMATS, JsonLine, check_columns, detect_format, flat_record, id_alone, line_of, name_columns, path_of,
    read_records,
    sep_directive,
)

__all__ = [
    "FORMATS", "Candidate", "JsonLine", "CompetencyTest", "Formation", "Names", "PerformanceRating",
    "Position", "RankHeld", "Request", "check_columns", "detect_format", "flat_record", "formation_from_mapping",
    "formation_from_rows", "id_alone", "line_of", "name_columns", "read_formation", "path_of", "read_line",
    "read_records",
    "record_columns", "region_key",
    "sep_directive", "structure_candidate",
]
