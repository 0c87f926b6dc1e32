"""What a server configuration may contain: the result dataclasses and the tables of known keys.

Every key Strongroom reads is a row in a table that names its parser; keys Vault knows but we
do not use are rows too, saying whether setting them deserves a warning. `config.py` reads the
files and walks these tables; nothing here touches the file system except resolving paths.

Error and warning texts name the file and the key. They echo a value only for keys whose
values are a short list of keywords (`tls_min_version`, `log_level`); never for anything that
could hold a secret, such as storage options or seal settings.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from strongroom.errors import ConfigError
from strongroom.logical.values import parse_bool, parse_duration, parse_int

DEFAULT_LEASE_TTL = 768 * 3600  # 32 days, Vault's system default and maximum lease TTL
DEFAULT_MAX_REQUEST_DURATION = 90
DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024
# A negative max_request_size turns the limit off, as Vault documents ("Specifying a number less
# than 0 turns off limiting altogether"); it is stored as this value.
NO_REQUEST_SIZE_LIMIT = -1
DEFAULT_ADDRESS = "127.0.0.1:8200"


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """The one storage stanza. Option values are strings, as Vault hands them to a backend.

    Options often hold credentials (`connection_url`, `password`), so they stay out of repr.
    """

    kind: str
    options: dict[str, str] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class ListenerConfig:
    """A `listener "tcp"` stanza. File paths are absolute (relative ones are taken from the
    working directory). `host` is empty when the address binds every interface (`":8200"`)."""

    kind: str = "tcp"
    address: str = DEFAULT_ADDRESS
    host: str = "127.0.0.1"
    port: int = 8200
    tls_disable: bool = False
    tls_cert_file: str | None = None
    tls_key_file: str | None = None
    tls_client_ca_file: str | None = None
    tls_min_version: str = "tls12"
    tls_max_version: str = "tls13"
    tls_require_and_verify_client_cert: bool = False
    tls_disable_client_certs: bool = False
    # Bytes; NO_REQUEST_SIZE_LIMIT (-1) means no limit.
    max_request_size: int = DEFAULT_MAX_REQUEST_SIZE
    # Seconds; when the stanza does not set it, the top-level default_max_request_duration.
    max_request_duration: int = DEFAULT_MAX_REQUEST_DURATION
    disable_unauthed_rekey_endpoints: bool = False
    disable_unauthed_generate_root_endpoints: bool = False
    x_forwarded_for_authorized_addrs: list[str] = field(default_factory=list)
    source: str = ""  # the file that declared it, for diagnostics


@dataclass(frozen=True, slots=True)
class AuditStanza:
    """A declarative audit device: `audit "<kind>" "<name>" { options = {...} }`.

    Option values are strings, as for devices enabled over the API; they may hold an HMAC key
    or a socket address, so they stay out of repr.
    """

    kind: str
    name: str
    options: dict[str, str] = field(default_factory=dict, repr=False)
    description: str = ""
    local: bool = False


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """The merged configuration of every file the server was started with.

    `raw` is the merged source, for diagnostics only: it holds storage credentials and seal
    settings as written, so it is kept out of repr and must never be logged or returned as-is.
    """

    storage: StorageConfig
    listeners: list[ListenerConfig] = field(default_factory=list)
    api_addr: str | None = None
    cluster_addr: str | None = None
    cluster_name: str | None = None
    default_lease_ttl: int = DEFAULT_LEASE_TTL
    max_lease_ttl: int = DEFAULT_LEASE_TTL
    default_max_request_duration: int = DEFAULT_MAX_REQUEST_DURATION
    disable_mlock: bool = False  # accepted for compatibility; Strongroom never mlocks
    ui: bool = False
    log_level: str = "info"  # one of trace, debug, info, warn, error ("warning" becomes "warn")
    log_format: str = "standard"
    plugin_directory: str | None = None  # the audit layer refuses to write under it
    allow_audit_log_prefixing: bool = False
    # As OpenBao: audit devices come from the config unless this opens the API to them.
    unsafe_allow_api_audit_creation: bool = False
    cache_size: int | None = None  # entries in the physical read cache; None = the default
    disable_cache: bool = False
    audit: list[AuditStanza] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict, repr=False)


# --- where a problem is ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Where:
    """The file and stanza being read, to prefix errors and warnings with."""

    file: str
    stanza: str = ""

    def at(self, stanza: str) -> Where:
        return Where(self.file, stanza)

    def text(self, key: str, problem: str) -> str:
        parts = [self.file, self.stanza, key]
        return ": ".join(part for part in parts if part) + ": " + problem

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(self.text(key, problem))


def quoted(value: object) -> str:
    """A keyword value quoted for a message; anything long or odd is not echoed."""
    if isinstance(value, str) and len(value) <= 40 and value.isprintable():
        return '"' + value.replace('"', '\\"') + '"'
    return "(value not shown)"


# --- value parsers: each raises ValueError naming no value, or returns None for "not set" -----

Parser = Callable[[object], object]


def _text(value: object) -> str | None:
    # Vault's HCL decoder turns numbers into strings where a string is expected.
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ValueError("expected a string")


def _path(value: object) -> str | None:
    text = _text(value)
    return os.path.abspath(text) if text else None


def _seconds_or_default(value: object) -> int | None:
    """A duration where 0 (or `"0s"`, `""`) means "use the default", as in Vault."""
    if not isinstance(value, str | int | float):
        raise ValueError("invalid duration: expected a string or a number")
    return parse_duration(value) or None


def _request_size(value: object) -> int | None:
    size = parse_int(value)
    if size == 0:
        return None  # Vault: 0 means the default, 32 MiB
    return NO_REQUEST_SIZE_LIMIT if size < 0 else size


def _addresses(value: object) -> list[str]:
    """A comma-separated string or a list of IP addresses / CIDR blocks."""
    if value == "":
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("expected a list of IP addresses or CIDR blocks")
    result = []
    for index, item in enumerate(items):
        entry = item.strip() if isinstance(item, str) else None
        try:
            if not entry:
                raise ValueError
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValueError(f"entry {index + 1} is not an IP address or CIDR block") from None
        result.append(entry)
    return result


@dataclass(frozen=True, slots=True)
class Keyword:
    """One of a few keywords, case-insensitive. Values are safe to echo."""

    choices: tuple[str, ...]
    unsupported: Mapping[str, str] = field(default_factory=dict)  # keyword -> why not
    aliases: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, value: object) -> str | None:
        if not isinstance(value, str):
            raise ValueError("expected a string")
        word = value.strip().lower()
        if not word:
            return None
        if word in self.unsupported:
            raise ValueError(f"unsupported value {quoted(value)}: {self.unsupported[word]}")
        if word not in self.choices:
            expected = ", ".join(self.choices)
            raise ValueError(f"unsupported value {quoted(value)}: expected one of {expected}")
        return self.aliases.get(word, word)


_OLD_TLS = "Strongroom supports only tls12 and tls13"
_tls_version = Keyword(("tls12", "tls13"), unsupported={"tls10": _OLD_TLS, "tls11": _OLD_TLS})


def split_address(address: str) -> tuple[str, int]:
    """`host:port` → (host, port), with IPv6 in brackets (`[::1]:8200`), as Go's SplitHostPort."""
    if "{{" in address:
        raise ValueError("go-sockaddr templates are not supported")
    if address.startswith("["):
        host, bracket, rest = address[1:].partition("]")
        if not bracket or not rest.startswith(":"):
            raise ValueError("expected [IPv6 address]:port")
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError("not a valid IPv6 address in brackets") from None
        port_text = rest[1:]
    else:
        host, colon, port_text = address.rpartition(":")
        if not colon:
            raise ValueError("missing port; expected host:port")
        if ":" in host:
            raise ValueError("an IPv6 address needs brackets, as in [::1]:8200")
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
        raise ValueError("port must be a number from 0 to 65535")
    return host, int(port_text)


