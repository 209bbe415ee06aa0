"""A self-signed certificate for the HTTPS listener (WinRM's 5986), made once per directory."""

import datetime
import ipaddress
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERTIFICATE_FILE = "winrm-https.crt.pem"
KEY_FILE = "winrm-https.key.pem"
_VALIDITY = datetime.timedelta(days=3650)
# The certificate is its own trust anchor (clients that validate point at it as their CA
# bundle), so it is marked as a CA that may sign certificates; strict verifiers ask for that.
_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=True,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def generate_certificate(
    directory: Path, hostnames: list[str], addresses: list[str]
) -> tuple[Path, Path]:
    """Write (or reuse) a self-signed server certificate and its key; return both paths.

    The subject alternative names carry every host name and IP address given, so a client
    that validates against this certificate as its CA finds the name it connected to.
    """
    certificate_path = directory / CERTIFICATE_FILE
    key_path = directory / KEY_FILE
    if certificate_path.is_file() and key_path.is_file():
        return certificate_path, key_path

    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    common_name = hostnames[0] if hostnames else (addresses[0] if addresses else "localhost")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    alternative_names: list[x509.GeneralName] = [x509.DNSName(name) for name in hostnames]
    alternative_names += [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + _VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_KEY_USAGE, critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
    )
    if alternative_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(alternative_names), critical=False
        )
    # SHA-256: the hash NTLM channel binding (tls-server-end-point) derives from it.
    certificate = builder.sign(key, hashes.SHA256())

    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(key_path, key_bytes)
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate_path, key_path


def _write_private(path: Path, content: bytes) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_bytes(content)
