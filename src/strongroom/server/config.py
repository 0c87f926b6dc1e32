"""Load the server configuration: Vault's HCL or JSON files, merged in order.

    config, warnings = load_config(["/etc/strongroom/config.hcl", "/etc/strongroom/conf.d"])

Each path is a file or a directory; a directory contributes its `*.hcl` and `*.json` files in
name order (not its subdirectories, nor editor lock files). Files ending `.json` are JSON,
everything else HCL. Both are first normalised to one shape, then checked against the key
tables in `config_schema`.

Merging follows Vault: a later file overrides the settings it sets, listeners and audit
devices accumulate, and the storage stanza of a later file replaces an earlier one (with a
warning). Two differences, both deliberate: Vault ORs booleans and keeps the larger lease TTL
across files, where here the later file simply wins; and a file that has both `storage` and
its legacy name `backend` is an error, where Vault silently uses `storage`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import hcl2
import orjson
from hcl2.utils import SerializationOptions

from strongroom.errors import ConfigError
from strongroom.server.config_schema import (
    DEFAULT_LEASE_TTL,
    SERVER_IGNORED,
    SERVER_KEYS,
    AuditStanza,
    ListenerConfig,
    ServerConfig,
    StorageConfig,
    Where,
    build_audit,
    build_listener,
    build_storage,
    parse_keys,
    quoted,
)

__all__ = [
    "AuditStanza",
    "ListenerConfig",
    "ServerConfig",
    "StorageConfig",
    "load_config",
]

_HCL_OPTIONS = SerializationOptions(
    with_comments=False, explicit_blocks=False, strip_string_quotes=True, preserve_heredocs=False
)
_STORAGE_KEYS = ("storage", "backend")  # `backend` is the legacy name
_BLOCK_KEYS = frozenset({*_STORAGE_KEYS, "listener", "audit"})


def load_config(paths: Sequence[str]) -> tuple[ServerConfig, list[str]]:
    """Read, check and merge the configuration files; return the config and the warnings.

    Raises `ConfigError`, naming the file and the key, for anything that cannot be used.
    """
    files = _config_files(paths)
    warnings: list[str] = []
    merged = _Merged()
    for path in files:
        merged.add(_read_file(path, warnings), warnings)
    return merged.finish(files, warnings), warnings


# --- finding and reading files ---------------------------------------------------------------


def _config_files(paths: Sequence[str]) -> list[str]:
    if not paths:
        raise ConfigError("no configuration file given")
    files: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if os.path.isdir(path):
            candidates = [os.path.join(path, name) for name in sorted(os.listdir(path))]
            candidates = [c for c in candidates if _is_config_file(c)]
        elif os.path.isfile(path):
            candidates = [path]
        else:
            raise ConfigError(f"{path}: no such file or directory")
        for candidate in candidates:
            # A file named on its own and again through its directory is read once, as in Vault.
            real = os.path.realpath(candidate)
            if real not in seen:
                seen.add(real)
                files.append(candidate)
    if not files:
        raise ConfigError(f"{', '.join(paths)}: no .hcl or .json configuration file")
    return files


def _is_config_file(path: str) -> bool:
    name = os.path.basename(path)
    return (
        name.endswith((".hcl", ".json"))
        and not name.startswith((".#", "#"))  # emacs lock and autosave files
        and os.path.isfile(path)
    )


def _parse_document(path: str) -> object:
    try:
        if path.endswith(".json"):
            with open(path, "rb") as f:
                return orjson.loads(f.read())
        with open(path, encoding="utf-8") as f:
            return hcl2.load(f, serialization_options=_HCL_OPTIONS)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except orjson.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON") from None
    except Exception as exc:  # the HCL parser (lark) raises many types; some carry a position
        # The parser's own message quotes the offending text, which may be a secret: not shown.
        line, column = getattr(exc, "line", None), getattr(exc, "column", None)
        where = f"line {line}, column {column}: " if isinstance(line, int) else ""
        raise ConfigError(f"{path}: {where}invalid HCL syntax") from None


# --- one file, normalised --------------------------------------------------------------------


@dataclass(slots=True)
class _File:
    """One file's content in the shape both formats normalise to, then checked."""

    path: str
    settings: dict[str, object] = field(default_factory=dict)  # parsed ServerConfig fields
    storage: StorageConfig | None = None
    listeners: list[ListenerConfig] = field(default_factory=list)
    audit: list[AuditStanza] = field(default_factory=list)
    raw: dict[str, object] = field(default_factory=dict)


def _read_file(path: str, warnings: list[str]) -> _File:
    document = _parse_document(path)
    where = Where(path)
    if not isinstance(document, dict):
        raise where.error("", "expected an object at the top level")
    document = {key: value for key, value in document.items() if value is not None}
    result = _File(path, raw=dict(document))
    top_level = {key: value for key, value in document.items() if key not in _BLOCK_KEYS}
    result.settings = parse_keys(where, top_level, SERVER_KEYS, SERVER_IGNORED, warnings)
    result.storage = _read_storage(where, document)
    listeners = _blocks(where, "listener", document, inline_type=True)
    for index, (label, body) in enumerate(listeners):
        kind = str(body.get("type") or label).lower()
        stanza = f"listener {quoted(kind)}" + (f" #{index + 1}" if len(listeners) > 1 else "")
        result.listeners.append(build_listener(where.at(stanza), kind, body, warnings))
    for kind, body in _blocks(where, "audit", document, inline_type=True):
        result.audit.append(_read_audit(where, kind, body, warnings))
    return result


