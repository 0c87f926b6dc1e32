"""Declarative backends: a table of paths, typed fields and handlers per operation."""

from strongroom.framework.backend import FrameworkBackend
from strongroom.framework.fields import Field, FieldData, FieldType
from strongroom.framework.path import ExistenceCheck, Handler, PathSpec, SecretType

__all__ = [
    "ExistenceCheck",
    "Field",
    "FieldData",
    "FieldType",
    "FrameworkBackend",
    "Handler",
    "PathSpec",
    "SecretType",
]
