# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Signed manifests: who wrote a backup set (docs/security.md).

With a signing key (an Ed25519 private key in PEM, from Ansible Vault) the backup signs the
exact text of each set's ``manifest.json`` on the controller; the signature travels with
the set as ``manifest.sig``, written before the completion marker. The manifest records
the SHA-256 of every file of the set, so a signature that verifies vouches for every file
whose hash matches too.

``manifest.sig`` is JSON: ``format``, ``schema_version``, ``algorithm`` (``ed25519``),
``key_fingerprint`` (which key signed) and ``signature`` (base64 of the 64-byte Ed25519
signature of the manifest's UTF-8 bytes).

A key's fingerprint is the SHA-256 of its raw 32-byte public key, in lower-case hexadecimal
(``openssl pkey -pubin -in key.pub -outform DER | tail -c 32 | sha256sum`` prints it).

Keys are secrets: no text this module writes (refusals, verdicts) contains a key, only
fingerprints. A key that does not parse is refused with :class:`PolicyRefusal` naming the
option, never the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import SIGNATURE_NAME
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography is a controller requirement
    HAS_CRYPTOGRAPHY = False

SIGNATURE_FORMAT = "wsfc.clusterdb/manifest-signature"
SIGNATURE_SCHEMA_VERSION = 1
ALGORITHM = "ed25519"

# The verdicts on a set's signature.
VERIFIED = "verified"  # signed by a trusted key, and the signature matches the manifest
UNSIGNED = "unsigned"  # no manifest.sig
FORGED = "forged"  # a signature that does not verify, or by a key that is not trusted
NOT_CHECKED = "not_checked"  # a manifest.sig, but no trusted key to check it with

# Why a signature is forged.
BAD_SIGNATURE = "bad_signature"
UNTRUSTED_KEY = "untrusted_key"
UNREADABLE = "unreadable"

# How the key options are shown where a task's options are (invocation), as Ansible shows
# a no_log value.
HIDDEN = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

_KEY_FIX = (
    "Create a key with `openssl genpkey -algorithm ed25519 -out signing.pem`, keep it in "
    "Ansible Vault, and give its PEM text (docs/security.md, Keys)."
)


def _need_cryptography(option: str) -> None:
    if not HAS_CRYPTOGRAPHY:
        raise PolicyRefusal(
            f"{option} needs the Python package cryptography on the controller, which is "
            "not installed.",
            "Install it in the controller's Python (pip install cryptography).",
        )


def fingerprint_of(public_key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, lower-case hexadecimal."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class SigningKey:
    """A parsed private key; ``repr`` shows the fingerprint only."""

    key: Ed25519PrivateKey
    fingerprint: str

    def __repr__(self) -> str:
        return f"SigningKey(fingerprint={self.fingerprint})"

    @property
    def public(self) -> TrustedKey:
        public = self.key.public_key()
        return TrustedKey(public, fingerprint_of(public))


@dataclass(frozen=True)
class TrustedKey:
    key: Ed25519PublicKey
    fingerprint: str


def _pem_bytes(value: object, option: str, what: str) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise PolicyRefusal(f"{option} is not {what} in PEM text.", _KEY_FIX)
    return value.strip().encode("ascii", errors="replace") + b"\n"


def load_signing_key(value: object, option: str = "signing_key") -> SigningKey:
    """The Ed25519 private key in ``value`` (PEM, unencrypted); refuses anything else
    without quoting it."""
    _need_cryptography(option)
    data = _pem_bytes(value, option, "an Ed25519 private key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        # The parser's text may quote the input: not passed on.
        raise PolicyRefusal(
            f"{option} does not hold a private key in PEM that can be read without a "
            "password (the value is not shown: it is a secret).",
            _KEY_FIX,
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PolicyRefusal(
            f"{option} holds a private key that is not Ed25519 (the value is not shown).",
            _KEY_FIX,
        )
    return SigningKey(key, fingerprint_of(key.public_key()))


def load_trusted_keys(values: object, option: str = "trusted_keys") -> tuple[TrustedKey, ...]:
    """The Ed25519 public keys in ``values`` (a list of PEM texts); refuses the first that
    does not parse, by its position. A private key is refused: it has no place there."""
    if values is None:
        return ()
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise PolicyRefusal(
            f"{option} is not a list of public keys.",
            f"Give {option} as a list of PEM texts, one per trusted key.",
        )
    items = list(values)
    if not items:
        return ()
    _need_cryptography(option)
    keys: list[TrustedKey] = []
    for number, value in enumerate(items):
        label = f"{option}[{number}]"
        data = _pem_bytes(value, label, "an Ed25519 public key")
        if b"PRIVATE KEY" in data:
            raise PolicyRefusal(
                f"{label} holds a private key; only public keys are trusted (the value is "
                "not shown: treat that key as exposed).",
                "Give the public key (openssl pkey -in signing.pem -pubout), and keep the "
                "private key in Ansible Vault for the backup only.",
            )
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError):
            raise PolicyRefusal(
                f"{label} does not hold a public key in PEM.",
                "Give the output of `openssl pkey -in signing.pem -pubout` "
                "(-----BEGIN PUBLIC KEY-----).",
            ) from None
        if not isinstance(key, Ed25519PublicKey):
            raise PolicyRefusal(
                f"{label} holds a public key that is not Ed25519.",
                "Give the public half of the backup's Ed25519 signing key.",
            )
        keys.append(TrustedKey(key, fingerprint_of(key)))
    return tuple(keys)


def check_signature_options(
    trusted_keys: object, require_signature: object, *, prefix: str = ""
) -> tuple[TrustedKey, ...]:
    """The trusted keys of a task (``trusted_keys``, ``require_signature``), checked
    before any node is touched: each key must parse, and requiring signatures needs a key
    to check them with. ``prefix``: the role's option prefix, for the texts."""
    keys_option = f"{prefix}trusted_keys"
    trusted = load_trusted_keys(trusted_keys, keys_option)
    if require_signature and not trusted:
        raise PolicyRefusal(
            f"{prefix}require_signature is true but {keys_option} is empty, so no set "
            "could be verified.",
            f"Give the public key(s) the backups are signed with in {keys_option} "
            "(docs/security.md), or leave signatures optional.",
        )
    return trusted


def sign_manifest(key: SigningKey, manifest_text: str) -> str:
    """The text of ``manifest.sig`` for ``manifest_text``."""
    signature = key.key.sign(manifest_text.encode("utf-8"))
    document = {
        "format": SIGNATURE_FORMAT,
        "schema_version": SIGNATURE_SCHEMA_VERSION,
        "algorithm": ALGORITHM,
        "key_fingerprint": key.fingerprint,
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class SignatureCheck:
    """The verdict on a set's signature: ``status`` (VERIFIED, UNSIGNED, FORGED,
    NOT_CHECKED), ``reason`` of a forged one, the fingerprint the signature names, and
    whether it was ``checked`` against trusted keys (False when none were given)."""

    status: str
    text: str
    key_fingerprint: str | None = None
    reason: str | None = None
    checked: bool = True

    def as_result(self) -> dict[str, str | bool | None]:
        return {
            "status": self.status,
            "key_fingerprint": self.key_fingerprint,
            "reason": self.reason,
            "checked": self.checked,
            "message": self.text,
        }


def _read_signature(text: str) -> tuple[str, bytes]:
    """(fingerprint, signature bytes) from manifest.sig; ValueError naming what is wrong."""
    try:
        document = json.loads(text)
    except ValueError as err:
        raise ValueError(f"{SIGNATURE_NAME} is not valid JSON") from err
    if not isinstance(document, dict) or document.get("format") != SIGNATURE_FORMAT:
        raise ValueError(f"{SIGNATURE_NAME} is not a {SIGNATURE_FORMAT} document")
    if document.get("algorithm") != ALGORITHM:
        raise ValueError(f"{SIGNATURE_NAME} names algorithm {document.get('algorithm')!r}")
    fingerprint = document.get("key_fingerprint")
    if not isinstance(fingerprint, str) or len(fingerprint) != 64:
        raise ValueError(f"{SIGNATURE_NAME} names no key fingerprint")
    try:
        signature = base64.b64decode(str(document.get("signature")), validate=True)
    except (binascii.Error, ValueError) as err:
        raise ValueError(f"{SIGNATURE_NAME} holds no base64 signature") from err
    return fingerprint.lower(), signature


def check_signature(
    manifest_text: str | None,
    signature_text: str | None,
    trusted: Iterable[TrustedKey],
) -> SignatureCheck:
    """Verify a set's manifest against its signature and the trusted keys.

    No trusted key: NOT_CHECKED for a signed set, UNSIGNED for one without a signature (the
    caller decides what an unsigned set means: refused when signatures are required).
    """
    keys = {key.fingerprint: key for key in trusted}
    if signature_text is None:
        return SignatureCheck(
            UNSIGNED, f"the set has no signature ({SIGNATURE_NAME})", checked=bool(keys)
        )
    try:
        fingerprint, signature = _read_signature(signature_text)
    except ValueError as err:
        if not keys:
            return SignatureCheck(
                NOT_CHECKED, f"{err}; not checked: no key is trusted", checked=False
            )
        return SignatureCheck(FORGED, str(err), reason=UNREADABLE)
    if not keys:
        return SignatureCheck(
            NOT_CHECKED,
            f"signed by key {fingerprint}; not checked: no key is trusted",
            fingerprint,
            checked=False,
        )
    key = keys.get(fingerprint)
    if key is None:
        return SignatureCheck(
            FORGED,
            f"it is signed by key {fingerprint}, which is not among the trusted keys",
            fingerprint,
            UNTRUSTED_KEY,
        )
    try:
        key.key.verify(signature, (manifest_text or "").encode("utf-8"))
    except InvalidSignature:
        return SignatureCheck(
            FORGED,
            f"its signature by key {fingerprint} does not match its manifest (the manifest "
            "was changed after it was signed, or the signature was made up)",
            fingerprint,
            BAD_SIGNATURE,
        )
    return SignatureCheck(VERIFIED, f"signed by trusted key {fingerprint}", fingerprint)


def signature_refusal(
    set_name: str, check: SignatureCheck, *, required: bool
) -> tuple[str, str, str] | None:
    """(name, cause, fix) when the set must not be restored or trusted, else None.

    A forged set is refused always; an unsigned one (or one not checked) when signatures
    are ``required``."""
    if check.status == FORGED:
        return (
            "FORGED_SET",
            f"set {set_name} is forged: {check.text}",
            "Do not restore it. Find out who could write to the backup location (a node's "
            "computer account can), remove the set, and restore a set whose signature "
            "verifies. If the set is yours and was signed with a new key, add that key's "
            "public half to the trusted keys.",
        )
    if required and check.status != VERIFIED:
        return (
            "UNSIGNED_SET",
            f"set {set_name} is not signed by a trusted key ({check.text}), and signed "
            "sets are required",
            "Restore a signed set, or take a new backup with the signing key configured; "
            "to restore an unsigned set on purpose, turn off the requirement for this run.",
        )
    return None
