"""The contract between core and backends: operations, requests, responses, storage."""

from strongroom.logical.auth import Auth
from strongroom.logical.backend import Backend, LoginBackend, PathProperties, PeriodicBackend
from strongroom.logical.operation import Operation
from strongroom.logical.request import Request
from strongroom.logical.response import Response
from strongroom.logical.secret import Secret
from strongroom.logical.storage import Storage
from strongroom.logical.wrapping import WrapInfo

__all__ = [
    "Auth",
    "Backend",
    "LoginBackend",
    "Operation",
    "PathProperties",
    "PeriodicBackend",
    "Request",
    "Response",
    "Secret",
    "Storage",
    "WrapInfo",
]
