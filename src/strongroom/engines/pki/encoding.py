"""Serial numbers, PEM and DER: how certificates, CSRs and CRLs go in and out of the API."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from strongroom.errors import InvalidParameter

FORMATS = ("pem", "der", "pem_bundle")
_SERIAL = re.compile(r"[0-9a-fA-F]{1,2}(?:[:-][0-9a-fA-F]{1,2})*|[0-9a-fA-F]+")
_PEM_CERT = re.compile(r"-----BEGIN CERTIFICATE-----\s.*?-----END CERTIFICATE-----", re.DOTALL)


def serial_text(serial: int) -> str:
    """Vault's rendering: the big-endian bytes of the serial (no leading zero bytes) as
    lower-case hex pairs joined by `:`."""
    raw = serial.to_bytes(max(1, (serial.bit_length() + 7) // 8), "big")
    return raw.hex(":")


def parse_serial(text: str) -> int:
    """A serial given with `:` or `-` between hex pairs (or as bare hex)."""
    text = text.strip()
    if not _SERIAL.fullmatch(text):
        raise InvalidParameter("invalid serial_number: expected hex pairs joined by ':' or '-'")
    return int(re.sub(r"[:-]", "", text), 16)


def serial_key(serial: int) -> str:
    """The storage form of a serial: hex pairs joined by `-`."""
    return serial_text(serial).replace(":", "-")


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise InvalidParameter("invalid format: expected pem, der or pem_bundle")
    return fmt


def cert_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def render_cert(pem: str, fmt: str) -> str:
    """A stored PEM certificate in the response format: PEM without its final newline (as
    Vault returns it) or base64 DER."""
    if fmt == "der":
        return base64.b64encode(cert_der(load_cert(pem))).decode()
    return pem.rstrip("\n")


def load_cert(pem: str, what: str = "certificate") -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem.encode())
    except (ValueError, UnicodeEncodeError):
        raise InvalidParameter(f"could not parse {what}: expected a PEM certificate") from None


def split_certs(bundle: str, what: str = "certificate") -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, in order."""
    return [load_cert(block, what) for block in split_pem_certs(bundle)]


def split_pem_certs(bundle: str) -> list[str]:
    """The PEM blocks of the certificates in a bundle, in order, unparsed."""
    found: list[str] = _PEM_CERT.findall(bundle)
    return found


def load_csr(text: str) -> x509.CertificateSigningRequest:
    """A PEM CSR whose self-signature verifies."""
    try:
        csr = x509.load_pem_x509_csr(text.encode())
    except (ValueError, UnicodeEncodeError):
        raise InvalidParameter("could not parse csr: expected a PEM certificate request") from None
    try:
        valid = csr.is_signature_valid
    except Exception:  # an unsupported key or signature algorithm
        valid = False
    if not valid:
        raise InvalidParameter("the csr's signature is invalid")
    return csr


def timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def rfc3339_ns(ns: int) -> str:
    """Nanoseconds since the epoch as Go prints an RFC 3339 time with nanoseconds (UTC)."""
    seconds, rest = divmod(ns, 1_000_000_000)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    fraction = f"{rest:09d}".rstrip("0")
    return f"{text}.{fraction}Z" if fraction else f"{text}Z"


def from_seconds(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
