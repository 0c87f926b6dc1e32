"""Client commands without a server: flags, the views they print, local decoding."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from strongroom.cli import command
from strongroom.cli.main import build_parser, main
from strongroom.cli.operator import rfc822
from strongroom.cli.operator_generate_root import status_rows
from strongroom.cli.operator_rekey import rekey_rows, verification_rows
from strongroom.cli.status import seal_status_document, seal_status_rows
from strongroom.seal.root_generation import encode_token

TOKEN = "hvs.abcdefghijklmnopqrstuvwx"
OTP = "0123456789abcdefghijklmnopqr"


def test_vault_style_flags() -> None:
    parser = build_parser()
    args = parser.parse_args(["operator", "init", "-key-shares=7", "-t", "4", "-format=json"])
    assert (args.key_shares, args.key_threshold, args.format, args.status) == (7, 4, "json", False)
    assert parser.parse_args(["operator", "init"]).key_shares == 5
    args = parser.parse_args(["operator", "rekey", "-nonce=abc", "-verify", "KEY"])
    assert (args.nonce, args.verify, args.key, args.init) == ("abc", True, "KEY", False)
    args = parser.parse_args(["operator", "unseal", "-address=https://h:1", "-tls-skip-verify"])
    assert (args.address, args.tls_skip_verify, args.key, args.reset) == (
        "https://h:1",
        True,
        None,
        False,
    )
    args = parser.parse_args(["status", "-ca-cert", "/ca.pem"])
    assert args.ca_cert == "/ca.pem"


@pytest.mark.parametrize(
    "argv",
    [
        ["operator", "rekey", "-init", "-cancel"],
        ["operator", "generate-root", "-init", "-decode=x"],
        ["operator", "init", "-key-sh=3"],  # no abbreviations
        ["status", "-format=yaml"],
    ],
)
def test_rejected_flags(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(argv)
    assert "error:" in capsys.readouterr().err


SEALED = {
    "type": "shamir",
    "initialized": True,
    "sealed": True,
    "t": 3,
    "n": 5,
    "progress": 1,
    "nonce": "n-1",
    "version": "1.17.0",
    "build_date": "2026-01-01T00:00:00Z",
    "storage_type": "inmem",
}


def test_sealed_status_shows_progress_and_no_cluster() -> None:
    rows = dict(seal_status_rows(SEALED, {"ha_enabled": False}))
    assert rows["Unseal Progress"] == "1/3" and rows["Unseal Nonce"] == "n-1"
    assert rows["Total Shares"] == 5 and rows["HA Enabled"] is False
    assert "Cluster Name" not in rows and "HA Mode" not in rows


def test_unsealed_ha_status_rows_and_document() -> None:
    unsealed = {**SEALED, "sealed": False, "cluster_name": "c", "cluster_id": "id"}
    leader = {
        "ha_enabled": True,
        "is_self": False,
        "active_time": "0001-01-01T00:00:00Z",
        "leader_address": "https://active:8200",
        "leader_cluster_address": "https://active:8201",
        "raft_committed_index": 0,
    }
    rows = dict(seal_status_rows(unsealed, leader))
    assert "Unseal Progress" not in rows
    assert (rows["Cluster Name"], rows["HA Mode"]) == ("c", "standby")
    assert rows["Active Node Address"] == "https://active:8200"
    assert "Active Since" not in rows and "Raft Committed Index" not in rows
    document = seal_status_document(unsealed, leader)
    assert document["ha_enabled"] is True and "active_time" not in document
    assert document["leader_address"] == "https://active:8200"
    active = dict(seal_status_rows(unsealed, {**leader, "is_self": True, "active_time": "t"}))
    assert (active["HA Mode"], active["Active Since"]) == ("active", "t")


def test_recovery_seal_rows() -> None:
    rows = dict(seal_status_rows({**SEALED, "recovery_seal": True, "recovery_seal_type": "x"}, {}))
    assert rows["Recovery Seal Type"] == "x" and "Total Recovery Shares" in rows


def test_rekey_rows() -> None:
    assert dict(rekey_rows({"started": False, "nonce": ""})) == {"Nonce": "", "Started": False}
    started = {"started": True, "nonce": "n", "t": 3, "n": 4, "progress": 2, "required": 2}
    rows = dict(rekey_rows({**started, "verification_required": True}))
    assert rows["Progress"] == "2/2 (verification in progress)"
    assert (rows["New Shares"], rows["New Threshold"], rows["Verification Required"]) == (
        4,
        3,
        True,
    )
    verifying = dict(
        verification_rows({"started": True, "nonce": "v", "t": 3, "n": 4, "progress": 1})
    )
    assert (verifying["Verification Nonce"], verifying["Verification Progress"]) == ("v", "1/3")


def test_generate_root_rows() -> None:
    rows = dict(
        status_rows(
            {
                "started": True,
                "nonce": "n",
                "progress": 1,
                "required": 3,
                "otp": "o",
                "otp_length": 28,
            }
        )
    )
    assert (rows["Progress"], rows["OTP"], rows["OTP Length"]) == ("1/3", "o", 28)
    done = dict(status_rows({"complete": True, "encoded_root_token": "E"}))
    assert done["Encoded Root Token"] == "E" and "OTP" not in done


def test_install_time_in_rfc822() -> None:
    assert rfc822("2026-12-04T21:44:21.274665Z") == "04 Dec 26 21:44 UTC"
    assert rfc822("2026-12-04T21:44:21") == "04 Dec 26 21:44 UTC"
    assert rfc822("not a time") == "not a time"


def test_decode_is_local(capsys: pytest.CaptureFixture[str]) -> None:
    encoded = encode_token(TOKEN, OTP)
    address = "-address=https://127.0.0.1:1"  # nothing listens: decoding needs no server
    assert main(["operator", "generate-root", address, f"-decode={encoded}", f"-otp={OTP}"]) == 0
    assert capsys.readouterr().out == TOKEN + "\n"
    argv = [
        "operator",
        "generate-root",
        address,
        f"-decode={encoded}",
        f"-otp={OTP}",
        "-format=json",
    ]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out) == {"token": TOKEN}


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["-decode=abc"], "Missing otp"),
        (["-decode=", f"-otp={OTP}"], "Missing encoded value"),
        (["-decode=abcd", f"-otp={OTP}"], "Error decoding root token"),
    ],
)
def test_decode_failures_exit_1(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["operator", "generate-root", *flags]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and OTP not in captured.err


def test_keys_from_arguments_stdin_and_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert command.read_key(" k1 ") == "k1"
    monkeypatch.setattr("sys.stdin", io.StringIO("k2\nrest\n"))
    assert command.read_key(None) == "k2"  # not a terminal: one line
    monkeypatch.setattr("sys.stdin", io.StringIO("k3\n"))
    assert command.read_key("-") == "k3"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(command.CommandFailed, match="Missing key") as raised:
        command.read_key(None)
    assert raised.value.exit_code == command.EXIT_USAGE


def test_prompt_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def prompt_for(prompt: str) -> str:
        prompts.append(prompt)
        return "share"

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", prompt_for)
    assert command.read_share_and_nonce(None, "", "current", "Operation nonce") == (
        "share",
        "current",
    )
    assert prompts == ["Unseal Key (will be hidden): "]

    def interrupted(prompt: str) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr("getpass.getpass", interrupted)
    with pytest.raises(command.CommandFailed, match="user canceled"):
        command.read_key(None)


def test_a_share_argument_needs_the_nonce_flag() -> None:
    assert command.read_share_and_nonce("key", "n-1", "ignored", "x") == ("key", "n-1")
    with pytest.raises(command.CommandFailed, match="Missing nonce value"):
        command.read_share_and_nonce("key", "", "current", "x")


def test_migration_and_raft_rows() -> None:
    rows = dict(seal_status_rows({**SEALED, "migration": True}, {"raft_applied_index": 7}))
    assert rows["Seal Migration in Progress"] is True and rows["Raft Applied Index"] == 7


def test_decode_reads_the_encoded_token_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(encode_token(TOKEN, OTP) + "\n"))
    assert main(["operator", "generate-root", "-decode=-", f"-otp={OTP}"]) == 0
    assert capsys.readouterr().out == TOKEN + "\n"


def test_client_set_up_errors_use_the_command_s_error_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ca = f"-ca-cert={tmp_path / 'missing.pem'}"
    assert main(["status", ca]) == 1  # 2 would mean "sealed"
    assert main(["operator", "seal", ca]) == 2
    assert capsys.readouterr().err.count("Error loading CA certificate") == 2
