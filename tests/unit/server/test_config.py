"""The server configuration loader: Vault's HCL and JSON files, merged, checked, with warnings."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from strongroom.errors import ConfigError
from strongroom.server.config import (
    AuditStanza,
    ListenerConfig,
    ServerConfig,
    StorageConfig,
    load_config,
)
from strongroom.server.config_schema import (
    DEFAULT_MAX_REQUEST_SIZE,
    NO_REQUEST_SIZE_LIMIT,
    split_address,
)

PLAIN_LISTENER = 'listener "tcp" {\n  tls_disable = true\n}\n'
INMEM = 'storage "inmem" {}\n'


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def write_json(directory: Path, name: str, document: object) -> str:
    return write(directory, name, json.dumps(document))


def load_one(tmp_path: Path, text: str, name: str = "config.hcl") -> ServerConfig:
    config, _ = load_config([write(tmp_path, name, text)])
    return config


def error_of(tmp_path: Path, text: str, name: str = "config.hcl") -> str:
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_config([path])
    message = str(info.value)
    assert message.startswith(path + ": "), message  # every error names its file first
    return message


# --- defaults and the two formats ------------------------------------------------------------


def test_defaults(tmp_path: Path) -> None:
    config, warnings = load_config([write(tmp_path, "config.hcl", INMEM + PLAIN_LISTENER)])
    assert warnings == []
    assert config.storage == StorageConfig("inmem", {})
    assert config.api_addr is None
    assert config.cluster_addr is None
    assert config.cluster_name is None
    assert config.default_lease_ttl == 2_764_800
    assert config.max_lease_ttl == 2_764_800
    assert config.default_max_request_duration == 90
    assert config.disable_mlock is False
    assert config.ui is False
    assert config.log_level == "info"
    assert config.log_format == "standard"
    assert config.audit == []
    [listener] = config.listeners
    assert listener == ListenerConfig(
        tls_disable=True, source=str(tmp_path / "config.hcl"), max_request_duration=90
    )
    assert (listener.address, listener.host, listener.port) == ("127.0.0.1:8200", "127.0.0.1", 8200)
    assert listener.tls_min_version == "tls12"
    assert listener.max_request_size == 33_554_432
    assert listener.disable_unauthed_rekey_endpoints is False
    assert listener.disable_unauthed_generate_root_endpoints is False


FULL_HCL = """
ui            = true
cluster_name  = "prod"
api_addr      = "https://node1.example:8200"
cluster_addr  = "https://node1.example:8201"
disable_mlock = true
default_lease_ttl = "1h"
max_lease_ttl     = "768h"
default_max_request_duration = "30s"
log_level  = "DEBUG"
log_format = "json"

storage "postgresql" {
  connection_url = "postgres://u:hunter2@db/x"
  table          = "kv"
  ha_enabled     = true
  max_parallel   = 128
}

