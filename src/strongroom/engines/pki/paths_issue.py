"""Issuing: `issue/:role`, `sign/:role`, `sign-verbatim[/:role]`, and their
`issuer/:ref/...` forms (the path's issuer wins over the role's `issuer_ref`)."""

from __future__ import annotations

from dataclasses import replace

from cryptography import x509

from strongroom.engines.pki.builder import Signer, Template
from strongroom.engines.pki.encoding import check_format, load_csr, parse_serial
from strongroom.engines.pki.issuance import (
    Validity,
    check_csr_key,
    check_names,
    effective_urls,
    leaf_template,
    requested_names,
    requested_serial_number,
    role_key_spec,
    validity,
)
from strongroom.engines.pki.keys import PrivateKey, check_private_key_format, generate_key
from strongroom.engines.pki.params import OUTPUT_FIELDS, SAN_FIELDS, VALIDITY_FIELDS, named, ref
from strongroom.engines.pki.paths_roles import role_or_fail
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.revocation import revoke
from strongroom.engines.pki.roles import DEFAULT_KEY_USAGE, Role
from strongroom.engines.pki.sans import from_csr
from strongroom.engines.pki.signing import certificate_data, sign_and_store, signer_for
from strongroom.engines.pki.store import PKIStore
from strongroom.framework import Field, FieldData, FieldType, PathSpec, SecretType
from strongroom.logical import Operation, Request, Response, Secret

SECRET_TYPE = "pki"
ISSUE_FIELDS = {
    **SAN_FIELDS,
    **OUTPUT_FIELDS,
    **VALIDITY_FIELDS,
    "role": Field(FieldType.STRING, "the role to issue with", required=True),
    "issuer_ref": Field(FieldType.STRING, "the issuer (overrides the role's)", default=""),
    "key_type": Field(FieldType.STRING, "key type when the role allows any", default=""),
    "key_bits": Field(FieldType.INT, "key size when the role allows any", default=0),
    "remove_roots_from_chain": Field(FieldType.BOOL, "leave self-signed CAs out", default=False),
}
ROLE_ISSUE_FIELDS = {
    **ISSUE_FIELDS,
    "serial_number": Field(FieldType.STRING, "the subject's serialNumber", default=""),
}
CSR_FIELD = {"csr": Field(FieldType.STRING, "a PEM CSR", required=True)}
SIGN_FIELDS = {**ROLE_ISSUE_FIELDS, **CSR_FIELD}
VERBATIM_FIELDS = {
    **ISSUE_FIELDS,
    **CSR_FIELD,
    "role": Field(FieldType.STRING, "a role for lifetimes and storage", default=""),
    "key_usage": Field(FieldType.STRING_LIST, "key usages", default=list(DEFAULT_KEY_USAGE)),
    "ext_key_usage": Field(FieldType.STRING_LIST, "extended key usages", default=[]),
    "ext_key_usage_oids": Field(FieldType.STRING_LIST, "extended key usage OIDs", default=[]),
}
HELP = """Issue a certificate and key with a role, sign a CSR with a role (only the CSR's key,
and with the role's consent its common name and SANs, are used), or sign a CSR verbatim."""


class IssuePaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        issuer = f"issuer/{ref()}/"
        verbatim = f"sign-verbatim(?:/{named('role')})?"
        return [
            PathSpec(
                f"issue/{named('role')}",
                {Operation.UPDATE: self.issue},
                ROLE_ISSUE_FIELDS,
                help=HELP,
            ),
            PathSpec(
                f"{issuer}issue/{named('role')}", {Operation.UPDATE: self.issue}, ROLE_ISSUE_FIELDS
            ),
            PathSpec(
                f"sign/{named('role')}", {Operation.UPDATE: self.sign}, SIGN_FIELDS, help=HELP
            ),
            PathSpec(f"{issuer}sign/{named('role')}", {Operation.UPDATE: self.sign}, SIGN_FIELDS),
            PathSpec(verbatim, {Operation.UPDATE: self.sign_verbatim}, VERBATIM_FIELDS, help=HELP),
            PathSpec(issuer + verbatim, {Operation.UPDATE: self.sign_verbatim}, VERBATIM_FIELDS),
        ]

    def secret_types(self) -> list[SecretType]:
        return [SecretType(SECRET_TYPE, revoke=self.revoke_lease)]

    async def issue(self, request: Request, data: FieldData) -> Response:
        return await self._with_role(request, data, None)

    async def sign(self, request: Request, data: FieldData) -> Response:
        return await self._with_role(request, data, load_csr(data.get("csr")))

    async def _with_role(
        self, request: Request, data: FieldData, csr: x509.CertificateSigningRequest | None
    ) -> Response:
        role = await role_or_fail(self._store, data.get("role"))
        fmt = check_format(data.get("format"))
        issuer, signer = await self._issuer(data.get("issuer_ref") or role.issuer_ref)
        check_private_key_format(data.get("private_key_format"))
        common_name, requested = requested_names(role, data, csr)
        source = "CSR" if csr is not None and role.use_csr_sans else "API"
        check_names(role, common_name, requested, request.entity_id, source)
        serial_number = requested_serial_number(role, data, csr)
        key: PrivateKey | None = None
        if csr is not None:
            public = csr.public_key()
            check_csr_key(role, public)
        else:
            key = await generate_key(role_key_spec(role, data))
            public = key.public_key()
        window = self._validity(data, role, issuer, signer)
        urls = effective_urls(issuer, await self._store.urls_config())
        serial = x509.random_serial_number()
        template = leaf_template(
            role, common_name, requested, public, serial, window, urls, serial_number
        )
        return await self._finish(data, role, issuer, signer, template, window, fmt, key)

    async def sign_verbatim(self, request: Request, data: FieldData) -> Response:
        csr = load_csr(data.get("csr"))
        fmt = check_format(data.get("format"))
        role = await role_or_fail(self._store, data.get("role")) if data.get("role") else None
        verbatim = Role(
            name="",
            ttl=role.ttl if role else 0,
            max_ttl=role.max_ttl if role else 0,
            not_before_duration=role.not_before_duration if role else 30,
            no_store=role.no_store if role else False,
            generate_lease=role.generate_lease if role else False,
            key_usage=data.get("key_usage"),
            ext_key_usage=data.get("ext_key_usage"),
            ext_key_usage_oids=data.get("ext_key_usage_oids"),
            server_flag=False,
            client_flag=False,
        )
        issuer, signer = await self._issuer(data.get("issuer_ref") or "default")
        window = self._validity(data, verbatim, issuer, signer)
        urls = effective_urls(issuer, await self._store.urls_config())
        template = leaf_template(
            verbatim, "", from_csr(csr), csr.public_key(), x509.random_serial_number(), window, urls
        )
        template = _replace_subject(template, csr.subject)
        return await self._finish(data, verbatim, issuer, signer, template, window, fmt, None)

    async def _issuer(self, issuer_ref: str) -> tuple[IssuerRecord, Signer]:
        issuer = await self._store.issuer_or_fail(issuer_ref)
        return issuer, await signer_for(self._store, issuer)

    def _validity(
        self, data: FieldData, role: Role, issuer: IssuerRecord, signer: Signer
    ) -> Validity:
        assert signer.certificate is not None
        return validity(
            self._store.now(),
            data.get("ttl"),
            data.get("not_after"),
            role.ttl,
            role.max_ttl,
            role.not_before_duration,
            issuer,
            signer.certificate.not_valid_after_utc,
        )

    async def _finish(
        self,
        data: FieldData,
        role: Role,
        issuer: IssuerRecord,
        signer: Signer,
        template: Template,
        window: Validity,
        fmt: str,
        key: PrivateKey | None,
    ) -> Response:
        cert, pem = await sign_and_store(
            self._store, template, signer, issuer.id, keep=not role.no_store
        )
        chain = issuer.chain
        if data.get("remove_roots_from_chain"):
            chain = [pem for pem in chain if not _self_signed(pem)]
        result = certificate_data(cert, chain, fmt, key, data.get("private_key_format"), pem)
        secret = None
        if role.generate_lease:
            ttl = int((cert.not_valid_after_utc.timestamp()) - self._store.now())
            secret = Secret(
                SECRET_TYPE,
                ttl=max(ttl, 1),
                renewable=False,
                internal={"serial_number": result["serial_number"]},
            )
        return Response(result, warnings=list(window.warnings), secret=secret)

    async def revoke_lease(self, request: Request) -> Response | None:
        assert request.secret is not None
        record = await self._store.cert(parse_serial(request.secret.internal["serial_number"]))
        if record is not None:
            await revoke(self._store, record)
        return None


def _self_signed(pem: str) -> bool:
    cert = x509.load_pem_x509_certificate(pem.encode())
    return cert.subject == cert.issuer


def _replace_subject(template: Template, subject: x509.Name) -> Template:
    return replace(template, subject=subject)
