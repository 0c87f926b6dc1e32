"""The collector tuning the node applies once it is built."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from strongroom.server.collector import YOUNG_GENERATION_THRESHOLD, tune_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


@pytest.mark.usefixtures("restored_collector")
def test_start_up_heap_is_frozen_and_young_passes_are_rarer() -> None:
    _, middle, oldest = gc.get_threshold()
    tune_collector()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, middle, oldest)
    # A cycle made afterwards is still found and freed.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1
