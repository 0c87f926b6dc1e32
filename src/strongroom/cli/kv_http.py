"""The three requests of the `kv` commands that `Client.request` cannot make.

- A read whose 404 still carries an answer: KV v2 answers a read of a deleted or destroyed
  version with 404 *and* that version's metadata, which `kv get` shows (the vault CLI's
  `kvReadRequest` keeps such a body when it has data or warnings).
- A JSON merge patch: the server (Vault's too) refuses a PATCH whose Content-Type is not
  `application/merge-patch+json`, and `Client` always sends `application/json`.
- A request that is never wrapped, even under `-wrap-ttl`: the mount lookup and the reads
  that `kv patch` and `kv rollback` make before writing.

`Client.request` takes no headers and keeps no error bodies, so this module sends through
`Client.raw` and turns the answers into documents and `ClientError`s as `Client` does.
"""

from __future__ import annotations

import httpx

from strongroom.cli.client import (
    NOT_FOUND,
    Client,
    ClientError,
    InvalidResponse,
    JSONObject,
    Params,
    response_errors,
)

MERGE_PATCH = {"Content-Type": "application/merge-patch+json"}
UNWRAPPED = {"X-Vault-Wrap-TTL": ""}  # an empty wrap TTL asks for no wrapping


def read(
    client: Client, path: str, params: Params | None = None, *, wrapped: bool = True
) -> JSONObject | None:
    """`GET path`; None when nothing is there, but a 404 with data or warnings is an answer."""
    response = client.raw("GET", path, params=params, headers=None if wrapped else UNWRAPPED)
    if response.status_code == NOT_FOUND:
        document = _json_object(response)
        if document and (document.get("data") or document.get("warnings")):
            return document
        return None
    return _document(client, "GET", path, response)


def read_unwrapped(client: Client, path: str) -> JSONObject | None:
    """`GET path` without the client's `-wrap-ttl`; any error status raises."""
    return _document(client, "GET", path, client.raw("GET", path, headers=UNWRAPPED))


def merge_patch(client: Client, path: str, body: JSONObject) -> JSONObject | None:
    """`PATCH path` with a JSON merge-patch body."""
    response = client.raw("PATCH", path, body=body, headers=MERGE_PATCH)
    return _document(client, "PATCH", path, response)


def _document(
    client: Client, method: str, path: str, response: httpx.Response
) -> JSONObject | None:
    url = client.url(path)
    if response.status_code >= 400:
        raise ClientError(method, url, response.status_code, response_errors(response))
    if response.status_code == 204 or not response.content:
        return None
    document = _json_object(response)
    if document is None:
        raise InvalidResponse(method, url, response.status_code)
    return document


def _json_object(response: httpx.Response) -> JSONObject | None:
    try:
        document = response.json()
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