def _address(value: object) -> str | None:
    text = _text(value)
    if text is not None:
        split_address(text)
    return text


# --- the key tables --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ignored:
    """A Vault key Strongroom accepts without using it.

    `reason` is None when ignoring it changes nothing a user would notice; otherwise setting
    it earns a warning with this reason, or, with `only_if_true`, only setting it to true does.
    """

    reason: str | None = None
    only_if_true: bool = False

    def warns(self, value: object) -> bool:
        if not self.only_if_true:
            return True
        try:
            return parse_bool(value)
        except ValueError:
            return True


# Top-level settings that become ServerConfig fields. Blocks (storage, backend, listener, audit)
# are read by config.py.
SERVER_KEYS: Mapping[str, Parser] = {
    "api_addr": _text,
    "cluster_addr": _text,
    "cluster_name": _text,
    "default_lease_ttl": _seconds_or_default,
    "max_lease_ttl": _seconds_or_default,
    "default_max_request_duration": _seconds_or_default,
    "disable_mlock": parse_bool,
    "ui": parse_bool,
    "log_level": Keyword(
        ("trace", "debug", "info", "warn", "warning", "error"), aliases={"warning": "warn"}
    ),
    "log_format": Keyword(("standard", "json")),
    "plugin_directory": _path,
    "allow_audit_log_prefixing": parse_bool,
    "unsafe_allow_api_audit_creation": parse_bool,
    "cache_size": parse_int,
    "disable_cache": parse_bool,
}