def _read_storage(where: Where, document: Mapping[str, object]) -> StorageConfig | None:
    present = [key for key in _STORAGE_KEYS if key in document]
    if len(present) > 1:
        raise where.error("backend", 'is the legacy name of "storage"; use only one of them')
    if not present:
        return None
    key = present[0]
    stanzas = _blocks(where, key, document, inline_type=False)
    if len(stanzas) != 1:
        raise where.error(key, f'exactly one "{key}" stanza is permitted, found {len(stanzas)}')
    kind, body = stanzas[0]
    return build_storage(kind, body)


_AUDIT_BODY_KEYS = frozenset({"type", "path", "description", "options", "local"})


def _read_audit(
    where: Where, kind: str, body: Mapping[str, object], warnings: list[str]
) -> AuditStanza:
    """`audit "file" "name" {...}` arrives as kind "file" with body `{"name": {...}}`."""
    name = None
    if len(body) == 1:
        ((label, inner),) = body.items()
        if label not in _AUDIT_BODY_KEYS and _is_body(inner):
            name, body = label, _one_body(where, "audit", inner)
    stanza = " ".join(["audit", *(quoted(label) for label in (kind, name) if label)])
    return build_audit(where.at(stanza), kind or None, name, body, warnings)


def _blocks(
    where: Where, key: str, document: Mapping[str, object], *, inline_type: bool
) -> list[tuple[str, dict[str, object]]]:
    """The labelled stanzas under `key` as (label, body) pairs.

    HCL gives `[{"tcp": {...}}, ...]`; JSON may give that, or `{"tcp": {...}}`, or
    `{"tcp": [{...}, ...]}`. With `inline_type`, an unlabelled body with a `type` key
    (`listener { type = "tcp" ... }`) is accepted too and gets the label "".
    """
    value = document.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    stanzas: list[tuple[str, dict[str, object]]] = []
    for item in items:
        if not isinstance(item, dict):
            raise where.error(key, f'expected a stanza such as {key} "<type>" {{ ... }}')
        if inline_type and isinstance(item.get("type"), str):
            stanzas.append(("", item))
            continue
        for label, body in item.items():
            bodies = body if isinstance(body, list) else [body]
            for one in bodies:
                stanzas.append((str(label), _one_body(where, key, one)))
    return stanzas


def _is_body(value: object) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and all(isinstance(v, dict) for v in value) and len(value) == 1
    )


def _one_body(where: Where, key: str, value: object) -> dict[str, object]:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]  # HCL gives a block as a list of one body
    if value is None:
        return {}  # JSON `{"inmem": null}`: a stanza with no options
    if not isinstance(value, dict):
        raise where.error(key, f'expected a stanza such as {key} "<type>" {{ ... }}')
    return {str(k): v for k, v in value.items()}


# --- merging ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Merged:
    settings: dict[str, tuple[object, str]] = field(default_factory=dict)  # key -> (value, file)
    storage: StorageConfig | None = None
    storage_file: str = ""
    listeners: list[ListenerConfig] = field(default_factory=list)
    audit: list[AuditStanza] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, file: _File, warnings: list[str]) -> None:
        for key, value in file.settings.items():
            self.settings[key] = (value, file.path)
        if file.storage is not None:
            if self.storage is not None:
                warnings.append(
                    Where(file.path).text(
                        "storage", f"replaces the storage stanza of {self.storage_file}"
                    )
                )
            self.storage, self.storage_file = file.storage, file.path
        self.listeners += file.listeners
        self.audit += file.audit
        self._add_raw(file.raw)

    def _add_raw(self, raw: Mapping[str, object]) -> None:
        for key, value in raw.items():
            if key in ("listener", "audit"):
                self.raw.setdefault(key, []).extend(value if isinstance(value, list) else [value])
            elif key in _STORAGE_KEYS:
                self.raw["storage"] = value
            else:
                self.raw[key] = value

    def finish(self, files: Sequence[str], warnings: list[str]) -> ServerConfig:
        if self.storage is None:
            raise ConfigError(f'{", ".join(files)}: no storage stanza (storage "<type>" {{...}})')
        self._check_lease_ttls()
        fields: dict[str, Any] = {key: value for key, (value, _) in self.settings.items()}
        config = ServerConfig(storage=self.storage, audit=self.audit, raw=self.raw, **fields)
        listeners = [
            replace(lst, max_request_duration=config.default_max_request_duration)
            if lst.max_request_duration == 0
            else lst
            for lst in self.listeners
        ]
        if not listeners:
            warnings.append(f"{', '.join(files)}: no listener stanza; no client can connect")
        return replace(config, listeners=listeners)

    def _check_lease_ttls(self) -> None:
        """A default lease TTL longer than the maximum is an error, as in Vault, when both are
        written down; an unset default shrinks to a shorter maximum instead (Vault refuses to
        start with only `max_lease_ttl` below 768h, which helps nobody)."""
        max_ttl, max_file = self.settings.get("max_lease_ttl", (DEFAULT_LEASE_TTL, ""))
        if "default_lease_ttl" not in self.settings:
            if isinstance(max_ttl, int) and max_ttl < DEFAULT_LEASE_TTL:
                self.settings["default_lease_ttl"] = (max_ttl, max_file)
            return
        ttl, ttl_file = self.settings["default_lease_ttl"]
        if isinstance(ttl, int) and isinstance(max_ttl, int) and ttl > max_ttl:
            set_in = f" set in {max_file}" if max_file else " (the default, 768h)"
            raise Where(ttl_file).error(
                "default_lease_ttl", f"is longer than max_lease_ttl{set_in}"
            )
