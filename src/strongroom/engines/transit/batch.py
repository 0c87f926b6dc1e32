"""`batch_input`: one request, many items, an answer per item.

A request without `batch_input` is a batch of one whose error is raised as usual. In a batch,
each item's failure becomes that item's `error` (a client mistake's message; a generic text for
an internal failure, whose details only go to the log) and the other items still run. Encrypt
and decrypt then answer 400 (500 when only internal failures happened), or the caller's
`partial_failure_response_code` when some items succeeded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from strongroom.errors import InvalidParameter, StrongroomError
from strongroom.framework import FieldData
from strongroom.logical import Response

log = logging.getLogger(__name__)

MAX_BATCH_ITEMS = 10_000
Item = dict[str, Any]


def batch_items(data: FieldData, single: Callable[[], Item]) -> tuple[list[Item], bool]:
    """(items, is_batch): `batch_input` checked, or the one item built from the top-level
    fields."""
    raw = data.raw.get("batch_input")
    if raw is None:
        return [single()], False
    if not isinstance(raw, list):
        raise InvalidParameter("batch_input must be a list of objects")
    if not raw:
        raise InvalidParameter("missing batch input to process")
    if len(raw) > MAX_BATCH_ITEMS:
        raise InvalidParameter(f"batch_input has more than {MAX_BATCH_ITEMS} items")
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise InvalidParameter(f"batch_input item {index} is not an object")
    return raw, True


def text(item: Item, name: str, index: int | None = None) -> str:
    """A string field of an item ("" when absent); the message names the field, not the value."""
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        where = f"'[{index}].{name}'" if index is not None else f"'{name}'"
        raise InvalidParameter(f"{where} expected type 'string'")
    return value


def integer(item: Item, name: str, index: int | None = None) -> int:
    value = item.get(name)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        value = None
    try:
        return int(value) if isinstance(value, int | str) else int(str(value))
    except (TypeError, ValueError):
        where = f"'[{index}].{name}'" if index is not None else f"'{name}'"
        raise InvalidParameter(f"{where} expected type 'int'") from None


@dataclass
class BatchRun:
    """The results of a batch, item by item, and what kinds of failure it met."""

    is_batch: bool
    results: list[Item] = field(default_factory=list)
    succeeded: bool = False
    user_error: bool = False
    internal_error: bool = False

    def run(self, item: Item, compute: Callable[[], Item], failed: Item | None = None) -> None:
        """Append `compute()`'s result, or (in a batch) `failed` plus the error. Outside a
        batch the error is raised."""
        reference = text(item, "reference") if self.is_batch else ""
        try:
            result = compute()
        except StrongroomError as exc:
            if not self.is_batch:
                raise
            if exc.status >= 500:
                self.internal_error = True
            else:
                self.user_error = True
            self.results.append({**(failed or {}), "error": exc.message, "reference": reference})
            return
        except Exception as exc:
            if not self.is_batch:
                raise
            log.error("transit batch item failed (%s)", type(exc).__name__)
            self.internal_error = True
            self.results.append(
                {**(failed or {}), "error": "internal error", "reference": reference}
            )
            return
        self.succeeded = True
        if self.is_batch:
            result["reference"] = reference
        self.results.append(result)

    def response(
        self,
        single: Callable[[Item], Item],
        partial_code: int | None = None,
        *,
        failure_status: bool = True,
    ) -> Response:
        """The response; with `failure_status`, a batch with failed items gets an error
        status (encrypt, decrypt)."""
        if not self.is_batch:
            return Response(single(self.results[0]))
        response = Response({"batch_results": self.results})
        if not failure_status or not (self.user_error or self.internal_error):
            return response
        status = 400 if self.user_error else 500
        if partial_code is not None and self.succeeded:
            if 1 <= partial_code <= 599:
                status = partial_code
            else:
                response.warnings.append(
                    "invalid HTTP response code override from partial_failure_response_code, "
                    f"reverting to {status}"
                )
        response.status = status
        return response


def same_context(items: list[Item]) -> None:
    """Derivation contexts are given for every item or for none."""
    with_context = [bool(text(item, "context", i)) for i, item in enumerate(items)]
    if any(with_context) and not all(with_context):
        raise InvalidParameter("context should be set either in all the request blocks or in none")
