"""No secret reaches an audit log in the clear: every endpoint, driven with known secret values.

One real server over TLS, three file devices: `hashed` (defaults), `plain-accessor`
(`hmac_accessor=false`, `elide_list_responses=true`) and `raw` (`log_raw=true`). Every secret
sent, and every secret the server made (tokens, wrapping tokens, random bytes, unwrapped data),
must be absent from the two hashed logs and present in the raw one: that proves the values
really went through audited requests. `sys/audit-hash` must reproduce the hashes at known places
of each log, and both logs must verify intact with `strongroom audit verify`.

Secrets engines are exercised from a table keyed by engine type, and a test insists that every
registered engine has an entry, so a new engine cannot land without audit coverage.

Deliberately readable, as in Vault (so no secret is put there): URL paths, policy names and
text, token metadata and display names, lease ids, and the accessors on `plain-accessor`.
Policy bodies are not secrets in Vault and are not asserted on. Error texts are readable too,
so a refused secret must be named, never echoed (`refuse_misplaced`).
"""

from __future__ import annotations

import base64
import json
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hvac
import pytest
from hvac import exceptions

from strongroom.core.engines import SECRET_ENGINES

HASHED, PLAIN_ACCESSOR, RAW = "hashed", "plain-accessor", "raw"
DEVICE_OPTIONS = {
    HASHED: {},
    PLAIN_ACCESSOR: {"hmac_accessor": "false", "elide_list_responses": "true"},
    RAW: {"log_raw": "true"},
}
HASH_PREFIX = "hmac-sha256:"
AUDITED_HEADER = "X-Audit-Secret"
# Mounted by the core itself rather than through SECRET_ENGINES.
BUILTIN_ENGINES = ("cubbyhole",)
LIMITED_POLICY = 'path "kv1/shared/*" { capabilities = ["read"] }'


def new_secret() -> str:
    return "s3cr3t-" + secrets.token_hex(12)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@dataclass(frozen=True)
class Known:
    """A secret: what it is, and the exact text that went over the wire (`value` or encoded)."""

    label: str
    value: str
    wire: str

    def forms(self) -> set[str]:
        return {self.value, self.wire, b64(self.value), self.value.encode().hex()}


@dataclass
class Run:
    """The state the exercises share: clients and every secret that went through."""

    root: hvac.Client
    as_token: Callable[[str], hvac.Client]
    known: list[Known] = field(default_factory=list)
    readable: dict[str, str] = field(default_factory=dict)  # must stay readable when hashed
    accessor: str = ""  # of the token created with a known id
    request_ids: dict[str, str] = field(default_factory=dict)  # to find a call in the logs

    def secret(self, label: str) -> str:
        """A fresh secret the test sends as it is."""
        value = new_secret()
        self.known.append(Known(label, value, value))
        return value

    def encoded_secret(self, label: str) -> str:
        """A fresh secret the test sends base64-encoded; returns the encoding."""
        value = new_secret()
        self.known.append(Known(label, value, b64(value)))
        return b64(value)

    def keep(self, label: str, value: Any) -> str:
        """A secret the server made, e.g. a token it returned."""
        assert isinstance(value, str) and len(value) >= 8, (label, value)
        self.known.append(Known(label, value, value))
        return value

    def note(self, label: str, response: Any) -> Any:
        """Remember the request id of a call the checks look up in the logs."""
        self.request_ids[label] = response["request_id"]
        return response

    def value(self, label: str) -> str:
        return next(known.value for known in self.known if known.label == label)


# --- secrets engines, keyed by type --------------------------------------------------------


