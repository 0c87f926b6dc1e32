"""What every command prints: the vault CLI's "Key  Value" table, or indented JSON.

Results go to stdout; warnings and errors go to stderr, as the vault CLI does, so a script
piping `-format=json` gets only the document.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

FORMATS = ("table", "json")
WRAP_WIDTH = 78  # the vault CLI wraps its explanations at 78 columns
COLUMN_GLUE = "    "
EMPTY_CELL = "n/a"
TABLE_HEADER = ("Key", "Value")

Row = tuple[str, object]


def format_value(value: object) -> str:
    """A cell the way the vault CLI prints Go values: `true`, `[a b]`, `n/a` for empty."""
    if value is None or value == "":
        return EMPTY_CELL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(_plain(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{_plain(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _plain(value: object) -> str:
    return "" if value is None else format_value(value)


def render_table(rows: Iterable[Row], *, header: bool = True) -> str:
    """Two columns padded to the widest key; with a header, underlined like the vault CLI's."""
    cells = [(key, format_value(value)) for key, value in rows]
    if header:
        key, value = TABLE_HEADER
        cells = [(key, value), ("-" * len(key), "-" * len(value)), *cells]
    if not cells:
        return ""
    width = max(len(key) for key, _ in cells)
    return "\n".join(f"{key.ljust(width)}{COLUMN_GLUE}{value}" for key, value in cells)


def render_json(document: Any) -> str:
    return json.dumps(document, indent=2)


def wrap(text: str) -> str:
    return textwrap.fill(text, WRAP_WIDTH)


class Output:
    """One command's output, in the format chosen with `-format`."""

    def __init__(
        self, format: str = "table", stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        if format not in FORMATS:
            raise ValueError(f"unknown output format {format!r}")
        self.format = format
        self._stdout = stdout
        self._stderr = stderr

    @property
    def is_table(self) -> bool:
        return self.format == "table"

    def line(self, text: str = "") -> None:
        print(text, file=self._stdout or sys.stdout)

    def wrapped(self, text: str) -> None:
        """Prose, wrapped as the vault CLI wraps its explanations."""
        self.line(wrap(text))

    def paragraph(self, text: str) -> None:
        """A blank line, then wrapped prose."""
        self.line()
        self.wrapped(text)

    def warn(self, text: str) -> None:
        print(wrap(text), file=self._stderr or sys.stderr)

    def error(self, text: str) -> None:
        print(text, file=self._stderr or sys.stderr)

    def table(self, rows: Sequence[Row], *, header: bool = True) -> None:
        self.line(render_table(rows, header=header))

    def json(self, document: Any) -> None:
        self.line(render_json(document))

    def data(self, rows: Sequence[Row], document: Any, *, header: bool = True) -> None:
        """The rows as a table, or the document as JSON: the two views of one result."""
        if self.is_table:
            self.table(rows, header=header)
        else:
            self.json(document)
