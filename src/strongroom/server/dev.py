"""`server -dev`: in memory, initialised with one share, unsealed, plain HTTP on loopback."""

from __future__ import annotations

import base64
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from strongroom.core import Core
from strongroom.routing import SECRET_TABLE, MountEntry
from strongroom.server.config_schema import ListenerConfig, ServerConfig, StorageConfig


def dev_config(listen_address: str) -> ServerConfig:
    host, _, port = listen_address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    listener = ListenerConfig(
        address=listen_address, host=host, port=int(port), tls_disable=True, source="-dev"
    )
    return ServerConfig(storage=StorageConfig("inmem"), listeners=[listener])


def dev_setup(
    root_token_id: str | None, address: str, out: TextIO = sys.stdout
) -> Callable[[Core], Awaitable[None]]:
    """The `prepare` step of a dev node: init, unseal and announce the credentials."""

    async def prepare(core: Core) -> None:
        result = await core.initialize(1, 1)
        await core.submit_unseal_share(result.shares[0])
        token = result.root_token
        # As in Vault's dev mode: KV version 2 at secret/.
        await core.mounts.enable(
            MountEntry.new(
                SECRET_TABLE,
                "secret/",
                "kv",
                description="key/value secret storage",
                options={"version": "2"},
            )
        )
        if root_token_id:
            await core.tokens.revoke(token)
            token = await core.tokens.create_root(root_token_id)
        out.write(
            "WARNING! dev mode is enabled! In this mode, Strongroom runs entirely in memory,\n"
            "starts unsealed with a single unseal key, and serves plain HTTP. Never use it\n"
            "for real secrets.\n\n"
            "You may need to set the following environment variables:\n\n"
            f"    $ export VAULT_ADDR='http://{address}'\n\n"
            f"Unseal Key: {base64.b64encode(result.shares[0]).decode()}\n"
            f"Root Token: {token}\n\n"
        )
        out.flush()

    return prepare
