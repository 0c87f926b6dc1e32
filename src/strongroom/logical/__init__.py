"""The contract between core and backends: operations, requests, responses, storage."""

from strongroom.logical.backend import Backend, PathProperties
from strongroom.logical.operation import Operation
from strongroom.logical.request import Request
from strongroom.logical.response import Response
from strongroom.logical.storage import Storage

__all__ = ["Backend", "Operation", "PathProperties", "Request", "Response", "Storage"]
