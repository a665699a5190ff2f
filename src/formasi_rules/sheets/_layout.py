"""The workbook layout, shared by the template, the reader and the writer (documented in
docs/spreadsheets.md). Sheet names are Indonesian; column headers are the field names of the
CSV files. Give the workbook itself to ``formasi formation``: a sheet saved as CSV keeps the
template's unfilled rows and its ``keterangan`` column, which a CSV file may not have."""

WORKLOAD_SHEET = "beban_kerja"  # one long sheet: a row per region, activity and level
OFFICERS_SHEET = "pejabat"  # officers in post: region, level, count
CATALOGUE_SHEET = "katalog"  # the policy's activity catalogue, protected
LISTS_SHEET = "daftar"  # the lists the data validation reads, and the parameters, protected
GUIDE_SHEET = "petunjuk"  # instructions in Bahasa Indonesia

WORKLOAD_COLUMNS = ("region", "activity", "level", "volume", "period", "norm_minutes")
OFFICERS_COLUMNS = ("region", "level", "count")
NOTE_COLUMN = "keterangan"  # a helper column for people (the activity's name); never read

# The cells the template fills in. A row holding nothing else (no volume, no count) is a template
# row left empty, and is skipped rather than reported.
PREFILLED = {WORKLOAD_SHEET: frozenset({"region", "activity", "level", "period"}),
             OFFICERS_SHEET: frozenset({"region", "level"})}

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(source) -> bool:
    import os

    return isinstance(source, (str, os.PathLike)) and os.fspath(source).lower().endswith(WORKBOOK_SUFFIXES)


def citation_text(citation: dict | None, confidence: str = "[{}]") -> str:
    """A citation as one cell's text: title, article, and the confidence in ``confidence``'s form."""
    if not citation:
        return ""
    text = citation.get("title") or citation.get("source", "")
    if citation.get("article"):
        text += f", {citation['article']}"
    if citation.get("confidence"):
        text += " " + confidence.format(citation["confidence"])
    return text