def exercise_kv(run: Run) -> None:
    root = run.root
    root.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
    root.sys.tune_mount_configuration(
        "kv1", audit_non_hmac_request_keys=["label"], audit_non_hmac_response_keys=["label"]
    )
    label = run.readable["kv1 label"] = "public-" + secrets.token_hex(8)
    kv1 = root.secrets.kv.v1
    kv1.create_or_update_secret(
        "app/db", {"password": run.secret("kv1 password"), "label": label}, mount_point="kv1"
    )
    assert kv1.read_secret("app/db", mount_point="kv1")["data"]["password"]
    assert kv1.list_secrets("app", mount_point="kv1")["data"]["keys"] == ["db"]
    wrapped = root.read("kv1/app/db", wrap_ttl="60s")["wrap_info"]["token"]
    unwrapped = root.sys.unwrap(run.keep("kv1 read wrapping token", wrapped))
    assert unwrapped["data"]["password"] == run.value("kv1 password")
    kv1.create_or_update_secret("app/tmp", {"pin": run.secret("kv1 pin")}, mount_point="kv1")
    kv1.delete_secret("app/tmp", mount_point="kv1")

    root.sys.enable_secrets_engine("kv", path="kv2", options={"version": "2"})
    kv2 = root.secrets.kv.v2
    first = {
        "password": run.secret("kv2 password"),
        "nested": {"pin": run.secret("kv2 nested pin"), "list": [run.secret("kv2 list item")]},
    }
    kv2.create_or_update_secret("app/db", first, mount_point="kv2")
    kv2.create_or_update_secret(
        "app/db", {**first, "password": run.secret("kv2 password v2")}, cas=1, mount_point="kv2"
    )
    read = kv2.read_secret("app/db", mount_point="kv2", raise_on_deleted_version=True)
    assert read["data"]["data"]["password"] == run.value("kv2 password v2")
    old = kv2.read_secret_version(
        "app/db", version=1, mount_point="kv2", raise_on_deleted_version=True
    )
    assert old["data"]["data"]["password"] == run.value("kv2 password")
    kv2.patch("app/db", {"api_key": run.secret("kv2 hvac patch")}, mount_point="kv2")
    root.adapter.request(
        "PATCH",
        "/v1/kv2/data/app/db",
        headers={"Content-Type": "application/merge-patch+json"},
        json={"data": {"otp": run.secret("kv2 merge patch")}},
    )
    root.adapter.get("/v1/kv2/subkeys/app/db")
    assert kv2.list_secrets("app", mount_point="kv2")["data"]["keys"] == ["db"]
    kv2.update_metadata(
        "app/db", custom_metadata={"owner": run.secret("kv2 custom metadata")}, mount_point="kv2"
    )
    meta = kv2.read_secret_metadata("app/db", mount_point="kv2")["data"]
    assert meta["custom_metadata"]["owner"] == run.value("kv2 custom metadata")
    kv2.delete_latest_version_of_secret("app/db", mount_point="kv2")
    kv2.undelete_secret_versions("app/db", versions=[4], mount_point="kv2")
    kv2.delete_secret_versions("app/db", versions=[2], mount_point="kv2")
    kv2.destroy_secret_versions("app/db", versions=[1], mount_point="kv2")
    wrapped = root.read("kv2/data/app/db", wrap_ttl="60s")["wrap_info"]["token"]
    unwrapped = root.sys.unwrap(run.keep("kv2 read wrapping token", wrapped))
    assert unwrapped["data"]["data"]["otp"] == run.value("kv2 merge patch")
    kv2.create_or_update_secret("gone", {"x": run.secret("kv2 deleted")}, mount_point="kv2")
    kv2.delete_metadata_and_all_versions("gone", mount_point="kv2")


def exercise_cubbyhole(run: Run) -> None:
    root = run.root
    root.write_data("cubbyhole/note", data={"text": run.secret("root cubbyhole")})
    assert root.read("cubbyhole/note")["data"]["text"] == run.value("root cubbyhole")
    assert root.list("cubbyhole/")["data"]["keys"] == ["note"]
    root.delete("cubbyhole/note")
    child_token = root.auth.token.create(policies=["default"], ttl="10m")["auth"]["client_token"]
    child = run.as_token(run.keep("cubbyhole child token", child_token))
    child.write_data("cubbyhole/mine", data={"text": run.secret("child cubbyhole")})
    assert child.read("cubbyhole/mine")["data"]["text"] == run.value("child cubbyhole")


