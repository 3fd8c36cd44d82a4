"""Self-signed certificates in PKCS#12 files: the DEMO certificate that `make run` creates for a
development checkout (``manage.py signing_demo_certificate``), and the one the tests sign with.
Never an office's real certificate: that comes from a certification authority (docs/deployment.md)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

DEMO_OFFICE = "Diskominfotik Provinsi Bengkulu (DEMO — tidak sah)"
DEMO_PASSPHRASE = "demo-bukan-rahasia"  # a demo certificate signs nothing of value: its passphrase is published
DEMO_FILE_NAME = "demo-signing-certificate.p12"


def self_signed_pkcs12(path, *, passphrase: str, common_name: str = DEMO_OFFICE, days: int = 3 * 365,
                       not_before: datetime.datetime | None = None) -> Path:
    """Write a new RSA key with a self-signed certificate (usable for document signatures: digital
    signature and non-repudiation) to ``path`` as a PKCS#12 file protected by ``passphrase``
    (readable by its owner only). Returns the path."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "Bengkulu"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])
    start = not_before or (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=5))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=common_name.encode("utf-8"), key=key, cert=certificate, cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
    return path
