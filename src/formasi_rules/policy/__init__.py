"""Policies: declarative rule files, loaded and validated into a :class:`Policy`."""

from ._fields import HISTORIES, RECORD, SYSTEM_FIELDS, Field
from ._load import checked, is_base_policy, load_checked, load_policy, policy_folder
from ._model import (
    All, AnyOf, Citation, Condition, FieldValue, Identity, Literal, Not, Period, Policy, Route, Rule, Source,
    Table, TableRef, TableRow, Test, ThisLevel, tests_of,
)
from ._vocabulary import Vocabulary, fold

__all__ = [
    "HISTORIES", "RECORD", "SYSTEM_FIELDS", "All", "AnyOf", "Citation", "Condition", "Field", "FieldValue",
    "Identity", "Literal", "Not", "Period", "Policy", "Route", "Rule", "Source", "Table", "TableRef", "TableRow",
    "Test", "ThisLevel", "Vocabulary", "checked", "fold", "is_base_policy", "load_checked", "load_policy",
    "policy_folder", "tests_of",
]
