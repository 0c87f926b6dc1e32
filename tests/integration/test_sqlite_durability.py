"""Writes SQLite acknowledged survive kill -9 of the writing process."""

from __future__ import annotations

from pathlib import Path

from strongroom.testing.physical import check_acknowledged_writes_survive_sigkill


async def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    path = str(tmp_path / "strongroom.db")
    checked = await check_acknowledged_writes_survive_sigkill(
        "strongroom.physical.sqlite:SqliteBackend", path
    )
    assert checked >= 300
