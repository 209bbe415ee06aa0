"""Signed manifests (plugin_utils._signing): keys, signatures, verdicts, and that no text
the collection writes about a key holds the key."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (
    BAD_SIGNATURE,
    FORGED,
    NOT_CHECKED,
    UNREADABLE,
    UNSIGNED,
    UNTRUSTED_KEY,
    VERIFIED,
    check_signature,
    check_signature_options,
    load_signing_key,
    load_trusted_keys,
    sign_manifest,
    signature_refusal,
)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from signing_keys import new_key, pem_body

MANIFEST = '{\n  "format": "wsfc.clusterdb/backup-set",\n  "source_node": "N\u00d61"\n}\n'


class TestKeys:
    def test_fingerprint_is_the_sha256_of_the_raw_public_key(self) -> None:
        private, public = new_key()
        key = load_signing_key(private)
        raw = serialization.load_pem_public_key(public.encode()).public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        assert key.fingerprint == hashlib.sha256(raw).hexdigest()
        assert load_trusted_keys([public])[0].fingerprint == key.fingerprint
        assert key.fingerprint in repr(key) and pem_body(private) not in repr(key)

    @pytest.mark.parametrize(
        "value",
        [
            "not a key",
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "",
            None,
        ],
    )
    def test_a_private_key_that_does_not_parse_is_refused_without_quoting_it(
        self, value: object
    ) -> None:
        with pytest.raises(PolicyRefusal) as refused:
            load_signing_key(value, "backup_signing_key")
        assert "backup_signing_key" in str(refused.value)
        if value:
            assert str(value).strip() not in str(refused.value)
            assert "AAAA" not in str(refused.value)

    def test_a_key_of_another_kind_is_refused(self) -> None:
        ec = generate_private_key(SECP256R1())
        pem = ec.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        with pytest.raises(PolicyRefusal, match="not Ed25519"):
            load_signing_key(pem)
        public = ec.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        with pytest.raises(PolicyRefusal, match=r"trusted_keys\[0\] holds a public key"):
            load_trusted_keys([public.decode()])

    def test_a_private_key_among_the_trusted_keys_is_refused_without_quoting_it(self) -> None:
        private, public = new_key()
        with pytest.raises(PolicyRefusal) as refused:
            load_trusted_keys([public, private], "restore_trusted_keys")
        text = str(refused.value)
        assert "restore_trusted_keys[1] holds a private key" in text
        assert pem_body(private) not in text

    def test_a_public_key_that_does_not_parse_is_named_by_its_position(self) -> None:
        _private, public = new_key()
        with pytest.raises(PolicyRefusal, match=r"trusted_keys\[1\] does not hold"):
            load_trusted_keys([public, "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"])

    def test_requiring_signatures_without_a_key_is_refused(self) -> None:
        with pytest.raises(PolicyRefusal, match="restore_require_signature is true"):
            check_signature_options([], True, prefix="restore_")
        assert check_signature_options([], False) == ()


class TestVerdicts:
    def setup_method(self) -> None:
        self.private, self.public = new_key()
        self.key = load_signing_key(self.private)
        self.trusted = load_trusted_keys([self.public])
        self.signature = sign_manifest(self.key, MANIFEST)

    def test_the_signature_file_names_the_key_and_not_the_key_itself(self) -> None:
        document = json.loads(self.signature)
        assert document["algorithm"] == "ed25519"
        assert document["key_fingerprint"] == self.key.fingerprint
        assert len(base64.b64decode(document["signature"])) == 64
        assert pem_body(self.private) not in self.signature

    def test_a_signed_manifest_verifies(self) -> None:
        check = check_signature(MANIFEST, self.signature, self.trusted)
        assert check.status == VERIFIED
        assert check.key_fingerprint == self.key.fingerprint

    def test_an_edited_manifest_is_forged(self) -> None:
        edited = MANIFEST.replace("N\u00d61", "N2")
        check = check_signature(edited, self.signature, self.trusted)
        assert (check.status, check.reason) == (FORGED, BAD_SIGNATURE)
        assert self.key.fingerprint in check.text

    def test_a_signature_by_an_untrusted_key_is_forged(self) -> None:
        other_private = new_key()[0]
        signature = sign_manifest(load_signing_key(other_private), MANIFEST)
        check = check_signature(MANIFEST, signature, self.trusted)
        assert (check.status, check.reason) == (FORGED, UNTRUSTED_KEY)

    def test_a_signature_that_cannot_be_read_is_forged(self) -> None:
        check = check_signature(MANIFEST, "{not json", self.trusted)
        assert (check.status, check.reason) == (FORGED, UNREADABLE)

    def test_rotation_trusts_the_previous_key_too(self) -> None:
        new_private, new_public = new_key()
        trusted = load_trusted_keys([new_public, self.public])
        assert check_signature(MANIFEST, self.signature, trusted).status == VERIFIED
        newer = sign_manifest(load_signing_key(new_private), MANIFEST)
        assert check_signature(MANIFEST, newer, trusted).status == VERIFIED

    def test_without_trusted_keys_nothing_is_checked(self) -> None:
        assert check_signature(MANIFEST, self.signature, ()).status == NOT_CHECKED
        assert check_signature(MANIFEST, None, ()).status == UNSIGNED

    def test_refusals(self) -> None:
        forged = check_signature("x", self.signature, self.trusted)
        name, cause, fix = signature_refusal("S1", forged, required=False)
        assert name == "FORGED_SET" and "S1" in cause and self.key.fingerprint in cause
        assert "Do not restore it" in fix
        unsigned = check_signature(MANIFEST, None, self.trusted)
        assert signature_refusal("S1", unsigned, required=False) is None
        refused = signature_refusal("S1", unsigned, required=True)
        assert refused is not None and refused[0] == "UNSIGNED_SET"
        verified = check_signature(MANIFEST, self.signature, self.trusted)
        assert signature_refusal("S1", verified, required=True) is None
