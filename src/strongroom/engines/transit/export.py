"""Exported key material, in the encodings OpenBao's `export/<type>/<name>` returns, and the
versions an export names.

| export type     | key types            | default                      | `der` / `pem`     |
|-----------------|----------------------|------------------------------|-------------------|
| encryption-key  | AES, ChaCha20        | base64 key                   | refused           |
| encryption-key  | RSA                  | PKCS#1 PEM                   | PKCS#8            |
| signing-key     | ECDSA                | SEC1 PEM                     | PKCS#8            |
| signing-key     | Ed25519              | base64 seed ‖ public (64 B)  | PKCS#8            |
| signing-key     | RSA                  | PKCS#1 PEM                   | PKCS#8            |
| hmac-key        | every type           | base64 HMAC key              | refused           |
| public-key      | ECDSA, RSA           | SubjectPublicKeyInfo PEM     | DER / PEM         |
| public-key      | Ed25519              | base64 raw public key        | DER / PEM         |
ML-DSA and ML-KEM (Strongroom) export PKCS#8 / SubjectPublicKeyInfo PEM; `raw` gives the seed or
the raw public key. A version that holds only a public key exports "" as its private key.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization

from strongroom.engines.transit.encoding import encode_b64
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.keytypes import Family, KeyType
from strongroom.engines.transit.material import Material
from strongroom.errors import InvalidParameter

EXPORT_TYPES = ("encryption-key", "signing-key", "hmac-key", "public-key")
FORMATS = ("", "raw", "der", "pem")
_PEM, _DER = serialization.Encoding.PEM, serialization.Encoding.DER
_PKCS8 = serialization.PrivateFormat.PKCS8
_SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
_NONE = serialization.NoEncryption()


def check_export(kind: KeyType, export_type: str) -> None:
    if export_type == "encryption-key" and not (kind.encryption or kind.family is Family.ML_KEM):
        raise InvalidParameter("encryption not supported for the key")
    if export_type == "signing-key" and not kind.signing:
        raise InvalidParameter("signing not supported for the key")
    if export_type == "public-key" and not kind.asymmetric:
        raise InvalidParameter("public key not available for this key type")


def export_versions(key: Key, wanted: str) -> list[int]:
    """The versions an export names: all from `min_decryption_version` on, one, or `latest`."""
    policy = key.policy
    if not wanted:
        return sorted(n for n in key.materials if n >= policy.min_decryption_version)
    if wanted == "latest":
        number = policy.latest_version
    else:
        digits = wanted.removeprefix("v")
        if not digits.isdigit() or len(digits) > 9:
            raise InvalidParameter("invalid key version")
        number = int(digits)
    if number < policy.min_decryption_version:
        raise InvalidParameter("version for export is below minimum decryption version")
    if number not in key.materials:
        raise InvalidParameter("version does not exist or cannot be found")
    return [number]


def export_material(material: Material, export_type: str, output: str) -> str:
    kind = material.kind
    if export_type == "hmac-key":
        _no_der(output, "HMAC")
        return encode_b64(material.key if kind.family is Family.HMAC else material.hmac_key)
    if export_type == "public-key":
        return _public(material, output)
    if kind.family is Family.AEAD:
        _no_der(output, "symmetric")
        return encode_b64(material.key)
    if not material.has_private:
        return ""
    return _private(material, output)


def _no_der(output: str, what: str) -> None:
    if output in ("der", "pem"):
        raise InvalidParameter(f"unknown format for {what} key; supported values are `` or `raw`")


def _private(material: Material, output: str) -> str:
    family, private = material.kind.family, material.private()
    if family is Family.ED25519 and output in ("", "raw"):
        return encode_b64(material.key)
    if family in (Family.ML_DSA, Family.ML_KEM) and output == "raw":
        return encode_b64(private.private_bytes_raw())
    if output == "raw":
        raise InvalidParameter("unknown key format; supported values are ``, `der`, or `pem`")
    if output == "der":
        return encode_b64(private.private_bytes(_DER, _PKCS8, _NONE))
    if output == "" and family is Family.ECDSA:
        traditional = serialization.PrivateFormat.TraditionalOpenSSL
        return str(private.private_bytes(_PEM, traditional, _NONE).decode()).strip()
    if output == "" and family is Family.RSA:
        traditional = serialization.PrivateFormat.TraditionalOpenSSL
        return str(private.private_bytes(_PEM, traditional, _NONE).decode())
    pem = str(private.private_bytes(_PEM, _PKCS8, _NONE).decode())
    return pem if family is Family.RSA else pem.strip()


def _public(material: Material, output: str) -> str:
    family, public = material.kind.family, material.public()
    raw_form = family is Family.ED25519 and output in ("", "raw")
    if raw_form or (family in (Family.ML_DSA, Family.ML_KEM) and output == "raw"):
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return encode_b64(raw)
    if output == "raw":
        raise InvalidParameter("unknown key format; supported values are ``, `der`, or `pem`")
    if output == "der":
        return encode_b64(public.public_bytes(_DER, _SPKI))
    pem = str(public.public_bytes(_PEM, _SPKI).decode())
    return pem if family is Family.RSA else pem.strip()
