"""A login for a missing user costs what a wrong password costs.

How it is measured: one userpass backend in this process (no HTTP, no network jitter) with
argon2id at 1 MiB / 1 pass (about 0.5 ms a hash, enough to dwarf the ~20 µs of storage lookup
and record decoding that differ between the two paths, yet fast enough for a unit test). After
a warm-up, 200 logins of each kind run interleaved — missing, wrong, missing, wrong, … — so
that load from other processes on a busy 2-core machine hits both kinds alike. Each login is
timed with `perf_counter_ns` around the backend call.

The check is on the medians, the statistic least moved by scheduler outliers: they must agree
within 25% of the larger one; the 10th percentiles (the cleanest view of the intrinsic cost)
within 35%. A missing-user path that skipped hashing would be ~25 times faster and fail by far;
a control run proves the measurement sees that difference (logins refused before any hashing
have a median far below both). On a loaded machine one round can still be unlucky, so up to
three rounds are measured and one agreeing round passes: a real difference fails all three.
Measured on the project's 2-core machine with three CPU-bound processes running beside it:
no failure in 20 runs.
"""

from __future__ import annotations

import statistics
import time

from auth_helpers import AuthDriver, U

from strongroom.auth.userpass import build_userpass_backend
from strongroom.auth.userpass.passwords import Argon2Params, PasswordHasher
from strongroom.errors import InvalidCredentials, InvalidParameter
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock

TIMED = Argon2Params(time_cost=1, memory_cost=1024, parallelism=1)
SAMPLES = 200
WARM_UP = 20
ROUNDS = 3


async def timed_failure(driver: AuthDriver, path: str, password: str) -> int:
    start = time.perf_counter_ns()
    try:
        await driver(U, path, {"password": password})
    except InvalidCredentials:
        return time.perf_counter_ns() - start
    raise AssertionError("the login should have failed")


async def measure(driver: AuthDriver) -> tuple[list[int], list[int]]:
    """One round: SAMPLES logins of each kind, interleaved."""
    missing: list[int] = []
    wrong: list[int] = []
    for _ in range(SAMPLES):
        missing.append(await timed_failure(driver, "login/nobody", "guess"))
        wrong.append(await timed_failure(driver, "login/alice", "guess"))
    return missing, wrong


def agree(missing: list[int], wrong: list[int]) -> bool:
    tenth = statistics.quantiles(missing, n=10)[0], statistics.quantiles(wrong, n=10)[0]
    return close(statistics.median(missing), statistics.median(wrong), 0.25) and close(*tenth, 0.35)


def close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(a, b)


async def test_missing_user_and_wrong_password_take_the_same_time() -> None:
    storage = InmemBackend()
    driver = AuthDriver(
        build_userpass_backend(storage, PasswordHasher(TIMED)), storage, FakeClock(), "auth/up/"
    )
    await driver.write("users/alice", password="the right one")
    for _ in range(WARM_UP):  # the dummy hash, caches, the thread pool
        await timed_failure(driver, "login/nobody", "guess")
        await timed_failure(driver, "login/alice", "guess")
    seen = []
    for _ in range(ROUNDS):
        missing, wrong = await measure(driver)
        seen.append((statistics.median(missing), statistics.median(wrong)))
        if agree(missing, wrong):
            break
    else:
        raise AssertionError(f"medians (missing, wrong) in ns differ: {seen}")
    median_missing, median_wrong = seen[-1]

    # Control: the same measurement sees a path that skips the hash.
    await driver.write("users/nohash", password="x")
    skipped = [await _no_hash_failure(driver) for _ in range(50)]
    assert statistics.median(skipped) < 0.3 * min(median_missing, median_wrong)


async def _no_hash_failure(driver: AuthDriver) -> int:
    """A request refused before any hashing (no password sent): the cost of everything else."""
    start = time.perf_counter_ns()
    try:
        await driver(U, "login/nohash", {})
    except InvalidParameter:  # "missing password"
        return time.perf_counter_ns() - start
    raise AssertionError("the login should have failed")
