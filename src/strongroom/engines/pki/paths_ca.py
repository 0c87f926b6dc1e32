"""Making CAs: `root/generate/:type`, `intermediate/generate/:type`, `root/sign-intermediate`,
`root/sign-self-issued` (sudo), `intermediate/set-signed`, `config/ca` =
`issuers/import/bundle`, and `DELETE root`."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from strongroom.engines.pki.authority import add_issuer, import_bundle, new_key
from strongroom.engines.pki.builder import Signer, Template, build_csr, resign, subject_name
from strongroom.engines.pki.encoding import (
    cert_pem,
    check_format,
    load_cert,
    load_csr,
    render_cert,
    split_pem_certs,
)
from strongroom.engines.pki.issuance import Validity, add_common_name, effective_urls, validity
from strongroom.engines.pki.keys import (
    PrivateKey,
    check_private_key_format,
    key_spec,
    load_private_key,
    render_private_key,
    spec_of,
)
from strongroom.engines.pki.params import CA_FIELDS, KEY_FIELDS
from strongroom.engines.pki.records import IssuerRecord
from strongroom.engines.pki.roles import SUBJECT_FIELDS
from strongroom.engines.pki.sans import Requested, from_csr, from_params
from strongroom.engines.pki.signing import certificate_data, sign_and_store, signer_for
from strongroom.engines.pki.store import PKIStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

AIA_WARNING = (
    "This mount hasn't configured any authority information access (AIA) fields; this may "
    "make it harder for systems to find missing certificates in the chain or to validate "
    "revocation status of certificates. Consider updating /config/urls or the newly generated "
    "issuer with this information."
)
DELETE_ROOT_WARNING = (
    "DELETE /root deletes all keys and issuers; prefer the new DELETE /key/:key_ref and DELETE "
    "/issuer/:issuer_ref for finer granularity, unless removal of all keys and issuers is "
    "desired."
)
GENERATE_TYPE = r"(?P<exported>internal|exported|existing|kms)"
GENERATE_FIELDS = {
    **CA_FIELDS,
    **KEY_FIELDS,
    "exported": Field(FieldType.STRING, "internal, exported or existing"),
}
SIGN_INTERMEDIATE_FIELDS = {
    **CA_FIELDS,
    "csr": Field(FieldType.STRING, "the intermediate's PEM CSR", required=True),
    "use_csr_values": Field(FieldType.BOOL, "take subject and SANs from the CSR", default=False),
    "issuer_ref": Field(FieldType.STRING, "the signing issuer", default="default"),
}
SELF_ISSUED_FIELDS = {
    "certificate": Field(FieldType.STRING, "the PEM self-issued CA certificate", required=True),
    "issuer_ref": Field(FieldType.STRING, "the signing issuer", default="default"),
    "require_matching_certificate_algorithms": Field(
        FieldType.BOOL,
        "refuse a certificate whose key type differs from the issuer's",
        default=False,
    ),
}
SET_SIGNED_FIELDS = {"certificate": Field(FieldType.STRING, "PEM certificate(s)", required=True)}
BUNDLE_FIELDS = {"pem_bundle": Field(FieldType.STRING, "PEM keys and certificates", required=True)}
HELP = """Generate a root or an intermediate CA (its key stays in the mount unless `exported`),
sign an intermediate's CSR with an issuer, import a signed intermediate or a PEM bundle."""
SELF_ISSUED_HELP = """Sign a self-issued CA certificate (another root) with an issuer: a
cross-signed copy, verbatim but for its issuer, authority key id and the issuer's AIA and CRL
URLs.
Nothing is checked but that it is a self-issued CA, so this needs sudo."""


