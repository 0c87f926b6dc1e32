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
NIL = "<nil>"  # Go's `%v` of a JSON null
TABLE_HEADER = ("Key", "Value")

Row = tuple[str, object]


def format_value(value: object) -> str:
    """A cell the way the vault CLI prints Go values: `true`, `[a b]`, `n/a` for empty."""
    if value is None or value == "":
        return EMPTY_CELL
    return go_value(value)


def go_value(value: object) -> str:
    """A decoded JSON value as Go's `%v` prints it: `true`, `[a b]`, `map[k:v]`, `<nil>`."""
    if value is None:
        return NIL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "map[" + " ".join(f"{k}:{go_value(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def go_quoted(values: Iterable[object] | None) -> str:
    """A list of strings as Go's `%q` prints it: `["a" "b"]`."""
    return "[" + " ".join(json.dumps(str(v), ensure_ascii=False) for v in values or ()) + "]"


def looks_like_duration(key: str) -> bool:
    """Whether the vault CLI prints a field of this name as a duration (`ttl`, `*_period`…)."""
    return key in ("period", "ttl", "duration", "lease_max", "ttl_max") or key.endswith(
        ("_period", "_ttl", "_duration")
    )


def human_duration(value: object) -> object:
    """Whole seconds as a Go duration without its zero units (`1h`, `1m30s`, `0s`).

    Anything but an integer is returned unchanged, as the vault CLI does.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    sign, seconds = ("-" if value < 0 else ""), abs(value)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        text = f"{hours}h{minutes}m{seconds}s"
    elif minutes:
        text = f"{minutes}m{seconds}s"
    else:
        return f"{sign}{seconds}s"
    text = text.removesuffix("m0s") + ("m" if text.endswith("m0s") else "")
    return sign + text.replace("h0m", "h")


def render_table(rows: Iterable[Row], *, header: bool = True) -> str:
    """Two columns padded to the widest key; with a header, underlined like the vault CLI's."""
    cells = [(key, value) for key, value in rows]
    return render_columns(cells, TABLE_HEADER if header else None)


def render_columns(rows: Iterable[Sequence[object]], header: Sequence[str] | None) -> str:
    """Columns padded to their widest cell (the last one not padded), as Go's columnize does.

    A header is underlined with dashes; empty cells read `n/a`.
    """
    cells = [[format_value(value) for value in row] for row in rows]
    if header is not None:
        cells = [list(header), ["-" * len(name) for name in header], *cells]
    if not cells:
        return ""
    columns = max(len(row) for row in cells)
    widths = [max(len(row[i]) for row in cells if i < len(row)) for i in range(columns)]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append(COLUMN_GLUE.join([*padded, row[-1]]))
    return "\n".join(lines)


def render_json(document: Any) -> str:
    return json.dumps(document, indent=2)


def wrap(text: str, width: int = WRAP_WIDTH) -> str:
    return textwrap.fill(text, width)


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

    def columns(self, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        self.line(render_columns(rows, header))

    def raw(self, text: str) -> None:
        """A bare value for scripts: no trailing newline unless stdout is a terminal."""
        stream = self._stdout or sys.stdout
        stream.write(text + ("\n" if stream.isatty() else ""))
        stream.flush()

    def json(self, document: Any) -> None:
        self.line(render_json(document))

    def data(self, rows: Sequence[Row], document: Any, *, header: bool = True) -> None:
        """The rows as a table, or the document as JSON: the two views of one result."""
        if self.is_table:
            self.table(rows, header=header)
        else:
            self.json(document)
