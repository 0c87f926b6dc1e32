"""The exception tree. Each class carries its HTTP status and a public message.

The message of an error is shown to clients, so it never contains a secret or an input value:
name the field, never echo what was sent.
"""

from __future__ import annotations


class StrongroomError(Exception):
    """Base of every error the server renders. Unknown exceptions become a generic 500."""

    status: int = 500
    default_message: str = "internal error"

    def __init__(self, message: str | None = None, *, errors: list[str] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.errors = errors if errors is not None else [self.message]
        super().__init__(self.message)


# --- 400 -------------------------------------------------------------------------------------


class BadRequest(StrongroomError):
    status = 400
    default_message = "bad request"


class InvalidPath(BadRequest):
    default_message = "invalid path"


class RelativePath(InvalidPath):
    default_message = "relative paths not supported"


class InvalidJSON(BadRequest):
    default_message = "failed to parse JSON input"


class InvalidParameter(BadRequest):
    """A parameter has the wrong type or value. The message names the field, never its value."""


class InvalidCredentials(BadRequest):
    """A login with a wrong password, secret ID or unknown user: counts towards a lockout."""

    default_message = "invalid credentials"


class AlreadyInitialized(BadRequest):
    default_message = "Vault is already initialized"


class NotInitialized(BadRequest):
    default_message = "Vault is not initialized"


class InvalidKey(BadRequest):
    """A key share that could not be decoded, or shares that do not combine to the right key."""

    default_message = "invalid key"


class NoOperationInProgress(BadRequest):
    default_message = "no operation in progress"


class OperationInProgress(BadRequest):
    default_message = "operation already in progress"


class NonceMismatch(BadRequest):
    default_message = "incorrect nonce"


# --- 403, 404, 405 ---------------------------------------------------------------------------


class PermissionDenied(StrongroomError):
    status = 403
    default_message = "permission denied"


class NotFound(StrongroomError):
    """A read of something absent: Vault answers 404 with an empty error list."""

    status = 404
    default_message = ""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "", errors=[message] if message else [])


class UnsupportedPath(StrongroomError):
    status = 404
    default_message = "unsupported path"


class UnsupportedOperation(StrongroomError):
    status = 405
    default_message = "unsupported operation"


# --- 413, 415 --------------------------------------------------------------------------------


class RequestTooLarge(StrongroomError):
    status = 413
    default_message = "http: request body too large"


class UnsupportedMediaType(StrongroomError):
    status = 415
    default_message = "PATCH requires the Content-Type application/merge-patch+json"


# --- 5xx -------------------------------------------------------------------------------------


class InternalError(StrongroomError):
    status = 500
    default_message = "internal error"


class IntegrityError(InternalError):
    """Stored bytes failed authentication: tampered with, truncated, moved or corrupted."""

    default_message = "storage integrity check failed"


class StorageError(InternalError):
    default_message = "storage backend failed"


class Sealed(StrongroomError):
    status = 503
    default_message = "Vault is sealed"


class ConfigError(Exception):
    """A server configuration that cannot be used. Not an HTTP error: start-up fails with it."""


class RateLimited(StrongroomError):
    status = 429
    default_message = "request rate limit exceeded"