listener "tcp" {
  address            = "0.0.0.0:8443"
  tls_cert_file      = "/etc/x/tls.crt"
  tls_key_file       = "/etc/x/tls.key"
  tls_client_ca_file = "/etc/x/ca.pem"
  tls_min_version    = "tls13"
  tls_require_and_verify_client_cert = "true"
  max_request_size   = 1024
  max_request_duration = "2m"
  disable_unauthed_rekey_endpoints = true
  disable_unauthed_generate_root_endpoints = 1
  x_forwarded_for_authorized_addrs = "10.0.0.0/8, 192.168.1.1"
}
"""

FULL_JSON = {
    "ui": True,
    "cluster_name": "prod",
    "api_addr": "https://node1.example:8200",
    "cluster_addr": "https://node1.example:8201",
    "disable_mlock": True,
    "default_lease_ttl": "1h",
    "max_lease_ttl": "768h",
    "default_max_request_duration": 30,
    "log_level": "debug",
    "log_format": "json",
    "storage": {
        "postgresql": {
            "connection_url": "postgres://u:hunter2@db/x",
            "table": "kv",
            "ha_enabled": True,
            "max_parallel": 128,
        }
    },
    "listener": {
        "tcp": {
            "address": "0.0.0.0:8443",
            "tls_cert_file": "/etc/x/tls.crt",
            "tls_key_file": "/etc/x/tls.key",
            "tls_client_ca_file": "/etc/x/ca.pem",
            "tls_min_version": "tls13",
            "tls_require_and_verify_client_cert": True,
            "max_request_size": "1024",
            "max_request_duration": 120,
            "disable_unauthed_rekey_endpoints": "true",
            "disable_unauthed_generate_root_endpoints": True,
            "x_forwarded_for_authorized_addrs": ["10.0.0.0/8", "192.168.1.1"],
        }
    },
}


def test_full_hcl(tmp_path: Path) -> None:
    config, warnings = load_config([write(tmp_path, "config.hcl", FULL_HCL)])
    assert warnings == []
    assert config.ui is True
    assert config.cluster_name == "prod"
    assert config.api_addr == "https://node1.example:8200"
    assert config.cluster_addr == "https://node1.example:8201"
    assert config.disable_mlock is True
    assert (config.default_lease_ttl, config.max_lease_ttl) == (3600, 2_764_800)
    assert config.default_max_request_duration == 30
    assert (config.log_level, config.log_format) == ("debug", "json")
    # Option values are strings, as Vault hands them to a backend.
    assert config.storage == StorageConfig(
        "postgresql",
        {
            "connection_url": "postgres://u:hunter2@db/x",
            "table": "kv",
            "ha_enabled": "true",
            "max_parallel": "128",
        },
    )
    [listener] = config.listeners
    assert (listener.host, listener.port) == ("0.0.0.0", 8443)
    assert listener.tls_disable is False
    assert listener.tls_cert_file == "/etc/x/tls.crt"
    assert listener.tls_key_file == "/etc/x/tls.key"
    assert listener.tls_client_ca_file == "/etc/x/ca.pem"
    assert listener.tls_min_version == "tls13"
    assert listener.tls_require_and_verify_client_cert is True
    assert listener.max_request_size == 1024
    assert listener.max_request_duration == 120
    assert listener.disable_unauthed_rekey_endpoints is True
    assert listener.disable_unauthed_generate_root_endpoints is True
    assert listener.x_forwarded_for_authorized_addrs == ["10.0.0.0/8", "192.168.1.1"]


def test_json_and_hcl_normalise_to_the_same_config(tmp_path: Path) -> None:
    from_hcl, _ = load_config([write(tmp_path, "a.hcl", FULL_HCL)])
    from_json, warnings = load_config([write_json(tmp_path, "b.json", FULL_JSON)])
    assert warnings == []
    assert from_json.listeners[0].source.endswith("b.json")
    same_source = [replace(lst, source="") for lst in from_json.listeners]
    assert replace(from_json, listeners=same_source, raw={}) == replace(
        from_hcl, listeners=[replace(lst, source="") for lst in from_hcl.listeners], raw={}
    )


def test_vault_test_harness_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact shape the Vault/OpenBao test harnesses write, with relative certificate paths."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    document = {
        "backend": {"inmem": {}},
        "listener": {
            "tcp": {
                "address": "127.0.0.1:8200",
                "tls_cert_file": "certs/server.crt",
                "tls_key_file": "./server.key",
            }
        },
        "disable_mlock": True,
    }
    config, warnings = load_config([write_json(tmp_path, "config.json", document)])
    assert warnings == []
    assert config.storage == StorageConfig("inmem", {})
    assert config.disable_mlock is True
    [listener] = config.listeners
    # Relative to the working directory, not to the config file's directory.
    assert listener.tls_cert_file == os.path.join(str(workdir), "certs", "server.crt")
    assert listener.tls_key_file == os.path.join(str(workdir), "server.key")
    assert (listener.host, listener.port, listener.tls_disable) == ("127.0.0.1", 8200, False)


def test_json_list_of_listeners(tmp_path: Path) -> None:
    document = {
        "storage": {"inmem": {}},
        "listener": [
            {"tcp": {"address": "127.0.0.1:8200", "tls_disable": True}},
            {"tcp": {"address": "[::1]:8201", "tls_disable": "1"}},
            {"tcp": [{"address": ":8202", "tls_disable": 1}, {"address": "localhost:0"}]},
        ],
    }
    path = write_json(tmp_path, "config.json", document)
    with pytest.raises(ConfigError, match=r'listener "tcp" #4: tls_cert_file: required'):
        load_config([path])
    document["listener"][2]["tcp"][1]["tls_disable"] = True  # type: ignore[index]
    config, _ = load_config([write_json(tmp_path, "config.json", document)])
    assert [(lst.host, lst.port) for lst in config.listeners] == [
        ("127.0.0.1", 8200),
        ("::1", 8201),
        ("", 8202),
        ("localhost", 0),
    ]


def test_listener_type_in_the_body(tmp_path: Path) -> None:
    document = {"storage": {"inmem": None}, "listener": [{"type": "tcp", "tls_disable": True}]}
    config, warnings = load_config([write_json(tmp_path, "config.json", document)])
    assert warnings == []
    assert config.storage == StorageConfig("inmem", {})
    assert config.listeners[0].tls_disable is True


def test_json_null_means_not_set(tmp_path: Path) -> None:
    document = {
        "storage": {"file": {"path": "/data", "ha_enabled": None}},
        "listener": {"tcp": {"tls_disable": True, "address": None, "max_request_size": None}},
        "api_addr": None,
        "default_lease_ttl": None,
        "ui": None,
        "audit": None,
        "made_up": None,
    }
    config, warnings = load_config([write_json(tmp_path, "config.json", document)])
    assert warnings == []
    assert config.storage.options == {"path": "/data"}
    assert config.api_addr is None
    assert config.default_lease_ttl == 2_764_800
    assert config.listeners[0].address == "127.0.0.1:8200"
    assert config.listeners[0].max_request_size == DEFAULT_MAX_REQUEST_SIZE


def test_zero_durations_mean_the_default(tmp_path: Path) -> None:
    config = load_one(
        tmp_path,
        INMEM + 'default_lease_ttl = "0s"\nmax_lease_ttl = 0\ndefault_max_request_duration = ""\n'
        'listener "tcp" {\n  tls_disable = true\n  max_request_duration = "0"\n}\n',
    )
    assert (config.default_lease_ttl, config.max_lease_ttl) == (2_764_800, 2_764_800)
    assert config.listeners[0].max_request_duration == 90


@pytest.mark.parametrize("value", ["1", '"true"', "true", '"t"', '"TRUE"'])
def test_tls_disable_spellings_hcl(tmp_path: Path, value: str) -> None:
    config = load_one(tmp_path, INMEM + f'listener "tcp" {{\n  tls_disable = {value}\n}}\n')
    assert config.listeners[0].tls_disable is True


@pytest.mark.parametrize("value", [1, "true", True, "1", "True"])
def test_tls_disable_spellings_json(tmp_path: Path, value: object) -> None:
    document = {"storage": {"inmem": {}}, "listener": {"tcp": {"tls_disable": value}}}
    config, _ = load_config([write_json(tmp_path, "config.json", document)])
    assert config.listeners[0].tls_disable is True


@pytest.mark.parametrize("value", ["0", '"false"', "false"])
def test_tls_disable_false_needs_certificates(tmp_path: Path, value: str) -> None:
    message = error_of(tmp_path, INMEM + f'listener "tcp" {{\n  tls_disable = {value}\n}}\n')
    assert message.endswith(': listener "tcp": tls_cert_file: required unless tls_disable is true')


def test_key_file_is_required_too(tmp_path: Path) -> None:
    message = error_of(tmp_path, INMEM + 'listener "tcp" {\n  tls_cert_file = "c.pem"\n}\n')
    assert 'listener "tcp": tls_key_file: required' in message


def test_address_forms() -> None:
    assert split_address("[::1]:8200") == ("::1", 8200)
    assert split_address("[::]:8200") == ("::", 8200)
    assert split_address("[fe80::1%eth0]:8200") == ("fe80::1%eth0", 8200)
    assert split_address("0.0.0.0:8200") == ("0.0.0.0", 8200)
    assert split_address(":8200") == ("", 8200)
    assert split_address("vault.example:443") == ("vault.example", 443)


@pytest.mark.parametrize(
    "address",
    [
        "::1:8200",
        "127.0.0.1",
        "127.0.0.1:",
        "127.0.0.1:http",
        "127.0.0.1:70000",
        "[::1]",
        "[::1]8200",
        "[not-ipv6]:8200",
        "{{ GetPrivateIP }}:8200",
    ],
)
def test_bad_addresses(tmp_path: Path, address: str) -> None:
    message = error_of(
        tmp_path, INMEM + f'listener "tcp" {{\n  tls_disable = 1\n  address = "{address}"\n}}\n'
    )
    assert ': listener "tcp": address: ' in message


def test_ipv6_listener(tmp_path: Path) -> None:
    config = load_one(
        tmp_path, INMEM + 'listener "tcp" {\n  tls_disable = 1\n  address = "[::1]:8200"\n}\n'
    )
    assert (config.listeners[0].host, config.listeners[0].port) == ("::1", 8200)
    assert config.listeners[0].address == "[::1]:8200"


@pytest.mark.parametrize(
    ("value", "size"),
    [
        ("0", DEFAULT_MAX_REQUEST_SIZE),
        ("-1", NO_REQUEST_SIZE_LIMIT),
        ("-100", -1),
        ('"2048"', 2048),
    ],
)
def test_max_request_size(tmp_path: Path, value: str, size: int) -> None:
    config = load_one(
        tmp_path,
        INMEM + f'listener "tcp" {{\n  tls_disable = 1\n  max_request_size = {value}\n}}\n',
    )
    assert config.listeners[0].max_request_size == size


# --- merging ---------------------------------------------------------------------------------


def test_merging_two_files(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.hcl",
        'storage "file" {\n  path = "/a"\n}\n'
        'ui = true\ncluster_name = "one"\napi_addr = "http://a:8200"\n'
        'default_max_request_duration = "20s"\n'
        'listener "tcp" {\n  tls_disable = true\n}\n'
        'audit "file" "first" {\n  options = { file_path = "/a.log" }\n}\n',
    )
    second = write_json(
        tmp_path,
        "b.json",
        {
            "storage": {"inmem": {}},
            "ui": False,
            "cluster_name": "two",
            "default_max_request_duration": "40s",
            "listener": {"tcp": {"address": "127.0.0.1:8300", "tls_disable": True}},
            "audit": {"file": {"second": {"options": {"file_path": "/b.log"}}}},
        },
    )
    config, warnings = load_config([first, second])
    assert config.storage == StorageConfig("inmem", {})
    assert warnings == [f"{second}: storage: replaces the storage stanza of {first}"]
    assert config.ui is False  # the later file wins
    assert config.cluster_name == "two"
    assert config.api_addr == "http://a:8200"  # kept: the later file does not set it
    assert [lst.port for lst in config.listeners] == [8200, 8300]
    assert [lst.source for lst in config.listeners] == [first, second]
    # A listener that leaves max_request_duration unset gets the merged default, even one set
    # by a later file.
    assert [lst.max_request_duration for lst in config.listeners] == [40, 40]
    assert [(a.name, a.options) for a in config.audit] == [
        ("first", {"file_path": "/a.log"}),
        ("second", {"file_path": "/b.log"}),
    ]
    assert config.raw["cluster_name"] == "two"
    assert len(config.raw["listener"]) == 2  # type: ignore[arg-type]


def test_directory_is_read_in_name_order(tmp_path: Path) -> None:
    conf = tmp_path / "conf.d"
    conf.mkdir()
    write(conf, "10-storage.hcl", 'storage "file" {\n  path = "/x"\n}\ncluster_name = "ten"\n')
    write_json(conf, "20-listener.json", {"listener": {"tcp": {"tls_disable": True}}})
    write(conf, "30-name.hcl", 'cluster_name = "thirty"\n')
    write(conf, "README.txt", "not a config file {")
    write(conf, ".#30-name.hcl", "emacs lock file {")
    (conf / "sub.hcl").mkdir()
    write(conf / "sub.hcl", "nested.hcl", "ignored {")
    config, warnings = load_config([str(conf)])
    assert warnings == []
    assert config.storage.kind == "file"
    assert config.cluster_name == "thirty"
    assert len(config.listeners) == 1


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = write(tmp_path, "config.hcl", INMEM + PLAIN_LISTENER)
    config, _ = load_config([str(tmp_path), path])
    assert len(config.listeners) == 1


def test_backend_and_storage_in_one_file_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'backend "inmem" {}\nstorage "file" {\n  path = "/x"\n}\n')
    assert message.endswith(': backend: is the legacy name of "storage"; use only one of them')


def test_two_storage_stanzas_in_one_file_is_an_error(tmp_path: Path) -> None:
    message = error_of(tmp_path, 'storage "inmem" {}\nstorage "file" {}\n')
    assert ': storage: exactly one "storage" stanza is permitted, found 2' in message


def test_missing_storage_is_an_error(tmp_path: Path) -> None:
    a = write(tmp_path, "a.hcl", PLAIN_LISTENER)
    b = write(tmp_path, "b.hcl", "ui = true\n")
    with pytest.raises(ConfigError, match="no storage stanza") as info:
        load_config([a, b])
    assert a in str(info.value)
    assert b in str(info.value)


def test_missing_listener_is_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, "config.hcl", INMEM)
    config, warnings = load_config([path])
    assert config.listeners == []
    assert warnings == [f"{path}: no listener stanza; no client can connect"]


# --- errors name the file and the key, and never echo a value that could be secret -----------


@pytest.mark.parametrize(
    ("snippet", "where"),
    [
        ('default_lease_ttl = "forever"', "default_lease_ttl: invalid duration"),
        ('max_lease_ttl = "-5s"', "max_lease_ttl: invalid duration: must not be negative"),
        ("default_max_request_duration = true", "default_max_request_duration: invalid duration"),
        ('ui = "yes"', "ui: invalid boolean"),
        ("disable_mlock = 2", "disable_mlock: invalid boolean"),
        ("allow_audit_log_prefixing = []", "allow_audit_log_prefixing: invalid boolean"),
        ("cluster_name = true", "cluster_name: expected a string"),
        ('log_level = "loud"', 'log_level: unsupported value "loud": expected one of'),
        ('log_format = "xml"', 'log_format: unsupported value "xml"'),
        ("log_level = 3", "log_level: expected a string"),
        ('listener "tcp" {\n tls_disable = "yes"\n}', 'listener "tcp": tls_disable: invalid'),
        ('listener "tcp" {\n tls_disable = 1\n max_request_duration = "1y"\n}', "max_request_d"),
        ('listener "tcp" {\n tls_disable = 1\n max_request_size = "big"\n}', "max_request_size"),
        ('listener "tcp" {\n tls_disable = 1\n address = 8200\n}', 'tcp": address: missing port'),
        ('listener "tcp" {\n tls_disable = 1\n tls_cert_file = true\n}', "tls_cert_file: expec"),
        (
            'listener "tcp" {\n tls_disable = 1\n'
            ' x_forwarded_for_authorized_addrs = "10.0.0.0/8,x"\n}',
            "x_forwarded_for_authorized_addrs: entry 2 is not an IP address or CIDR block",
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n'
            ' x_forwarded_for_authorized_addrs = ["::1", ""]\n}',
            "x_forwarded_for_authorized_addrs: entry 2 is not an IP address or CIDR block",
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n x_forwarded_for_authorized_addrs = 5\n}',
            "x_forwarded_for_authorized_addrs: expected a list",
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n tls_min_version = "tls10"\n}',
            'listener "tcp": tls_min_version: unsupported value "tls10": '
            "Strongroom supports only tls12 and tls13",
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n tls_max_version = "tls11"\n}',
            'listener "tcp": tls_max_version: unsupported value "tls11"',
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n tls_min_version = "ssl3"\n}',
            'tls_min_version: unsupported value "ssl3": expected one of tls12, tls13',
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n tls_min_version = "tls13"\n'
            ' tls_max_version = "tls12"\n}',
            "tls_max_version: is lower than tls_min_version",
        ),
        (
            'listener "tcp" {\n tls_disable = 1\n tls_require_and_verify_client_cert = true\n'
            " tls_disable_client_certs = true\n}",
            "tls_disable_client_certs: cannot be combined with tls_require_and_verify_client_cert",
        ),
        ('listener "unix" {\n address = "/run/x.sock"\n}', 'listener "unix": unix socket listen'),
        ('listener "udp" {}', 'listener "udp": unsupported listener type "udp"'),
        ("listener = 5", 'listener: expected a stanza such as listener "<type>"'),
        ('listener "tcp" {\n tls_disable = 1\n}\nlistener "tcp" {\n ui = 1\n}', '"tcp" #2: tls_c'),
        ('audit "file" {\n options = { file_path = "x" }\n}', 'audit "file": path: required'),
        ('audit "file" "x" {\n options = "x"\n}', 'audit "file" "x": options: expected an object'),
        ('audit "file" "x" {\n local = "maybe"\n}', 'audit "file" "x": local: invalid boolean'),
        ('audit {\n type = ""\n path = "x"\n}', "audit: type: required"),
        ('audit {\n path = "x"\n}', 'audit: expected a stanza such as audit "<type>"'),
        ('listener "tcp" {\n tls_disable = 1\n max_request_duration = []\n}', "invalid duration"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path: Path, snippet: str, where: str) -> None:
    message = error_of(tmp_path, INMEM + snippet + "\n")
    assert where in message


def test_lease_ttl_longer_than_the_maximum(tmp_path: Path) -> None:
    message = error_of(tmp_path, INMEM + PLAIN_LISTENER + 'default_lease_ttl = "800h"\n')
    assert message.endswith("default_lease_ttl: is longer than max_lease_ttl (the default, 768h)")
    a = write(tmp_path, "a.hcl", INMEM + 'max_lease_ttl = "1h"\n')
    b = write(tmp_path, "b.hcl", 'default_lease_ttl = "2h"\n')
    with pytest.raises(ConfigError) as info:
        load_config([a, b])
    assert str(info.value) == f"{b}: default_lease_ttl: is longer than max_lease_ttl set in {a}"


def test_an_unset_default_lease_ttl_follows_a_shorter_maximum(tmp_path: Path) -> None:
    config = load_one(tmp_path, INMEM + PLAIN_LISTENER + 'max_lease_ttl = "1h"\n')
    assert (config.default_lease_ttl, config.max_lease_ttl) == (3600, 3600)
    config = load_one(tmp_path, INMEM + PLAIN_LISTENER + 'max_lease_ttl = "1000h"\n')
    assert (config.default_lease_ttl, config.max_lease_ttl) == (2_764_800, 3_600_000)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ('storage "inmem" {}\nui = \n', "line 2, column "),
        ('storage "inmem" {\n  password = "hunter2\n}\n', "line"),
        ('listener "tcp" {\n  "default" = { a = 1 }\n}\n', "line 2, column 3"),
    ],
)
def test_malformed_hcl(tmp_path: Path, text: str, position: str) -> None:
    message = error_of(tmp_path, text)
    assert position in message
    assert message.endswith("invalid HCL syntax")
    assert "hunter2" not in message


def test_malformed_json(tmp_path: Path) -> None:
    message = error_of(tmp_path, '{\n  "storage": {"inmem": {}},\n  "ui": tru\n}', "config.json")
    assert message.endswith(": line 3, column 9: invalid JSON")


@pytest.mark.parametrize("document", ["[]", '"text"', "null"])
def test_json_top_level_must_be_an_object(tmp_path: Path, document: str) -> None:
    message = error_of(tmp_path, document, "config.json")
    assert message.endswith(": expected an object at the top level")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.hcl"
    path.write_bytes(b'cluster_name = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_config([str(path)])


def test_unreadable_and_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no configuration file given"):
        load_config([])
    with pytest.raises(ConfigError, match=r"nope\.hcl: no such file or directory"):
        load_config([str(tmp_path / "nope.hcl")])
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match=r"empty: no \.hcl or \.json configuration file"):
        load_config([str(empty)])


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "config.hcl", INMEM)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(ConfigError, match=r"config\.hcl: cannot read: Permission denied"):
        load_config([path])


def test_secrets_are_not_echoed(tmp_path: Path) -> None:
    config = load_one(
        tmp_path,
        'storage "postgresql" {\n  connection_url = "postgres://u:hunter2@db/x"\n}\n'
        + PLAIN_LISTENER
        + 'audit "socket" "s" {\n  options = { hmac_key = "hunter2" }\n}\n'
        + 'seal "transit" {\n  token = "hunter2"\n}\n',
    )
    assert "hunter2" not in repr(config)
    message = error_of(tmp_path, INMEM + 'ui = "hunter2"\n')
    assert "hunter2" not in message
    message = error_of(tmp_path, INMEM + f'log_level = "{"hunter2" * 10}"\n')
    assert "hunter2" not in message


# --- warnings --------------------------------------------------------------------------------


def test_unknown_keys_are_warnings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "config.hcl",
        INMEM
        + 'made_up = "x"\n'
        + 'listener "tcp" {\n  tls_disable = true\n  bogus = 1\n}\n'
        + 'audit "file" "x" {\n  colour = "red"\n}\n',
    )
    _, warnings = load_config([path])
    assert warnings == [
        f"{path}: made_up: unknown key; ignored",
        f'{path}: listener "tcp": bogus: unknown key; ignored',
        f'{path}: audit "file" "x": colour: unknown key; ignored',
    ]


def test_known_vault_keys_warn_only_when_they_change_behaviour(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "config.hcl",
        """