def exercise_transit(run: Run) -> None:
    root = run.root
    root.sys.enable_secrets_engine("transit", path="transit")
    transit = root.secrets.transit
    transit.create_key("audit", exportable=True, allow_plaintext_backup=True, mount_point="transit")
    plaintext = run.encoded_secret("transit plaintext")
    encrypted = transit.encrypt_data("audit", plaintext, mount_point="transit")["data"]
    decrypted = transit.decrypt_data("audit", encrypted["ciphertext"], mount_point="transit")
    assert decrypted["data"]["plaintext"] == plaintext
    batch = [{"plaintext": run.encoded_secret("transit batch plaintext")}]
    results = transit.encrypt_data("audit", batch_input=batch, mount_point="transit")["data"]
    decrypted_batch = transit.decrypt_data(
        "audit", batch_input=results["batch_results"], mount_point="transit"
    )
    assert decrypted_batch["data"]["batch_results"][0]["plaintext"] == batch[0]["plaintext"]
    transit.generate_hmac("audit", run.encoded_secret("transit hmac input"), mount_point="transit")
    datakey = transit.generate_data_key("audit", key_type="plaintext", mount_point="transit")
    run.keep("transit data key", datakey["data"]["plaintext"])
    exported = transit.export_key("audit", key_type="encryption-key", mount_point="transit")
    for version, material in exported["data"]["keys"].items():
        run.keep(f"transit exported key v{version}", material)
    run.keep("transit backup", transit.backup_key("audit", mount_point="transit")["data"]["backup"])
    random = transit.generate_random_bytes(n_bytes=32, mount_point="transit")["data"]
    run.keep("transit random bytes", random["random_bytes"])
    transit.create_key("signer", key_type="ed25519", mount_point="transit")
    message = run.encoded_secret("transit signed message")
    signed = transit.sign_data("signer", hash_input=message, mount_point="transit")["data"]
    verified = transit.verify_signed_data(
        "signer", message, signature=signed["signature"], mount_point="transit"
    )
    assert verified["data"]["valid"] is True
    refuse_misplaced(run, TRANSIT_MISPLACED_SECRETS)


def pem_secret_line(pem: str) -> str:
    """The first base64 line of a PEM key: it holds the private scalar. (Logs escape the
    newlines of the whole PEM, so one line is what can be searched for.)"""
    return pem.splitlines()[1]


def exercise_pki(run: Run) -> None:
    """Issued and exported private keys never reach the hashed logs; a refused key is named,
    never echoed."""
    root = run.root
    root.sys.enable_secrets_engine("pki", path="pki")
    pki = root.secrets.pki
    exported = pki.generate_root(
        "exported", "Audit Root", extra_params={"key_type": "ec"}, mount_point="pki"
    )["data"]
    run.keep("pki exported root key", pem_secret_line(exported["private_key"]))
    pki.create_or_update_role(
        "audit",
        {"allowed_domains": ["example.com"], "allow_subdomains": True, "key_type": "ec"},
        mount_point="pki",
    )
    issued = pki.generate_certificate("audit", "www.example.com", mount_point="pki")["data"]
    run.keep("pki issued private key", pem_secret_line(issued["private_key"]))
    revoked = root.write_data(
        "pki/revoke-with-key",
        data={"serial_number": issued["serial_number"], "private_key": issued["private_key"]},
    )
    assert revoked["data"]["state"] == "revoked"
    with pytest.raises(exceptions.InvalidRequest):
        root.write_data(
            "pki/revoke-with-key",
            data={
                "serial_number": issued["serial_number"],
                "private_key": run.secret("pki refused private key"),
            },
        )


ENGINE_EXERCISES: dict[str, Callable[[Run], None]] = {
    "kv": exercise_kv,
    "cubbyhole": exercise_cubbyhole,
    "transit": exercise_transit,
    "pki": exercise_pki,
}


def engines_to_exercise() -> list[str]:
    return [*BUILTIN_ENGINES, *sorted(SECRET_ENGINES)]


# --- the rest of the API -------------------------------------------------------------------


