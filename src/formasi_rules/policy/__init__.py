"""Policies: declarative rule files, loaded and validated into a :class:`Policy`."""

from ._fields import FIELDS, Field
from ._load import load_policy
from ._model import (
    All, AnyOf, Citation, Condition, Literal, Not, Period, Policy, Route, Rule, Source, Table,
    TableRef, TableRow, Test, ThisLevel,
)

__all__ = [
    "FIELDS", "All", "AnyOf", "Citation", "Condition", "Field", "Literal", "Not", "Period",
    "Policy", "Route", "Rule", "Source", "Table", "TableRef", "TableRow", "Test", "ThisLevel",
    "load_policy",
]
