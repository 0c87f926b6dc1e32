"""What a request asks to do, independent of the HTTP method that carried it."""

from __future__ import annotations

from enum import StrEnum


class Operation(StrEnum):
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    PATCH = "patch"
    DELETE = "delete"
    LIST = "list"
    # HTTP HEAD: the headers a read would send, no body (ACME's new-nonce answers it).
    HEADER = "header"
    # Sent by the lease manager, never by a client: revoke or renew a secret the engine issued.
    REVOKE = "revoke"
    RENEW = "renew"
