"""Durations, booleans and integers in the spellings Vault accepts (go-secure-stdlib/parseutil)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strongroom.logical.values import parse_bool, parse_duration, parse_int

MAX_SECONDS = (2**63 - 1) // 1_000_000_000  # Go's time.Duration limit, in whole seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("768h", 2_764_800),
        ("1h30m", 5400),
        ("90s", 90),
        ("90", 90),
        ("+90", 90),
        ("0", 0),
        ("0s", 0),
        ("", 0),  # Vault: the empty string is "not set"
        ("1.5h", 5400),
        (".5m", 30),
        ("1.s", 1),
        ("1h1m1s", 3661),
        ("1s1h", 3601),  # Go accepts components in any order
        ("2d", 172_800),
        ("1d12h", 129_600),
        ("-0s", 0),
        # Sub-second parts are truncated, as Vault's int(duration.Seconds()) does.
        ("500ms", 0),
        ("1500ms", 1),
        ("999999999ns", 0),
        ("1000000us", 1),
        ("2000000\u00b5s", 2),  # MICRO SIGN
        ("3000000\u03bcs", 3),  # GREEK SMALL LETTER MU
        ("2562047h47m16.854775807s", MAX_SECONDS),
        (0, 0),
        (3600, 3600),
        (1.9, 1),
        (2.0, 2),
    ],
)
def test_parse_duration_accepts_vault_spellings(value: str | int | float, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value",
    [
        "-5s",
        "-1",
        "-1h30m",
        -1,
        -0.5,
        "5x",
        "h",
        ".s",
        ".",
        "1h-5m",
        "1 h",
        " 1h",
        "1H",
        "1e3",
        "0x10",
        "1_000",
        "forever",
        "+",
        "2562047h47m16.854775808s",  # one nanosecond past Go's limit
        "9999999999999h",
        10**20,
        float("inf"),
        float("nan"),
        True,
        None,
        [],
    ],
)
def test_parse_duration_rejects_negative_and_malformed(value: object) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)  # type: ignore[arg-type]


def test_duration_errors_do_not_echo_the_value() -> None:
    with pytest.raises(ValueError, match="invalid duration") as info:
        parse_duration("s3cr3t-value")
    assert "s3cr3t" not in str(info.value)


@given(hours=st.integers(0, 10_000), minutes=st.integers(0, 59), seconds=st.integers(0, 59))
def test_go_duration_strings_round_trip(hours: int, minutes: int, seconds: int) -> None:
    total = hours * 3600 + minutes * 60 + seconds
    assert parse_duration(f"{hours}h{minutes}m{seconds}s") == total
    assert parse_duration(str(total)) == total
    assert parse_duration(total) == total
    assert parse_duration(f"{total * 1000 + 999}ms") == total  # truncated, never rounded up


@pytest.mark.parametrize("value", ["1", "t", "T", "TRUE", "true", "True", True, 1])
def test_parse_bool_true(value: object) -> None:
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["0", "f", "F", "FALSE", "false", "False", False, 0])
def test_parse_bool_false(value: object) -> None:
    assert parse_bool(value) is False


@pytest.mark.parametrize(
    "value", ["yes", "no", "on", "tRUE", "", " true", "2", 2, -1, 1.0, 0.0, None, [], {}]
)
def test_parse_bool_rejects_everything_else(value: object) -> None:
    with pytest.raises(ValueError, match="invalid boolean"):
        parse_bool(value)


@pytest.mark.parametrize(
    ("value", "number"),
    [(0, 0), (33554432, 33554432), (-1, -1), ("1024", 1024), ("-5", -5), ("+7", 7), (10.0, 10)],
)
def test_parse_int(value: object, number: int) -> None:
    assert parse_int(value) == number


@pytest.mark.parametrize("value", ["", "1e3", "0x10", "1_000", " 1", "1.5", 1.5, True, None, []])
def test_parse_int_rejects_non_integers(value: object) -> None:
    with pytest.raises(ValueError, match="invalid integer"):
        parse_int(value)
