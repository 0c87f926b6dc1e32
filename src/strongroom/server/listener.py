"""One `listener "tcp"` stanza served by granian's embedded server on the node's event loop."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from granian.constants import Interfaces, SSLProtocols
from granian.server.embed import Server

from strongroom.core import Core
from strongroom.errors import ConfigError
from strongroom.http import HTTPLimits, VaultApp
from strongroom.server.config_schema import ListenerConfig

log = logging.getLogger(__name__)

_TLS_PROTOCOLS = {"tls12": SSLProtocols.tls12, "tls13": SSLProtocols.tls13}


def http_limits(listener: ListenerConfig) -> HTTPLimits:
    size = listener.max_request_size
    return HTTPLimits(
        max_request_size=None if size < 0 else size,
        max_request_duration=float(listener.max_request_duration),
    )


def tls_options(listener: ListenerConfig) -> dict[str, Any]:
    if listener.tls_disable:
        return {}
    if not listener.tls_cert_file or not listener.tls_key_file:
        raise ConfigError(
            f'{listener.source}: listener "tcp": tls_cert_file and tls_key_file are required'
        )
    if listener.tls_max_version != "tls13":
        # granian has no maximum-version setting; say so rather than pretend.
        log.warning("%s: tls_max_version is not enforced; TLS 1.3 stays enabled", listener.source)
    options: dict[str, Any] = {
        "ssl_cert": Path(listener.tls_cert_file),
        "ssl_key": Path(listener.tls_key_file),
        "ssl_protocol_min": _TLS_PROTOCOLS[listener.tls_min_version],
    }
    if listener.tls_client_ca_file and not listener.tls_disable_client_certs:
        options["ssl_ca"] = Path(listener.tls_client_ca_file)
        options["ssl_client_verify"] = listener.tls_require_and_verify_client_cert
    return options


def build_server(core: Core, listener: ListenerConfig) -> Server:
    """A granian server for one listener; `await server.serve()` runs it, `stop()` ends it."""
    for path in (listener.tls_cert_file, listener.tls_key_file, listener.tls_client_ca_file):
        if path and not listener.tls_disable and not Path(path).is_file():
            raise ConfigError(f'{listener.source}: listener "tcp": cannot read {path}')
    return Server(
        VaultApp(core, http_limits(listener)),
        address=listener.host or "0.0.0.0",  # noqa: S104 - ":8200" means every interface
        port=listener.port,
        interface=Interfaces.RSGI,
        websockets=False,
        log_enabled=False,
        backlog=1024,
        **tls_options(listener),
    )
