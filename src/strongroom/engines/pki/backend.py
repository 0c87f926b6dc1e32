"""PKI: certificate authorities, roles, issuing and revocation. The table of contents.

    root/…, intermediate/…, config/ca, issuers/import/…, root   making CAs         paths_ca
    root/sign-self-issued (sudo)                                 cross-signing      paths_ca
    issuers, issuer/:ref[/revoke], config/issuers                several issuers    paths_issuers
    keys, key/:ref, keys/generate/…, keys/import                 keys               paths_keys
    roles, roles/:name                                           roles              paths_roles
    issue|sign/:role, sign-verbatim, issuer/:ref/issue|sign/…    issuing            paths_issue
    revoke, revoke-with-key, certs, certs/revoked, cert/:serial  revocation         paths_revoke
    ca, ca/pem, ca_chain, crl[/delta][/pem], issuer/:ref/…       unauthenticated    paths_fetch
    ocsp (POST, DER body), ocsp/<base64 request> (GET)           unauthenticated    paths_ocsp
    config/crl, config/urls, crl/rotate[-delta], tidy,           settings, upkeep   paths_config
    tidy-status, config/auto-tidy
    [issuer/:ref/][roles/:role/]acme/… (RFC 8555 resources)     ACME, no token     acme/paths
    config/acme, config/cluster, […/]acme/new-eab, eab           ACME settings      acme/
                                                                                    paths_settings

Records are in `records.py` (roles in `roles.py`), storage in `store.py`. The rules that decide
which names a role allows are `names.py` and `issuance.py`; certificates are built in
`builder.py` only, CRLs in `crl.py`, OCSP responses in `ocsp.py`. `periodic()` rebuilds CRLs
(`auto_rebuild`) and runs auto-tidy (`tidy.py`). The store caches the records issuing reads;
the core calls `invalidate()` when another node changed storage. The ACME server is the
`acme/` subpackage (its own table of contents is `acme/paths.py`); it issues through
`issuance.py` and `signing.py` like `sign/:role`.
"""

from __future__ import annotations

from strongroom.clock import Clock, SystemClock
from strongroom.engines.pki.acme.challenges import ChallengeRunner
from strongroom.engines.pki.acme.http01 import HTTP01Validator
from strongroom.engines.pki.acme.nonces import NonceStore
from strongroom.engines.pki.acme.paths import ACMEPaths
from strongroom.engines.pki.acme.paths_settings import ACMESettingsPaths
from strongroom.engines.pki.acme.store import ACMEStore
from strongroom.engines.pki.crl import rebuild_due
from strongroom.engines.pki.paths_ca import CAPaths
from strongroom.engines.pki.paths_config import ConfigPaths
from strongroom.engines.pki.paths_fetch import FetchPaths
from strongroom.engines.pki.paths_issue import IssuePaths
from strongroom.engines.pki.paths_issuers import IssuerPaths
from strongroom.engines.pki.paths_keys import KeyPaths
from strongroom.engines.pki.paths_ocsp import OCSPPaths
from strongroom.engines.pki.paths_revoke import RevokePaths
from strongroom.engines.pki.paths_roles import RolePaths
from strongroom.engines.pki.store import PKIStore
from strongroom.engines.pki.tidy import auto_tidy
from strongroom.framework import FrameworkBackend
from strongroom.logical import Storage


class PKIBackend(FrameworkBackend):
    def __init__(self, store: PKIStore, http01: HTTP01Validator | None = None) -> None:
        self.store = store
        issue = IssuePaths(store)
        self.acme = acme = ACMEStore(store)
        # Background http-01 validations; tests wait on `acme_challenges.idle()`.
        self.acme_challenges = ChallengeRunner(acme, http01 or HTTP01Validator())
        super().__init__(
            [
                *CAPaths(store).specs(),
                *IssuerPaths(store).specs(),
                *KeyPaths(store).specs(),
                *RolePaths(store).specs(),
                *issue.specs(),
                *RevokePaths(store).specs(),
                *FetchPaths(store).specs(),
                *OCSPPaths(store).specs(),
                *ConfigPaths(store, acme).specs(),
                *ACMEPaths(acme, NonceStore(store.clock), self.acme_challenges).specs(),
                *ACMESettingsPaths(acme).specs(),
            ],
            secret_types=issue.secret_types(),
        )

    async def periodic(self) -> None:
        """About once a minute (the core's ticker): CRLs due a rebuild, then auto-tidy."""
        await rebuild_due(self.store)
        await auto_tidy(self.store, self.acme)

    def invalidate(self) -> None:
        """Forget cached issuers, keys, roles and settings: another node changed storage."""
        self.store.invalidate()


def build_pki_backend(
    storage: Storage, clock: Clock | None = None, http01: HTTP01Validator | None = None
) -> PKIBackend:
    return PKIBackend(PKIStore(storage, clock or SystemClock()), http01)
