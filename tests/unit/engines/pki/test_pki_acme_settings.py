"""config/acme, config/cluster, and external account bindings (EAB): policies, single use,
directory binding, expiry, a wrong MAC."""

from __future__ import annotations

from acme_helpers import MOUNT_URL, ACMEClient, eab_binding, enable
from pki_helpers import PKI

from strongroom.logical import Operation


async def test_acme_config_defaults_and_checks(pki: PKI) -> None:
    assert await pki.read("config/acme") == {
        "enabled": False,
        "allowed_issuers": ["*"],
        "allowed_roles": ["*"],
        "allow_role_ext_key_usage": False,
        "default_directory_policy": "sign-verbatim",
        "eab_policy": "not-required",
        "dns_resolver": "",
        "eab_expiry": 0,
    }
    for settings in (
        {"default_directory_policy": "role:missing"},
        {"default_directory_policy": "anything"},
        {"eab_policy": "sometimes"},
        {"dns_resolver": "not a resolver"},
        {"allowed_roles": ["missing"]},
        {"allowed_issuers": ["missing"]},
    ):
        error = await pki.fails("config/acme", **settings)
        assert error.status == 400, settings
    await pki.role("web", allow_any_name=True)
    written = await pki.ok(
        "config/acme",
        enabled=True,
        default_directory_policy="role:web",
        eab_policy="new-account-required",
        dns_resolver="127.0.0.1:53",
        eab_expiry="1h",
    )
    assert written["eab_expiry"] == 3600 and written["default_directory_policy"] == "role:web"


async def test_cluster_config(pki: PKI) -> None:
    assert await pki.read("config/cluster") == {"path": "", "aia_path": ""}
    await pki.data_of(Operation.UPDATE, "config/cluster", {"path": MOUNT_URL})
    assert (await pki.read("config/cluster"))["path"] == MOUNT_URL
    error = await pki.error_of(Operation.UPDATE, "config/cluster", {"path": "pki.example"})
    assert "absolute" in str(error)


async def test_acme_needs_a_cluster_path(pki: PKI) -> None:
    await pki.root()
    await pki.ok("config/acme", enabled=True)
    response = await pki(Operation.READ, "acme/directory")
    assert response is not None and response.status == 500
    assert b"config/cluster" in (response.raw_body or b"")


async def new_eab(pki: PKI, path: str = "acme/new-eab") -> dict[str, str]:
    data: dict[str, str] = await pki.ok(path)
    return data


async def test_eab_required_and_single_use(pki: PKI) -> None:
    await enable(pki, eab_policy="new-account-required")
    client = ACMEClient(pki)
    directory = await pki(Operation.READ, "acme/directory")
    assert directory is not None and b'"externalAccountRequired":true' in (
        directory.raw_body or b""
    )
    refused = await client.post("new-account", {})
    assert refused.status == 403 and refused.problem == "externalAccountRequired"

    eab = await new_eab(pki)
    assert eab["acme_directory"] == "acme/directory" and eab["key_type"] == "hs"
    listed = await pki.ok("eab", Operation.LIST)
    assert listed["keys"] == [eab["id"]] and "private_key" not in str(listed)

    binding = eab_binding(eab["id"], eab["private_key"], client.url("new-account"), client.key)
    created = await client.register(externalAccountBinding=binding)
    assert created.status == 201
    assert (await pki.fails("eab", Operation.LIST)).status == 404  # used up

    second = ACMEClient(pki)
    reused = eab_binding(eab["id"], eab["private_key"], second.url("new-account"), second.key)
    again = await second.register(externalAccountBinding=reused)
    assert again.status == 403 and again.problem == "unauthorized"


async def test_eab_bad_mac_other_key_other_directory(pki: PKI) -> None:
    await enable(pki, eab_policy="always-required")
    await pki.role("web", allow_any_name=True)
    eab = await new_eab(pki)
    client = ACMEClient(pki)
    url = client.url("new-account")
    wrong_mac = eab_binding(eab["id"], "A" * 43, url, client.key)
    assert (await client.register(externalAccountBinding=wrong_mac)).problem == "unauthorized"
    other = ACMEClient(pki)
    for_other_key = eab_binding(eab["id"], eab["private_key"], url, other.key)
    refused = await client.register(externalAccountBinding=for_other_key)
    assert refused.problem == "unauthorized"
    role_eab = await new_eab(pki, "roles/web/acme/new-eab")
    assert role_eab["acme_directory"] == "roles/web/acme/directory"
    elsewhere = eab_binding(role_eab["id"], role_eab["private_key"], url, client.key)
    assert (await client.register(externalAccountBinding=elsewhere)).problem == "unauthorized"
    await pki.no_content(Operation.DELETE, f"eab/{role_eab['id']}", {})
    good = eab_binding(eab["id"], eab["private_key"], url, client.key)
    assert (await client.register(externalAccountBinding=good)).status == 201


async def test_eab_expiry(pki: PKI) -> None:
    await enable(pki, eab_expiry="10m")
    eab = await new_eab(pki)
    pki.clock.advance(11 * 60)
    client = ACMEClient(pki)
    binding = eab_binding(eab["id"], eab["private_key"], client.url("new-account"), client.key)
    expired = await client.register(externalAccountBinding=binding)
    assert expired.problem == "unauthorized"


async def test_always_required_closes_accounts_without_binding(pki: PKI) -> None:
    await enable(pki)
    client = ACMEClient(pki)
    await client.register()
    await pki.ok("config/acme", eab_policy="always-required")
    closed = await client.order(("dns", "localhost"))
    assert closed.status == 403 and closed.problem == "externalAccountRequired"


async def test_optional_eab_is_still_checked(pki: PKI) -> None:
    await enable(pki)
    client = ACMEClient(pki)
    binding = eab_binding("no-such-eab", "A" * 43, client.url("new-account"), client.key)
    assert (await client.register(externalAccountBinding=binding)).problem == "unauthorized"