# Keys containing `*` are shell patterns; an exact key is looked up first, and no two patterns
# may match the same key, so the order of rows never matters.
SERVER_IGNORED: Mapping[str, Ignored] = {
    # No behaviour depends on these in Strongroom (Enterprise-only, plugin binaries we never
    # run, cache tuning, or something Strongroom always does safely anyway).
    "disable_indexing": Ignored(),
    "disable_performance_standby": Ignored(),
    "disable_sealwrap": Ignored(),
    "disable_sentinel_trace": Ignored(),
    "imprecise_lease_role_tracking": Ignored(),
    "license_path": Ignored(),
    "log_rotate_*": Ignored(),  # only meaningful with log_file, which warns
    "plugin_file_permissions": Ignored(),
    "plugin_file_uid": Ignored(),
    "cluster_cipher_suites": Ignored(),
    # Setting these asks for behaviour Strongroom does not have.
    "telemetry": Ignored("metrics are not implemented"),
    "seal": Ignored("auto-unseal is not implemented; the server uses Shamir key shares"),
    "ha_storage": Ignored("a separate HA storage is not implemented"),
    "ha_backend": Ignored("a separate HA storage is not implemented"),
    "service_registration": Ignored("service registration is not implemented"),
    "initialize": Ignored("declarative initialization is not implemented"),
    "log_file": Ignored("logging to a file is not implemented; logs go to standard error"),
    "pid_file": Ignored("writing a PID file is not implemented"),
    "log_requests_level": Ignored("request logging is not implemented"),
    # ... or only when set to true (false is the default).
    "raw_storage_endpoint": Ignored("sys/raw is not implemented", only_if_true=True),
    "introspection_endpoint": Ignored("sys/internal/inspect is not implemented", True),
    "disable_clustering": Ignored("standbys always forward requests", True),
    "disable_printable_check": Ignored("storage keys must always be printable", True),
    "disable_standby_reads": Ignored("standbys always serve reads", True),
    "enable_response_header_hostname": Ignored("the hostname header is not implemented", True),
    "enable_response_header_raft_node_id": Ignored("the node ID header is not implemented", True),
}

LISTENER_KEYS: Mapping[str, Parser] = {
    "address": _address,
    "tls_disable": parse_bool,
    "tls_cert_file": _path,
    "tls_key_file": _path,
    "tls_client_ca_file": _path,
    "tls_min_version": _tls_version,
    "tls_max_version": _tls_version,
    "tls_require_and_verify_client_cert": parse_bool,
    "tls_disable_client_certs": parse_bool,
    "max_request_size": _request_size,
    "max_request_duration": _seconds_or_default,
    "disable_unauthed_rekey_endpoints": parse_bool,
    "disable_unauthed_generate_root_endpoints": parse_bool,
    "x_forwarded_for_authorized_addrs": _addresses,
}

LISTENER_IGNORED: Mapping[str, Ignored] = {
    "type": Ignored(),  # the listener type, when given in the body instead of as a label
    "cluster_address": Ignored(),  # no separate cluster port is opened (see cluster_addr)
    "telemetry": Ignored(),  # metrics access; the top-level telemetry stanza warns
    "profiling": Ignored(),  # there are no pprof endpoints to open
    "tls_prefer_server_cipher_suites": Ignored(),  # deprecated and a no-op in Go too
    "tls_auto_reload": Ignored(),
    "x_forwarded_for_*": Ignored(),  # kept in raw for the HTTP layer, beside the addrs above
    "proxy_protocol_authorized_addrs": Ignored(),  # only used with proxy_protocol_behavior
    "proxy_protocol_behavior": Ignored("the PROXY protocol is not implemented"),
    "custom_response_headers": Ignored("custom response headers are not implemented"),
    "tls_cipher_suites": Ignored(
        "cipher suites cannot be chosen; the TLS library's defaults apply"
    ),
    "tls_acme_*": Ignored("ACME certificates are not implemented"),
    "http_*_timeout": Ignored("HTTP timeouts cannot be chosen; the HTTP server's own apply"),
    "redact_*": Ignored("redaction is not implemented", only_if_true=True),
}


