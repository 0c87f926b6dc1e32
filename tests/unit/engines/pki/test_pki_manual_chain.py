"""An issuer's `manual_chain`: validation, the chain every endpoint then returns, what issuers
below it inherit, and (openssl) that the chosen path verifies to the root it leads to."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from pki_helpers import PKI, openssl

from strongroom.engines.pki import build_pki_backend
from strongroom.errors import InvalidParameter
from strongroom.logical import Operation
from strongroom.physical.inmem import InmemBackend
from strongroom.testing.clock import FakeClock


async def intermediate(pki: PKI, name: str, parent: str) -> dict[str, Any]:
    """A CA signed by `parent`, with its key in the mount, named `name`."""
    csr = (await pki.ok("intermediate/generate/internal", common_name=name, key_type="ec"))["csr"]
    signed = await pki.ok(
        "root/sign-intermediate", csr=csr, common_name=name, issuer_ref=parent, ttl="8760h"
    )
    (issuer_id,) = (await pki.ok("intermediate/set-signed", certificate=pem(signed)))[
        "imported_issuers"
    ]
    return dict(await pki.ok(f"issuer/{issuer_id}", issuer_name=name))


async def cross_signed(pki: PKI) -> dict[str, dict[str, Any]]:
    """`int` below `old`, a root that `new` (another root) cross-signed as `cross`."""
    old = await pki.root(common_name="Old Root", issuer_name="old")
    new = await pki.root(common_name="New Root", issuer_name="new")
    signed = await pki.ok("root/sign-self-issued", issuer_ref="new", certificate=pem(old))
    (cross_id,) = (await pki.ok("issuers/import/bundle", pem_bundle=pem(signed)))[
        "imported_issuers"
    ]
    cross = await pki.ok(f"issuer/{cross_id}", issuer_name="cross")
    await pki.role("r", allow_any_name=True)
    return {"old": old, "new": new, "cross": cross, "int": await intermediate(pki, "int", "old")}


def stripped(chain: list[str]) -> list[str]:
    """PEMs to compare (some responses end them in a newline, some do not)."""
    return [pem.strip() for pem in chain]


def pem(response: dict[str, Any]) -> str:
    return str(response["certificate"]).strip()


def verify(tmp_path: Path, root: str, chain: list[str], leaf: str) -> bool:
    (tmp_path / "root.pem").write_text(root + "\n")
    (tmp_path / "chain.pem").write_text("\n".join(chain) + "\n")
    (tmp_path / "leaf.pem").write_text(leaf + "\n")
    result = openssl(
        "verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "leaf.pem", cwd=tmp_path
    )
    return result.returncode == 0 and "leaf.pem: OK" in result.stdout


async def test_manual_chain_is_the_chain_and_verifies_with_openssl(
    live: PKI, tmp_path: Path
) -> None:
    ca = await cross_signed(live)
    ids = [ca[name]["issuer_id"] for name in ("int", "cross", "new")]
    pems = [pem(ca[name]) for name in ("int", "cross", "new")]
    updated = await live.ok("issuer/int", manual_chain="self,cross,new")
    assert updated["manual_chain"] == ids and stripped(updated["ca_chain"]) == pems
    assert (await live.read("issuer/int"))["manual_chain"] == ids
    assert stripped((await live.read("issuer/int/json"))["ca_chain"]) == pems
    issued = await live.ok("issuer/int/issue/r", common_name="leaf.test")
    assert issued["issuing_ca"].strip() == pems[0] and stripped(issued["ca_chain"]) == pems
    assert verify(tmp_path, pem(ca["new"]), issued["ca_chain"], pem(issued))
    await live.ok("config/issuers", default="int")
    assert (await live.raw("ca_chain")).raw_body == "".join(p + "\n" for p in pems).encode()
    assert (await live.read("cert/ca_chain"))["ca_chain"] == "".join(p + "\n" for p in pems)
    assert stripped((await live.ok("issue/r", common_name="b.test"))["ca_chain"]) == pems

    to_old = await live.ok("issuer/int", Operation.PATCH, manual_chain=["int", "old"])
    assert stripped(to_old["ca_chain"]) == [pem(ca["int"]), pem(ca["old"])]
    issued = await live.ok("issuer/int/issue/r", common_name="leaf.test")
    assert verify(tmp_path, pem(ca["old"]), issued["ca_chain"], pem(issued))
    # The chain decides: this one no longer leads a client that trusts only the new root.
    assert not verify(tmp_path, pem(ca["new"]), issued["ca_chain"], pem(issued))


async def test_invalid_manual_chains_are_refused(pki: PKI) -> None:
    ca = await cross_signed(pki)
    before = (await pki.read("issuer/int"))["ca_chain"]
    for chain, problem in [
        (["self", "nowhere"], "unable to find PKI issuer for reference nowhere"),
        (["old", "int"], "expected the first issuer to be this issuer"),
        (["cross"], "expected the first issuer to be this issuer"),
        (["int", "self"], "unable to find PKI issuer for reference self"),  # first entry only
    ]:
        error = await pki.fails("issuer/int", manual_chain=chain)
        assert isinstance(error, InvalidParameter) and problem in error.message
    after = await pki.read("issuer/int")
    assert after["manual_chain"] is None and after["ca_chain"] == before
    assert stripped(before)[1] in (pem(ca["old"]), pem(ca["cross"]))


async def test_clearing_goes_back_to_the_built_chain(pki: PKI) -> None:
    await pki.root(issuer_name="root")
    sub = await intermediate(pki, "sub", "root")
    built = (await pki.read("issuer/sub"))["ca_chain"]
    assert len(built) == 2
    assert (await pki.ok("issuer/sub", manual_chain="self"))["ca_chain"] == built[:1]
    kept = await pki.ok("issuer/sub", leaf_not_after_behavior="truncate")
    assert kept["manual_chain"] == [sub["issuer_id"]]  # other updates leave it alone
    cleared = await pki.ok("issuer/sub", manual_chain=[])
    assert cleared["manual_chain"] is None and cleared["ca_chain"] == built


async def test_issuers_below_end_their_chain_with_a_manual_one(pki: PKI) -> None:
    root = await pki.root(issuer_name="root")
    middle = await intermediate(pki, "middle", "root")
    low = await intermediate(pki, "low", "middle")
    assert stripped((await pki.read("issuer/low"))["ca_chain"]) == [
        pem(low),
        pem(middle),
        pem(root),
    ]
    await pki.ok("issuer/middle", manual_chain=["self"])  # leave the root out
    expected = [pem(low), pem(middle)]
    assert stripped((await pki.read("issuer/low"))["ca_chain"]) == expected
    await pki.role("r", allow_any_name=True)
    issued = await pki.ok("issuer/low/issue/r", common_name="a.test")
    assert stripped(issued["ca_chain"]) == expected


async def test_deleted_issuers_are_skipped_but_kept_in_manual_chain(pki: PKI) -> None:
    await pki.root(issuer_name="root")
    other = await pki.root(common_name="Other", issuer_name="other")
    sub = await intermediate(pki, "sub", "root")
    await pki.ok("issuer/sub", manual_chain=["self", "root", "other"])
    await pki(Operation.DELETE, "issuer/other")
    read = await pki.read("issuer/sub")
    assert read["manual_chain"][-1] == other["issuer_id"]
    assert stripped(read["ca_chain"])[0] == pem(sub)
    assert len(read["ca_chain"]) == 2
    await pki(Operation.DELETE, "issuer/root")  # the default: chains are rebuilt all the same
    assert stripped((await pki.read("issuer/sub"))["ca_chain"]) == [pem(sub)]


async def test_issuer_stored_before_the_field_has_none(
    storage: InmemBackend, clock: FakeClock
) -> None:
    root = await PKI(build_pki_backend(storage, clock), storage, clock).root()
    key = f"issuer/{root['issuer_id']}"
    stored = orjson.loads(await storage.get(key) or b"")
    del stored["manual_chain"]
    await storage.put(key, orjson.dumps(stored))
    fresh = PKI(build_pki_backend(storage, clock), storage, clock)
    read = await fresh.read(f"issuer/{root['issuer_id']}")
    assert read["manual_chain"] is None and stripped(read["ca_chain"]) == [pem(root)]
