"""Rendering shared by the client commands: Go-style cells, the two-column table, JSON."""

from __future__ import annotations

import io
import json

import pytest

from strongroom.cli.output import (
    Output,
    format_value,
    go_quoted,
    go_value,
    human_duration,
    looks_like_duration,
    render_columns,
    render_table,
    wrap,
)


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


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (0, "0s"),
        (59, "59s"),
        (60, "1m"),
        (90, "1m30s"),
        (3600, "1h"),
        (3601, "1h1s"),
        (3660, "1h1m"),
        (2764800, "768h"),
        (-5, "-5s"),
        ("1h", "1h"),
        (True, True),
    ],
)
def test_durations_print_like_the_vault_cli(seconds: object, expected: object) -> None:
    assert human_duration(seconds) == expected


def test_go_values_and_quoted_lists() -> None:
    assert go_value(None) == "<nil>" and go_value([None, {"a": None}]) == "[<nil> map[a:<nil>]]"
    assert go_quoted(["root", 'say "hi"']) == '["root" "say \\"hi\\""]'
    assert go_quoted(None) == "[]"
    assert looks_like_duration("token_ttl") and not looks_like_duration("ttl_seconds")


def test_columns_pad_all_but_the_last() -> None:
    table = render_columns([["a/", "kv", ""], ["longer/", "system", "d"]], ["Path", "Type", "D"])
    assert table.splitlines() == [
        "Path       Type      D",
        "----       ----      -",
        "a/         kv        n/a",
        "longer/    system    d",
    ]


def test_raw_values_end_with_a_newline_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    piped, terminal = io.StringIO(), Terminal()
    Output("table", piped).raw("value")
    Output("table", terminal).raw("value")
    assert (piped.getvalue(), terminal.getvalue()) == ("value", "value\n")