def exercise_tokens(run: Run) -> None:
    root = run.root
    known_id = run.secret("token id chosen by the caller")
    run.readable["token metadata"] = "team-" + secrets.token_hex(6)
    metadata = {"team": run.readable["token metadata"]}
    created = root.auth.token.create(id=known_id, policies=["default"], meta=metadata, ttl="1h")
    created = run.note("create with known id", created)["auth"]
    assert created["client_token"] == known_id
    accessor = run.accessor = created["accessor"]
    child = run.as_token(known_id)
    assert run.note("lookup-self", child.auth.token.lookup_self())["data"]["id"] == known_id
    assert root.auth.token.lookup(known_id)["data"]["accessor"] == accessor
    assert root.adapter.get("/v1/auth/token/lookup", params={"token": known_id})["data"]["id"]
    assert root.auth.token.lookup_accessor(accessor)["data"]["id"] == ""
    bearer = {"Authorization": f"Bearer {known_id}"}
    anonymous = run.as_token("").adapter
    assert anonymous.get("/v1/auth/token/lookup-self", headers=bearer)["data"]["id"] == known_id
    child.auth.token.renew_self(increment="30m")
    root.auth.token.renew(known_id, increment=600)
    root.auth.token.renew_accessor(accessor, increment=600)
    root.sys.get_capabilities(["kv1/app/db"], token=known_id)
    root.sys.get_capabilities(["kv1/app/db"], accessor=accessor)
    assert accessor in root.auth.token.list_accessors()["data"]["keys"]

    doomed = run.keep(
        "token revoked by id", root.auth.token.create(ttl="1h")["auth"]["client_token"]
    )
    root.auth.token.revoke(doomed)
    by_accessor = root.auth.token.create(ttl="1h")["auth"]
    run.keep("token revoked by accessor", by_accessor["client_token"])
    root.auth.token.revoke_accessor(by_accessor["accessor"])
    orphan = root.auth.token.create_orphan(policies=["default"])["auth"]["client_token"]
    run.as_token(run.keep("orphan token", orphan)).auth.token.revoke_self()
    batch = root.auth.token.create(policies=["default"], type="batch", ttl="10m")["auth"]
    run.as_token(run.keep("batch token", batch["client_token"])).auth.token.lookup_self()
    root.auth.token.create_or_update_role("audit-role", allowed_policies=["default"])
    role_token = root.auth.token.create(role_name="audit-role")["auth"]["client_token"]
    run.keep("role token", role_token)
    wrapped = root.auth.token.create(policies=["default"], wrap_ttl="60s")["wrap_info"]
    unwrapped = root.sys.unwrap(run.keep("wrapped token's wrapping token", wrapped["token"]))
    run.keep("token delivered wrapped", unwrapped["auth"]["client_token"])
    root.auth.token.revoke_and_orphan_children(known_id)


def exercise_wrapping(run: Run) -> None:
    root = run.root
    payload = {"secret": run.secret("wrapped payload"), "deep": [{"x": run.secret("wrapped deep")}]}
    wrapped = run.note("wrap", root.sys.wrap(payload=payload, ttl="5m"))
    token = run.keep("wrapping token", wrapped["wrap_info"]["token"])
    looked_up = root.adapter.post("/v1/sys/wrapping/lookup", json={"token": token})
    assert looked_up["data"]["creation_path"] == "sys/wrapping/wrap"
    anonymous = run.as_token("").adapter.post("/v1/sys/wrapping/lookup", json={"token": token})
    assert anonymous["data"]["creation_ttl"] == 300
    rewrapped = root.adapter.post("/v1/sys/wrapping/rewrap", json={"token": token})
    new_token = run.keep("rewrapped token", rewrapped["wrap_info"]["token"])
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.unwrap(token)  # spent by the rewrap: a failed request holding a token
    assert run.as_token(new_token).sys.unwrap()["data"] == payload  # the token as X-Vault-Token
    again = root.sys.wrap(payload={"s": run.secret("wrapped twice")}, ttl="5m")["wrap_info"]
    assert root.sys.unwrap(run.keep("second wrapping token", again["token"]))["data"]


def exercise_tools(run: Run) -> None:
    adapter = run.root.adapter
    digest = adapter.post(
        "/v1/sys/tools/hash", json={"input": run.encoded_secret("hashed tool input")}
    )
    assert digest["data"]["sum"]
    adapter.post(
        "/v1/sys/tools/hash/sha2-512", json={"input": run.encoded_secret("sha512 tool input")}
    )
    random_b64 = adapter.post("/v1/sys/tools/random/32")["data"]["random_bytes"]
    run.keep("random bytes (base64)", random_b64)
    random_hex = adapter.post("/v1/sys/tools/random", json={"format": "hex"})["data"]
    run.keep("random bytes (hex)", random_hex["random_bytes"])


def exercise_policies_and_mounts(run: Run) -> None:
    root = run.root
    root.sys.create_or_update_acl_policy("limited", LIMITED_POLICY)
    assert "limited" in root.sys.list_acl_policies()["data"]["keys"]
    assert root.sys.read_acl_policy("limited")["data"]["policy"] == LIMITED_POLICY
    root.sys.read_policy("limited")
    root.sys.create_or_update_acl_policy("scratch", 'path "x" { capabilities = ["read"] }')
    root.sys.delete_acl_policy("scratch")
    root.sys.tune_mount_configuration("kv2", description="tuned", max_lease_ttl="2h")
    assert root.sys.read_mount_configuration("kv2")["data"]["max_lease_ttl"] == 7200
    assert "kv1/" in root.sys.list_mounted_secrets_engines()["data"]