def find_ignored(table: Mapping[str, Ignored], key: str) -> Ignored | None:
    if key in table:
        return table[key]
    for pattern, ignored in table.items():
        if "*" in pattern and fnmatchcase(key, pattern):
            return ignored
    return None


def parse_key(where: Where, key: str, parser: Parser, value: object) -> object:
    try:
        return parser(value)
    except ValueError as exc:
        raise where.error(key, str(exc)) from None


def note_ignored(
    where: Where, key: str, value: object, table: Mapping[str, Ignored], warnings: list[str]
) -> None:
    """Warn about a key that is not in the parser table: unknown, or known but not used."""
    ignored = find_ignored(table, key)
    if ignored is None:
        warnings.append(where.text(key, "unknown key; ignored"))
    elif ignored.reason is not None and ignored.warns(value):
        warnings.append(where.text(key, f"{ignored.reason}; ignored"))


def parse_keys(
    where: Where,
    body: Mapping[str, object],
    keys: Mapping[str, Parser],
    ignored: Mapping[str, Ignored],
    warnings: list[str],
) -> dict[str, object]:
    """Parse the known keys of a body; warn about the others. Unset (None) values are left out."""
    settings: dict[str, object] = {}
    for key, value in body.items():
        if value is None:
            continue  # JSON null: not set
        parser = keys.get(key)
        if parser is None:
            note_ignored(where, key, value, ignored, warnings)
            continue
        parsed = parse_key(where, key, parser, value)
        if parsed is not None:
            settings[key] = parsed
    return settings


# --- stanzas ---------------------------------------------------------------------------------


def option_text(value: object) -> str:
    """An option value the way Vault passes it on: strings as they are, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def build_storage(kind: str, body: Mapping[str, object]) -> StorageConfig:
    options = {key: option_text(value) for key, value in body.items() if value is not None}
    return StorageConfig(kind=kind.lower(), options=options)


def build_listener(
    where: Where, kind: str, body: Mapping[str, object], warnings: list[str]
) -> ListenerConfig:
    """A listener from its stanza. `max_request_duration` is 0 when the stanza leaves it unset;
    the loader fills in the top-level default once every file is merged."""
    if kind == "unix":
        raise where.error("", "unix socket listeners are not supported yet")
    if kind != "tcp":
        raise where.error("", f'unsupported listener type {quoted(kind)}; only "tcp" is supported')
    settings = parse_keys(where, body, LISTENER_KEYS, LISTENER_IGNORED, warnings)
    if not settings.get("tls_disable", False):
        for key in ("tls_cert_file", "tls_key_file"):
            if key not in settings:
                raise where.error(key, "required unless tls_disable is true")
    if settings.get("tls_require_and_verify_client_cert") and settings.get(
        "tls_disable_client_certs"
    ):
        raise where.error(
            "tls_disable_client_certs", "cannot be combined with tls_require_and_verify_client_cert"
        )
    versions = (settings.get("tls_min_version", "tls12"), settings.get("tls_max_version", "tls13"))
    if versions == ("tls13", "tls12"):
        raise where.error("tls_max_version", "is lower than tls_min_version")
    address = str(settings.pop("address", DEFAULT_ADDRESS))
    host, port = split_address(address)
    settings.setdefault("max_request_duration", 0)
    fields: dict[str, Any] = settings
    return ListenerConfig(
        kind=kind, address=address, host=host, port=port, source=where.file, **fields
    )


def _options(value: object) -> dict[str, str]:
    # `options = { ... }` is an object; `options { ... }` in HCL is a block, a list of one.
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, dict):
        raise ValueError("expected an object of options")
    return {str(key): option_text(item) for key, item in value.items() if item is not None}


AUDIT_KEYS: Mapping[str, Parser] = {
    "type": _text,
    "path": _text,
    "description": _text,
    "options": _options,
    "local": parse_bool,
}


def build_audit(
    where: Where,
    kind: str | None,
    name: str | None,
    body: Mapping[str, object],
    warnings: list[str],
) -> AuditStanza:
    """An audit device from `audit "<kind>" "<name>" {...}`; `type` and `path` in the body
    may stand in for the labels, as in OpenBao."""
    settings = parse_keys(where, body, AUDIT_KEYS, {}, warnings)
    kind = str(settings.pop("type", kind or ""))
    name = str(settings.pop("path", name or ""))
    if not kind:
        raise where.error("type", 'required: audit "<type>" "<path>" { ... }')
    if not name:
        raise where.error("path", 'required: audit "<type>" "<path>" { ... }')
    fields: dict[str, Any] = settings
    return AuditStanza(kind=kind, name=name, **fields)
