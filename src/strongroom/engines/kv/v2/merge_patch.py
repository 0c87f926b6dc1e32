"""JSON Merge Patch (RFC 7396): what PATCH does to a secret's data and to custom metadata."""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """`target` with `patch` applied; neither argument is modified.

    An object patch merges member by member: `null` removes a member, an object recurses, and
    anything else replaces the member. A patch that is not an object replaces the whole target.
    """
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = merge_patch(result.get(name), value)
    return result