def exercise_failures(run: Run) -> None:
    """Refused requests are audited too, with their bodies and tokens hashed."""
    root = run.root
    bad = run.as_token(run.secret("invalid token"))
    with pytest.raises(exceptions.Forbidden):
        bad.read("kv1/app/db")
    with pytest.raises(exceptions.Forbidden):
        bad.auth.token.lookup_self()
    limited_token = root.auth.token.create(policies=["limited"], ttl="10m")["auth"]["client_token"]
    limited = run.as_token(run.keep("limited token", limited_token))
    with pytest.raises(exceptions.Forbidden):
        limited.write_data("kv1/app/db", data={"password": run.secret("forbidden kv write")})
    with pytest.raises((exceptions.InvalidPath, exceptions.InvalidRequest)):
        root.write_data("nowhere/at/all", data={"password": run.secret("unrouted write")})
    with pytest.raises(exceptions.VaultError):
        root.auth.token.lookup(run.secret("unknown token looked up"))
    with pytest.raises(exceptions.InvalidRequest):
        # Not base64 ("-" is outside the alphabet): the error must not echo the input.
        root.adapter.post("/v1/sys/tools/hash", json={"input": run.secret("undecodable input")})
    with pytest.raises(exceptions.InvalidRequest):
        root.adapter.post("/v1/kv2/data/app/db", json={"data": run.secret("kv2 data not a map")})
    with pytest.raises(exceptions.InvalidRequest):
        root.sys.unwrap(run.secret("bogus wrapping token"))


# (method, URL, parameter, a valid rest of the body): a secret sent as that parameter is
# refused, see `refuse_misplaced`.
Misplaced = tuple[str, str, str, dict[str, Any]]
VALID_INPUT = {"input": b64("x")}
MISPLACED_SECRETS: tuple[Misplaced, ...] = (
    ("POST", "/v1/sys/tools/random", "format", {}),
    ("POST", "/v1/sys/tools/random", "source", {}),
    ("POST", "/v1/sys/tools/hash", "format", VALID_INPUT),
    ("POST", "/v1/sys/tools/hash", "algorithm", VALID_INPUT),
    ("POST", "/v1/auth/token/create", "ttl", {}),
    ("POST", "/v1/auth/token/create", "type", {}),
    ("POST", "/v1/auth/token/create", "num_uses", {}),
    ("POST", "/v1/kv2/metadata/app/db", "max_versions", {}),
    ("POST", "/v1/sys/mounts/kv2/tune", "default_lease_ttl", {}),
    ("GET", "/v1/kv2/data/app/db", "version", {}),
)
TRANSIT_MISPLACED_SECRETS: tuple[Misplaced, ...] = (
    ("POST", "/v1/transit/keys/refused", "type", {}),
    ("POST", "/v1/transit/random", "format", {}),
    ("POST", "/v1/transit/hash", "format", VALID_INPUT),
    ("POST", "/v1/transit/hash", "algorithm", VALID_INPUT),
    ("POST", "/v1/transit/hmac/audit", "algorithm", VALID_INPUT),
    ("POST", "/v1/transit/encrypt/audit", "key_version", {"plaintext": b64("x")}),
    ("POST", "/v1/transit/decrypt/audit", "ciphertext", {}),
)


def refuse_misplaced(run: Run, misplaced: tuple[Misplaced, ...]) -> None:
    """A secret where a parameter of another type or a fixed choice belongs is refused (400),
    and the error text, logged in the clear, must name the parameter, never echo the value."""
    for method, url, name, valid in misplaced:
        body = {**valid, name: run.secret(f"misplaced {name} of {method} {url}")}
        where = {"params": body} if method == "GET" else {"json": body}
        with pytest.raises(exceptions.InvalidRequest):
            run.root.adapter.request(method, url, **where)


