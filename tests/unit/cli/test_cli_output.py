"""Rendering shared by the client commands: Go-style cells, the two-column table, JSON."""

from __future__ import annotations

import io
import json

import pytest

from strongroom.cli.output import Output, format_value, render_table, wrap


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, "true"),
        (False, "false"),
        (None, "n/a"),
        ("", "n/a"),
        (0, "0"),
        ("shamir", "shamir"),
        ([], "[]"),
        (["a", "b"], "[a b]"),
        ({"b": 2, "a": True}, "map[a:true b:2]"),
    ],
)
def test_cells_print_like_go_values(value: object, expected: str) -> None:
    assert format_value(value) == expected


def test_table_has_an_underlined_header_and_aligned_values() -> None:
    table = render_table([("Seal Type", "shamir"), ("Sealed", True), ("Unseal Nonce", "")])
    assert table.splitlines() == [
        "Key             Value",
        "---             -----",
        "Seal Type       shamir",
        "Sealed          true",
        "Unseal Nonce    n/a",
    ]


def test_table_without_header() -> None:
    assert render_table([("Key Term", 2), ("Encryption Count", 0)], header=False).splitlines() == [
        "Key Term            2",
        "Encryption Count    0",
    ]
    assert render_table([], header=False) == ""


def test_prose_wraps_at_78_columns() -> None:
    lines = wrap("word " * 60).splitlines()
    assert len(lines) > 1 and max(len(line) for line in lines) <= 78


def test_output_chooses_table_or_json_and_sends_warnings_to_stderr() -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    table = Output("table", stdout, stderr)
    table.data([("Sealed", False)], {"sealed": False})
    table.warn("careful")
    assert stdout.getvalue() == "Key       Value\n---       -----\nSealed    false\n"
    assert stderr.getvalue() == "careful\n"

    stdout = io.StringIO()
    machine = Output("json", stdout, stderr)
    machine.data([("Sealed", False)], {"sealed": False, "t": 3})
    assert json.loads(stdout.getvalue()) == {"sealed": False, "t": 3}
    assert not machine.is_table

    with pytest.raises(ValueError, match="unknown output format"):
        Output("yaml")