class CAPaths:
    def __init__(self, store: PKIStore) -> None:
        self._store = store

    def specs(self) -> list[PathSpec]:
        update = Operation.UPDATE
        return [
            PathSpec(
                f"root/generate/{GENERATE_TYPE}",
                {update: self.generate_root},
                GENERATE_FIELDS,
                help=HELP,
            ),
            PathSpec(
                f"intermediate/generate/{GENERATE_TYPE}",
                {update: self.generate_intermediate},
                GENERATE_FIELDS,
                help=HELP,
            ),
            PathSpec(
                "root/sign-intermediate", {update: self.sign_intermediate}, SIGN_INTERMEDIATE_FIELDS
            ),
            PathSpec(
                "root/sign-self-issued",
                {update: self.sign_self_issued},
                SELF_ISSUED_FIELDS,
                sudo=True,
                help=SELF_ISSUED_HELP,
            ),
            PathSpec("intermediate/set-signed", {update: self.set_signed}, SET_SIGNED_FIELDS),
            PathSpec(
                "(?:config/ca|issuers/import/bundle|issuers/import/cert)",
                {update: self.import_bundle},
                BUNDLE_FIELDS,
            ),
            PathSpec("root", {Operation.DELETE: self.delete_root}),
        ]

    async def _key(self, data: FieldData) -> tuple[str, str, PrivateKey]:
        """(key id, key name, key) for a generate request: a new key, or `existing`'s."""
        kind = data.get("exported")
        if kind == "kms":
            raise InvalidParameter("managed keys (kms) are not supported")
        if kind == "existing":
            record = await self._store.key(data.get("key_ref") or "default")
            if record is None:
                raise InvalidParameter("unable to find PKI key for reference")
            return record.id, record.name, load_private_key(record.private_key, "stored key")
        spec = key_spec(data.get("key_type"), data.get("key_bits"))
        record, key = await new_key(self._store, spec, data.get("key_name"))
        return record.id, record.name, key

    async def generate_root(self, request: Request, data: FieldData) -> Response:
        fmt, common_name, names = _generate_request(data)
        async with self._store.lock:
            key_id, key_name, key = await self._key(data)
            window = _ca_validity(self._store, data, None)
            template = _ca_template(data, common_name, names, key.public_key(), window)
            cert, pem = await sign_and_store(self._store, template, Signer(None, key), "")
            issuer = await add_issuer(self._store, cert, key_id, data.get("issuer_name"))
        result = certificate_data(cert, [], fmt, pem=pem)
        del result["ca_chain"], result["not_before"]
        result |= {
            "issuer_id": issuer.id,
            "issuer_name": issuer.name,
            "key_id": key_id,
            "key_name": key_name,
        }
        if data.get("exported") == "exported":
            result |= _exported(key, data, fmt)
        return Response(result, warnings=await self._aia_warning())

    async def generate_intermediate(self, request: Request, data: FieldData) -> Response:
        fmt, common_name, names = _generate_request(data)
        async with self._store.lock:
            key_id, _, key = await self._key(data)
        subject = _subject(data, common_name)
        csr = build_csr(subject, names.names(), key)
        encoding = serialization.Encoding.DER if fmt == "der" else serialization.Encoding.PEM
        raw = csr.public_bytes(encoding)
        text = base64.b64encode(raw).decode() if fmt == "der" else raw.decode().rstrip("\n")
        result: dict[str, Any] = {"csr": text, "key_id": key_id}
        if data.get("exported") == "exported":
            result |= _exported(key, data, fmt)
        return Response(result, warnings=await self._aia_warning())

    async def sign_intermediate(self, request: Request, data: FieldData) -> Response:
        fmt = check_format(data.get("format"))
        csr = load_csr(data.get("csr"))
        issuer = await self._store.issuer_or_fail(data.get("issuer_ref"))
        signer = await signer_for(self._store, issuer)
        assert signer.certificate is not None
        if data.get("use_csr_values"):
            subject, names = csr.subject, from_csr(csr)
        else:
            common_name = _required_cn(data)
            subject, names = _subject(data, common_name), _ca_names(data, common_name)
        window = _ca_validity(self._store, data, issuer, signer.certificate)
        template = _ca_template(data, "", names, csr.public_key(), window)
        template = _with_subject(template, subject, _child_path_length(signer.certificate, data))
        cert, pem = await sign_and_store(self._store, template, signer, issuer.id)
        result = certificate_data(cert, issuer.chain, fmt, pem=pem)
        result["ca_chain"] = [result["certificate"], *result["ca_chain"]]
        del result["not_before"]
        return Response(result, warnings=list(window.warnings))

    async def sign_self_issued(self, request: Request, data: FieldData) -> Response:
        cert = _self_issued_ca(data.get("certificate"))
        issuer = await self._store.issuer_or_fail(data.get("issuer_ref"))
        signer = await signer_for(self._store, issuer)
        assert signer.certificate is not None
        if data.get("require_matching_certificate_algorithms"):
            ours, theirs = _key_kind(signer.key), _key_kind(cert.public_key())
            if ours != theirs:
                raise InvalidParameter(
                    f"signing certificate's public key algorithm ({ours}) does not match "
                    f"submitted certificate's ({theirs}), and "
                    "require_matching_certificate_algorithms is true"
                )
        urls = effective_urls(issuer, await self._store.urls_config())
        signed = resign(
            cert,
            signer,
            tuple(urls.issuing_certificates),
            tuple(urls.ocsp_servers),
            tuple(urls.crl_distribution_points),
        )
        return Response(
            {
                "certificate": render_cert(cert_pem(signed), "pem"),
                "issuing_ca": render_cert(issuer.certificate, "pem"),
            }
        )

    async def set_signed(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            imported = await import_bundle(self._store, data.get("certificate"))
        return Response(imported.view(), warnings=await self._aia_warning())

    async def import_bundle(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            imported = await import_bundle(self._store, data.get("pem_bundle"))
        return Response(imported.view())

    async def delete_root(self, request: Request, data: FieldData) -> Response:
        async with self._store.lock:
            for issuer_id in await self._store.issuer_ids():
                await self._store.delete_issuer(issuer_id)
            for key_id in await self._store.key_ids():
                await self._store.delete_key(key_id)
            config = await self._store.issuers_config()
            await self._store.put_issuers_config(config.with_changes(default=""))
        return Response(warnings=[DELETE_ROOT_WARNING])

    async def _aia_warning(self) -> list[str]:
        urls = await self._store.urls_config()
        if urls.issuing_certificates or urls.crl_distribution_points or urls.ocsp_servers:
            return []
        return [AIA_WARNING]


def _self_issued_ca(text: str) -> x509.Certificate:
    """The first certificate of a PEM text, if it is a CA whose issuer is its subject."""
    blocks = split_pem_certs(text)
    if not blocks:
        raise InvalidParameter("certificate could not be PEM-decoded")
    cert = load_cert(blocks[0])
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        constraints = None
    except ValueError:
        raise InvalidParameter("the certificate's extensions are malformed") from None
    if constraints is None or not constraints.ca:
        raise InvalidParameter("given certificate is not a CA certificate")
    if cert.issuer != cert.subject:
        raise InvalidParameter("given certificate is not self-issued")
    return cert


def _key_kind(key: Any) -> str:
    try:
        return spec_of(key).type
    except InvalidParameter:
        return type(key).__name__


def _generate_request(data: FieldData) -> tuple[str, str, Requested]:
    """(format, common name, SANs) of a generate request, checked before any key is made."""
    fmt = check_format(data.get("format"))
    check_private_key_format(data.get("private_key_format"))
    common_name = _required_cn(data)
    return fmt, common_name, _ca_names(data, common_name)


def _required_cn(data: FieldData) -> str:
    common_name: str = data.get("common_name")
    if not common_name:
        raise InvalidParameter("the common_name field is required")
    return common_name


def _subject(data: FieldData, common_name: str) -> x509.Name:
    fields = {name: data.get(name) for name in SUBJECT_FIELDS}
    return subject_name(common_name, fields, data.get("serial_number"))


def _ca_names(data: FieldData, common_name: str) -> Requested:
    names = from_params(data)
    add_common_name(names, common_name, data.get("exclude_cn_from_sans"))
    return names


def _ca_validity(
    store: PKIStore,
    data: FieldData,
    issuer: IssuerRecord | None,
    parent: x509.Certificate | None = None,
) -> Validity:
    """A CA's lifetime is the operator's choice (`ttl`, else 32 days), within its issuer's."""
    ttl: int = data.get("ttl")
    return validity(
        store.now(),
        ttl,
        data.get("not_after"),
        role_ttl=0,
        max_ttl=ttl,
        not_before_duration=data.get("not_before_duration"),
        issuer=issuer,
        issuer_not_after=parent.not_valid_after_utc if parent is not None else None,
    )


def _ca_template(
    data: FieldData, common_name: str, names: Requested, public_key: Any, window: Validity
) -> Template:
    return Template(
        subject=_subject(data, common_name) if common_name else x509.Name([]),
        public_key=public_key,
        serial=x509.random_serial_number(),
        not_before=window.not_before,
        not_after=window.not_after,
        names=names.names(),
        ca=True,
        max_path_length=data.get("max_path_length"),
        permitted_dns_domains=tuple(data.get("permitted_dns_domains")),
    )


def _with_subject(template: Template, subject: x509.Name, path_length: int) -> Template:
    return replace(template, subject=subject, max_path_length=path_length)


def _child_path_length(parent: x509.Certificate, data: FieldData) -> int:
    """The requested path length, never more than the parent allows below itself."""
    wanted: int = data.get("max_path_length")
    try:
        constraints = parent.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return wanted
    if constraints.path_length is None:
        return wanted
    if constraints.path_length == 0:
        raise InvalidParameter("the issuer's path length does not allow signing an intermediate")
    limit = constraints.path_length - 1
    return limit if wanted < 0 or wanted > limit else wanted


def _exported(key: PrivateKey, data: FieldData, fmt: str) -> dict[str, str]:
    return {
        "private_key": render_private_key(key, data.get("private_key_format"), der=fmt == "der"),
        "private_key_type": spec_of(key).type,
    }