def exercise_audit_features(run: Run) -> None:
    root = run.root
    root.adapter.post(
        f"/v1/sys/config/auditing/request-headers/{AUDITED_HEADER}", json={"hmac": True}
    )
    header = {AUDITED_HEADER: run.secret("audited header value")}
    run.note("audited header", root.adapter.get("/v1/sys/mounts", headers=header))
    for device in DEVICE_OPTIONS:
        hashed = root.sys.calculate_hash(device, run.secret(f"audit-hash input on {device}"))
        run.note(f"audit-hash on {device}", hashed)
    assert root.sys.list_enabled_audit_devices()["data"].keys() == {f"{d}/" for d in DEVICE_OPTIONS}


def exercise_quorum(run: Run, unseal_keys: list[str]) -> list[str]:
    """Root generation and rekey: key shares in, an OTP, an encoded root token and new key
    shares out. Returns the new unseal keys."""
    root = run.root
    for index, share in enumerate(unseal_keys):
        run.keep(f"unseal key {index}", share)
    attempt = root.sys.start_root_token_generation()
    otp = run.keep("generate-root otp", attempt["otp"])
    done = root.sys.generate_root(key=unseal_keys[0], nonce=attempt["nonce"])
    encoded = run.keep("encoded root token", done["encoded_token"])  # unpadded, as Vault's
    encoded_bytes = base64.b64decode(encoded + "=" * (-len(encoded) % 4))
    new_root = bytes(a ^ b for a, b in zip(encoded_bytes, otp.encode(), strict=True)).decode()
    generated = run.as_token(run.keep("generated root token", new_root))
    assert generated.auth.token.lookup_self()["data"]["policies"] == ["root"]
    generated.auth.token.revoke_self()
    nonce = root.sys.start_rekey(secret_shares=1, secret_threshold=1)["nonce"]
    rekeyed = root.sys.rekey(unseal_keys[0], nonce=nonce)
    assert rekeyed["complete"] is True
    for index, share in enumerate(rekeyed["keys_base64"]):
        run.keep(f"rekeyed unseal key {index} (base64)", share)
    return [run.keep(f"rekeyed unseal key {i}", k) for i, k in enumerate(rekeyed["keys"])]


def exercise_seal_cycle(run: Run, unseal_keys: list[str]) -> None:
    """Devices close (checkpoint) on seal and continue their chain after unseal."""
    run.root.sys.seal()
    run.root.sys.submit_unseal_keys(unseal_keys)
    kv2 = run.root.secrets.kv.v2
    kv2.create_or_update_secret(
        "after/unseal", {"v": run.secret("written after unseal")}, mount_point="kv2"
    )


# --- reading the logs ----------------------------------------------------------------------


@dataclass
class Log:
    device: str
    path: Path
    text: str
    entries: list[dict[str, Any]]  # checkpoints left out
    last_seq: int

    @classmethod
    def read(cls, device: str, path: Path) -> Log:
        text = path.read_text()
        lines = [json.loads(line) for line in text.splitlines()]
        entries = [line for line in lines if line.get("type") != "checkpoint"]
        return cls(device, path, text, entries, lines[-1]["seq"])

    def find(self, kind: str, path: str, **where: Any) -> dict[str, Any]:
        """The one entry of `kind` for `path` whose fields (`a__b` for `a.b`) have the given
        values."""
        found = [
            entry
            for entry in self.entries
            if entry["type"] == kind
            and entry["request"]["path"] == path
            and all(dig(entry, key.replace("__", ".")) == value for key, value in where.items())
        ]
        assert len(found) == 1, (self.device, kind, path, where, len(found))
        return found[0]


