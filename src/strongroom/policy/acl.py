"""The compiled ACL of a token's policy set.

Only the built-in `root` policy exists so far: it allows everything, sudo included, and every
other policy set is denied. Parsing and matching of HCL path rules arrives with access control.
"""

from __future__ import annotations

from strongroom.logical import Operation


class ACL:
    def __init__(self, policies: tuple[str, ...]) -> None:
        self._root = "root" in policies

    def allows(self, operation: Operation, path: str, *, sudo: bool = False) -> bool:
        return self._root
