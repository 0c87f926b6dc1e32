"""A barrier view chrooted to one prefix: the only storage an engine ever sees."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from strongroom.barrier.barrier import Barrier
from strongroom.physical import Delete, Put, TxnOp


class BarrierView:
    def __init__(self, barrier: Barrier, prefix: str) -> None:
        if prefix and not prefix.endswith("/"):
            raise ValueError("a view prefix ends with '/'")
        self._barrier = barrier
        self.prefix = prefix

    async def get(self, key: str) -> bytes | None:
        return await self._barrier.get(self.prefix + key)

    async def put(self, key: str, value: bytes) -> None:
        await self._barrier.put(self.prefix + key, value)

    async def delete(self, key: str) -> None:
        await self._barrier.delete(self.prefix + key)

    async def list(
        self, prefix: str = "", after: str | None = None, limit: int | None = None
    ) -> list[str]:
        return await self._barrier.list(self.prefix + prefix, after, limit)

    async def write_many(self, puts: Mapping[str, bytes], deletes: Sequence[str] = ()) -> None:
        """Atomic on a transactional physical backend; in order (puts, then deletes) otherwise."""
        ops: list[TxnOp] = [Put(self.prefix + k, v) for k, v in puts.items()]
        ops += [Delete(self.prefix + k) for k in deletes]
        if self._barrier.transactional:
            await self._barrier.transaction(ops)
            return
        for op in ops:
            if isinstance(op, Put):
                await self._barrier.put(op.key, op.value)
            else:
                await self._barrier.delete(op.key)

    def sub_view(self, prefix: str) -> BarrierView:
        return BarrierView(self._barrier, self.prefix + prefix)