def dig(entry: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(entry, dict) or part not in entry:
            return None
        entry = entry[part]
    return entry


def occurrences(entry: Any, needle: str, where: str = "") -> Iterator[str]:
    """Dotted paths of the keys and string values of `entry` containing `needle`."""
    if isinstance(entry, dict):
        for key, value in entry.items():
            here = f"{where}.{key}" if where else str(key)
            if needle in str(key):
                yield here + " (key)"
            yield from occurrences(value, needle, here)
    elif isinstance(entry, list):
        for index, value in enumerate(entry):
            yield from occurrences(value, needle, f"{where}[{index}]")
    elif isinstance(entry, str) and needle in entry:
        yield where


def leaks(log: Log, known: list[Known]) -> list[str]:
    found = []
    for secret in known:
        for form in secret.forms():
            if form not in log.text:
                continue
            places = [
                f"seq {entry.get('seq')} {entry['type']} {entry['request']['path']}: {place}"
                for entry in log.entries
                for place in occurrences(entry, form)
            ]
            found.append(f"{log.device}: {secret.label!r} ({form}) at {places or 'raw bytes'}")
    return found


# --- the scenario and its checks -------------------------------------------------------


@dataclass
class Outcome:
    run: Run
    logs: dict[str, Log]
    hashes: dict[tuple[str, str], str]  # (device, label) → sys/audit-hash of that secret
    accessor_hashes: dict[str, str]  # device → sys/audit-hash of `run.accessor`
    public_keys: dict[str, Path]
    written: dict[str, int]  # device → the seq the server said it had written last


def drive(server_factory: Any, directory: Path) -> Outcome:
    """Start a server, enable the devices, run every exercise, stop it, read the logs."""
    files = {device: directory / f"audit-{device}.log" for device in DEVICE_OPTIONS}
    with server_factory(unsafe_allow_api_audit_creation=True) as server:
        root = hvac.Client(url=server.address, verify=server.ca_file)
        init = root.sys.initialize(1, 1)
        root.sys.submit_unseal_keys(init["keys"])
        root.token = init["root_token"]
        for device, options in DEVICE_OPTIONS.items():
            root.sys.enable_audit_device(
                "file", path=device, options={"file_path": str(files[device]), **options}
            )
        run = Run(root, lambda token: hvac.Client(server.address, token, verify=server.ca_file))
        run.keep("root token", init["root_token"])

        for engine_type in engines_to_exercise():
            ENGINE_EXERCISES[engine_type](run)
        exercise_tokens(run)
        exercise_wrapping(run)
        exercise_tools(run)
        exercise_policies_and_mounts(run)
        exercise_failures(run)
        refuse_misplaced(run, MISPLACED_SECRETS)
        exercise_audit_features(run)
        exercise_seal_cycle(run, exercise_quorum(run, init["keys"]))

        hashed_devices = (HASHED, PLAIN_ACCESSOR)
        hashes = {
            (device, label): root.sys.calculate_hash(device, run.value(label))["data"]["hash"]
            for device in hashed_devices
            for label in HASH_PROBES
        }
        accessor_hashes = {
            device: root.sys.calculate_hash(device, run.accessor)["data"]["hash"]
            for device in hashed_devices
        }
        public_keys, written = {}, {}
        for device in DEVICE_OPTIONS:
            key = root.adapter.get(f"/v1/sys/audit/{device}/public-key")["data"]
            public_keys[device] = directory / f"{device}.pem"
            public_keys[device].write_text(key["public_key"])
            written[device] = key["seq"]
    # The server has stopped: every device wrote its closing checkpoint.
    logs = {device: Log.read(device, path) for device, path in files.items()}
    return Outcome(run, logs, hashes, accessor_hashes, public_keys, written)


def check_no_secret_in_hashed_logs(outcome: Outcome) -> None:
    known = outcome.run.known
    found = [leak for d in (HASHED, PLAIN_ACCESSOR) for leak in leaks(outcome.logs[d], known)]
    assert not found, "secrets in the clear:\n" + "\n".join(found)


def check_raw_log_holds_every_secret(outcome: Outcome) -> None:
    raw = outcome.logs[RAW].text
    missing = [known.label for known in outcome.run.known if known.wire not in raw]
    assert not missing, f"never went through an audited request: {missing}"


def check_listed_keys_and_metadata_stay_readable(outcome: Outcome) -> None:
    """The control: the scan does see a value that is logged in the clear."""
    for device in (HASHED, PLAIN_ACCESSOR):
        log = outcome.logs[device]
        for label, value in outcome.run.readable.items():
            assert value in log.text, (device, label)
        write = log.find("request", "kv1/app/db", request__operation="create")
        assert write["request"]["data"]["label"] == outcome.run.readable["kv1 label"]
        assert write["request"]["data"]["password"].startswith(HASH_PREFIX)


HASH_PROBES = (
    "kv1 password",
    "kv2 password",
    "token id chosen by the caller",
    "invalid token",
    "audit-hash input on hashed",
    "wrapped payload",
    "wrapping token",
    "audited header value",
)


def logged_at_probe_places(log: Log, ids: dict[str, str]) -> dict[str, Any]:
    """For each probe, the value logged at the exact place that secret went. Entries are found
    by request id or by what else is known of them, never by the hash being checked."""
    kv1_write = log.find("request", "kv1/app/db", request__operation="create")
    kv2_write = log.find("request", "kv2/data/app/db", request__operation="create")
    created = log.find("response", "auth/token/create", request__id=ids["create with known id"])
    refused = log.find(
        "request", "kv1/app/db", request__operation="read", error="permission denied"
    )
    audit_hash = log.find(
        "request", "sys/audit-hash/hashed", request__id=ids["audit-hash on hashed"]
    )
    wrap = log.find("response", "sys/wrapping/wrap", request__id=ids["wrap"])
    mounts = log.find("request", "sys/mounts", request__id=ids["audited header"])
    return {
        "kv1 password": kv1_write["request"]["data"]["password"],
        "kv2 password": kv2_write["request"]["data"]["data"]["password"],
        "token id chosen by the caller": created["response"]["auth"]["client_token"],
        "invalid token": refused["auth"]["client_token"],
        "audit-hash input on hashed": audit_hash["request"]["data"]["input"],
        "wrapped payload": wrap["request"]["data"]["secret"],
        "wrapping token": wrap["response"]["wrap_info"]["token"],
        "audited header value": dig(mounts, "request.headers.x-audit-secret"),
    }


def check_audit_hash_reproduces_logged_hashes(outcome: Outcome) -> None:
    for device in (HASHED, PLAIN_ACCESSOR):
        hashes = {label: outcome.hashes[device, label] for label in HASH_PROBES}
        assert all(value.startswith(HASH_PREFIX) for value in hashes.values())
        logged = logged_at_probe_places(outcome.logs[device], outcome.run.request_ids)
        expected = {**hashes, "audited header value": [hashes["audited header value"]]}
        assert logged == expected, device
    for label in HASH_PROBES:  # each device hashes with its own salt
        assert outcome.hashes[HASHED, label] != outcome.hashes[PLAIN_ACCESSOR, label]


def check_accessor_and_list_options(outcome: Outcome) -> None:
    accessor, ids = outcome.run.accessor, outcome.run.request_ids
    hashed, plain = outcome.logs[HASHED], outcome.logs[PLAIN_ACCESSOR]
    for log, expected in ((hashed, outcome.accessor_hashes[HASHED]), (plain, accessor)):
        entry = log.find("request", "auth/token/lookup-self", request__id=ids["lookup-self"])
        assert entry["auth"]["accessor"] == entry["request"]["client_token_accessor"] == expected
    assert accessor not in hashed.text
    listed = hashed.find("response", "kv1/app/", request__operation="list")["response"]["data"]
    assert len(listed["keys"]) == 1 and listed["keys"][0].startswith(HASH_PREFIX)
    elided = plain.find("response", "kv1/app/", request__operation="list")["response"]["data"]
    assert elided["keys"] == 1


def check_logs_verify_intact(outcome: Outcome) -> None:
    for device in DEVICE_OPTIONS:
        log = outcome.logs[device]
        key = f"-public-key={outcome.public_keys[device]}"
        result = subprocess.run(
            [sys.executable, "-m", "strongroom.cli.main", "audit", "verify", key, str(log.path)],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, (device, result.stdout, result.stderr)
        assert f"intact: {len(log.entries)} entries" in result.stdout, result.stdout
        assert "unsigned tail" not in result.stdout  # the shutdown checkpoint signed the end
        # The public-key read (audited itself) came after the seq it reported.
        assert log.last_seq > outcome.written[device] > len(log.entries) // 2


# hvac's own kv v2 `patch` reads without raise_on_deleted_version.
@pytest.mark.filterwarnings("ignore:The raise_on_deleted_version parameter:DeprecationWarning")
def test_audit_logs_hold_no_secret_in_the_clear(server_factory: Any, tmp_path: Path) -> None:
    outcome = drive(server_factory, tmp_path)
    check_no_secret_in_hashed_logs(outcome)
    check_raw_log_holds_every_secret(outcome)
    check_listed_keys_and_metadata_stay_readable(outcome)
    check_audit_hash_reproduces_logged_hashes(outcome)
    check_accessor_and_list_options(outcome)
    check_logs_verify_intact(outcome)


def test_every_secrets_engine_has_an_audit_exercise() -> None:
    missing = sorted(set(engines_to_exercise()) - set(ENGINE_EXERCISES))
    assert not missing, f"add an audit exercise for {missing} to ENGINE_EXERCISES"