storage "inmem" {}
plugin_directory = "plugins"
cache_size = 1000
disable_cache = true
raw_storage_endpoint = false
introspection_endpoint = "true"
disable_clustering = "maybe"
unsafe_allow_api_audit_creation = true
log_rotate_max_files = 3
seal "transit" {
  address = "https://other:8200"
}
telemetry {
  disable_hostname = true
}
listener "tcp" {
  tls_disable = true
  cluster_address = "0.0.0.0:8201"
  tls_prefer_server_cipher_suites = true
  x_forwarded_for_hop_skips = 1
  proxy_protocol_authorized_addrs = "10.0.0.1"
  http_read_timeout = "30s"
  redact_version = false
  redact_addresses = true
  telemetry {
    unauthenticated_metrics_access = true
  }
}
""",
    )
    config, warnings = load_config([path])
    assert config.plugin_directory == os.path.abspath("plugins")
    assert warnings == [
        f"{path}: introspection_endpoint: sys/internal/inspect is not implemented; ignored",
        f"{path}: disable_clustering: standbys always forward requests; ignored",
        f"{path}: seal: auto-unseal is not implemented; the server uses Shamir key shares; ignored",
        f"{path}: telemetry: metrics are not implemented; ignored",
        f'{path}: listener "tcp": http_read_timeout: HTTP timeouts cannot be chosen;'
        " the HTTP server's own apply; ignored",
        f'{path}: listener "tcp": redact_addresses: redaction is not implemented; ignored',
    ]
    assert config.raw["cache_size"] == 1000


# --- audit stanzas ---------------------------------------------------------------------------


def test_audit_stanza_forms(tmp_path: Path) -> None:
    config = load_one(
        tmp_path,
        INMEM
        + 'allow_audit_log_prefixing = "true"\n'
        + 'audit "file" "to-stdout" {\n  description = "d"\n  local = 1\n'
        + '  options = { file_path = "stdout", log_raw = true, mode = 384 }\n}\n'
        + 'audit "socket" {\n  path = "sock"\n  options {\n    address = "127.0.0.1:9090"\n  }\n}\n'
        + 'audit {\n  type = "syslog"\n  path = "sys"\n}\n',
    )
    assert config.allow_audit_log_prefixing is True
    assert config.audit == [
        AuditStanza(
            "file",
            "to-stdout",
            {"file_path": "stdout", "log_raw": "true", "mode": "384"},
            "d",
            True,
        ),
        AuditStanza("socket", "sock", {"address": "127.0.0.1:9090"}),
        AuditStanza("syslog", "sys"),
    ]


def test_audit_json_list(tmp_path: Path) -> None:
    document = {
        "storage": {"inmem": {}},
        "audit": [
            {"file": {"a": {"options": {"file_path": "/a"}}}},
            {"type": "file", "path": "b"},
            {"socket": {"c": [{"local": True}]}},
        ],
    }
    config, _ = load_config([write_json(tmp_path, "config.json", document)])
    assert [(a.kind, a.name, a.options) for a in config.audit] == [
        ("file", "a", {"file_path": "/a"}),
        ("file", "b", {}),
        ("socket", "c", {}),
    ]
    assert config.audit[2].local is True


def test_nested_storage_options_become_json(tmp_path: Path) -> None:
    config = load_one(
        tmp_path,
        'storage "RAFT" {\n  path = "/r"\n  retry_join {\n    leader_api_addr = "https://n2"\n  }\n'
        + "  ratio = 1.5\n}\n",
    )
    assert config.storage.kind == "raft"  # lower-cased, as Vault does
    assert config.storage.options == {
        "path": "/r",
        "retry_join": '[{"leader_api_addr":"https://n2"}]',
        "ratio": "1.5",
    }


def test_storage_body_must_be_an_object(tmp_path: Path) -> None:
    message = error_of(tmp_path, '{"storage": {"inmem": 5}}', "config.json")
    assert message.endswith(': storage: expected a stanza such as storage "<type>" { ... }')


def test_empty_strings_mean_not_set(tmp_path: Path) -> None:
    config = load_one(
        tmp_path,
        INMEM
        + 'api_addr = ""\nlog_level = ""\n'
        + 'listener "tcp" {\n  tls_disable = 1\n  x_forwarded_for_authorized_addrs = ""\n'
        + '  tls_client_ca_file = ""\n}\n',
    )
    assert config.api_addr is None
    assert config.log_level == "info"
    assert config.listeners[0].x_forwarded_for_authorized_addrs == []
    assert config.listeners[0].tls_client_ca_file is None
