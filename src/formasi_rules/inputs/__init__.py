"""Input data: candidate records and formation places, read and validated."""

from ._candidate import Candidate, CompetencyTest, PerformanceRating, Position, RankHeld, Request
from ._structure import read_line, structure_candidate
from ._formation import Formation, formation_from_mapping, formation_from_rows, read_formation, region_key
from ._read import (
    FORMATS, JsonLine, check_columns, detect_format, flat_record, path_of, read_records, sep_directive,
)

__all__ = [
    "FORMATS", "Candidate", "JsonLine", "CompetencyTest", "Formation", "PerformanceRating",
    "Position", "RankHeld", "Request", "check_columns", "detect_format", "flat_record", "formation_from_mapping",
    "formation_from_rows", "read_formation", "path_of", "read_line", "read_records", "region_key",
    "sep_directive", "structure_candidate",
]
