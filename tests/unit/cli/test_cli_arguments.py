"""The vault CLI's argument forms: `k=v` data, `@file`, `-` (stdin), `-metadata=k=v`."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from strongroom.cli.arguments import (
    InvalidArguments,
    add_bool_flag,
    boolean,
    duration,
    duration_or_system,
    key_value,
    parse_data,
    query_parameters,
    seconds,
)


def parse(*arguments: str, stdin: str = "") -> dict[str, object]:
    return parse_data(arguments, io.StringIO(stdin))


def test_pairs_are_strings_and_repeated_keys_collect_a_list() -> None:
    assert parse("a=1", "b=x=y", "c=", "") == {"a": "1", "b": "x=y", "c": ""}
    assert parse("k=1", "k=2", "k=3") == {"k": ["1", "2", "3"]}


def test_values_from_files_and_stdin(tmp_path: Path) -> None:
    secret = tmp_path / "secret.pem"
    secret.write_text("-----BEGIN-----\nabc\n")
    assert parse(f"pem=@{secret}") == {"pem": "-----BEGIN-----\nabc\n"}  # not trimmed
    assert parse("at=\\@literal") == {"at": "@literal"}
    assert parse("v=-", stdin="from stdin\n") == {"v": "from stdin\n"}


def test_json_objects_from_stdin_and_files_are_merged(tmp_path: Path) -> None:
    document = tmp_path / "data.json"
    document.write_text('{"port": 5432, "tags": ["a"]}')
    assert parse("-", "x=1", stdin='{"a": {"b": true}}') == {"a": {"b": True}, "x": "1"}
    # A key given again joins the value from the file in a list, as in the vault CLI.
    assert parse(f"@{document}", "port=1") == {"port": [5432, "1"], "tags": ["a"]}


@pytest.mark.parametrize(
    ("arguments", "stdin", "reason"),
    [
        (["novalue"], "", "format must be key=value"),
        (["a=-", "b=-"], "x", "stdin already consumed"),
        (["-"], "[1, 2]", "must be an object"),
        (["-"], "{not json", "not valid JSON"),
        (["k=@/nonexistent/file"], "", "error reading file: No such file or directory"),
    ],
)
def test_bad_arguments_say_which_and_why(arguments: list[str], stdin: str, reason: str) -> None:
    with pytest.raises(InvalidArguments, match="invalid key/value pair") as raised:
        parse_data(arguments, io.StringIO(stdin))
    assert reason in str(raised.value)


def test_query_parameters_are_lists_of_strings() -> None:
    data = {"version": "3", "list": ["a", 2], "flag": True, "off": False, "none": None}
    assert query_parameters(data) == {
        "version": ["3"],
        "list": ["a", "2"],
        "flag": ["1"],
        "off": ["0"],
        "none": [""],
    }
    with pytest.raises(InvalidArguments, match="failed to convert"):
        query_parameters({"nested": {"a": 1}})


def test_flag_types() -> None:
    assert key_value("team=ops=dev") == ("team", "ops=dev")
    assert boolean("false") is False and boolean("1") is True
    assert seconds("1h30m") == 5400 and seconds("90") == 90
    assert duration("30m") == "30m"
    assert duration_or_system("system") == "system"
    for convert, text in ((key_value, "novalue"), (boolean, "maybe"), (seconds, "soon")):
        with pytest.raises(argparse.ArgumentTypeError):
            convert(text)


def test_bool_flags_take_an_optional_value() -> None:
    parser = argparse.ArgumentParser()
    add_bool_flag(parser, "-orphan", "no parent")
    assert parser.parse_args([]).orphan is False
    assert parser.parse_args(["-orphan"]).orphan is True
    assert parser.parse_args(["-orphan=false"]).orphan is False
