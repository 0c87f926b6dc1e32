"""The cyclic garbage collector, tuned for a long-running server.

Reference counting frees almost everything a request allocates; the cyclic collector is only
needed for cycles. With CPython's defaults it runs a young-generation pass every 700
allocations, and the full passes those lead to walk the whole heap (every module, class and
function loaded at start), stalling the requests caught behind them for milliseconds. Once the
node is built, the start-up heap is frozen (left out of every later pass: it lives as long as
the process) and the young generation is collected every 10,000 allocations instead. Measured
with a file audit device (bench `kv-read-audit`, which allocates the most per request):
about 15% more requests per second and a p99 latency of 5 ms instead of 23 ms.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 10_000


def tune_collector() -> None:
    gc.collect()  # what start-up left behind is garbage, not heap to freeze
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)
