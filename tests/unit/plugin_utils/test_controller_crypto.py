"""The encrypted controller copy (plugin_utils._controller_crypto): AES-256-GCM per file,
in chunks, with the set's name and the file's path bound; keys that do not parse."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import _controller_crypto as crypto
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SET = "20260101T000000Z_clusterdb_e1s1"


def new_key() -> tuple[str, bytes]:
    raw = os.urandom(32)
    return base64.b64encode(raw).decode(), raw


@pytest.fixture
def plain(tmp_path: Path) -> Path:
    folder = tmp_path / "plain"
    (folder / "WindowsImageBackup").mkdir(parents=True)
    (folder / "manifest.json").write_text('{"format": "x"}\n', encoding="utf-8")
    (folder / "backup.complete").write_bytes(b"")
    # Two chunks and a bit: the chunk boundary is crossed.
    (folder / "WindowsImageBackup" / "big.vhdx").write_bytes(os.urandom(2 * crypto.CHUNK + 5))
    (folder / "WindowsImageBackup" / "exact.bin").write_bytes(os.urandom(crypto.CHUNK))
    return folder


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


class TestKey:
    def test_a_base64_32_byte_key_parses(self) -> None:
        text, raw = new_key()
        assert crypto.load_encryption_key(text + "\n", "k") == raw

    @pytest.mark.parametrize(
        "value",
        [
            "",
            None,
            "not base64!",
            base64.b64encode(b"short").decode(),
            base64.b64encode(bytes(64)).decode(),
        ],
    )
    def test_a_key_that_does_not_parse_is_refused_without_quoting_it(self, value: object) -> None:
        with pytest.raises(PolicyRefusal) as refused:
            crypto.load_encryption_key(value, "backup_controller_encryption_key")
        assert "backup_controller_encryption_key" in str(refused.value)
        assert "openssl rand -base64 32" in str(refused.value)
        if value:
            assert str(value) not in str(refused.value)


class TestSet:
    def test_round_trip(self, plain: Path, tmp_path: Path) -> None:
        _text, key = new_key()
        sealed, opened = tmp_path / "sealed", tmp_path / "opened"
        crypto.encrypt_set(key, plain, sealed, SET)
        assert crypto.is_encrypted_set(sealed) and not crypto.is_encrypted_set(plain)
        # Nothing of the plain text is in the sealed files.
        big = (plain / "WindowsImageBackup" / "big.vhdx").read_bytes()
        assert big[:64] not in (sealed / "WindowsImageBackup" / "big.vhdx.aesgcm").read_bytes()
        hashes = crypto.decrypt_set(key, sealed, opened, SET)
        assert files(opened) == files(plain)
        assert set(hashes) == {"manifest.json", "backup.complete", "WindowsImageBackup\\big.vhdx",
                               "WindowsImageBackup\\exact.bin"}  # fmt: skip

    def test_each_file_has_its_own_nonce(self, plain: Path, tmp_path: Path) -> None:
        _text, key = new_key()
        crypto.encrypt_set(key, plain, tmp_path / "a", SET)
        crypto.encrypt_set(key, plain, tmp_path / "b", SET)
        first = (tmp_path / "a" / "manifest.json.aesgcm").read_bytes()
        second = (tmp_path / "b" / "manifest.json.aesgcm").read_bytes()
        assert first[: crypto.HEADER_SIZE] != second[: crypto.HEADER_SIZE]
        assert first != second

    @pytest.mark.parametrize("offset", [crypto.HEADER_SIZE + 3, crypto.CHUNK + 100, -1, 2])
    def test_a_flipped_byte_is_refused(self, plain: Path, tmp_path: Path, offset: int) -> None:
        _text, key = new_key()
        sealed = tmp_path / "sealed"
        crypto.encrypt_set(key, plain, sealed, SET)
        target = sealed / "WindowsImageBackup" / "big.vhdx.aesgcm"
        data = bytearray(target.read_bytes())
        data[offset] ^= 0x01
        target.write_bytes(bytes(data))
        with pytest.raises(crypto.DecryptionError, match=r"big\.vhdx"):
            crypto.decrypt_set(key, sealed, tmp_path / "opened", SET)
        assert not (tmp_path / "opened" / "WindowsImageBackup" / "big.vhdx").exists()

    def test_a_file_cut_at_a_chunk_boundary_is_refused(self, plain: Path, tmp_path: Path) -> None:
        _text, key = new_key()
        sealed = tmp_path / "sealed"
        crypto.encrypt_set(key, plain, sealed, SET)
        target = sealed / "WindowsImageBackup" / "big.vhdx.aesgcm"
        data = target.read_bytes()
        target.write_bytes(data[: crypto.HEADER_SIZE + 2 * (crypto.CHUNK + crypto.TAG_SIZE)])
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt_set(key, sealed, tmp_path / "opened", SET)

    def test_the_wrong_key_is_refused(self, plain: Path, tmp_path: Path) -> None:
        crypto.encrypt_set(new_key()[1], plain, tmp_path / "sealed", SET)
        with pytest.raises(crypto.DecryptionError, match="the key is not the one"):
            crypto.decrypt_set(new_key()[1], tmp_path / "sealed", tmp_path / "opened", SET)

    def test_files_cannot_be_swapped_within_a_set_or_between_sets(
        self, plain: Path, tmp_path: Path
    ) -> None:
        _text, key = new_key()
        sealed = tmp_path / "sealed"
        crypto.encrypt_set(key, plain, sealed, SET)
        marker = sealed / "backup.complete.aesgcm"
        manifest = sealed / "manifest.json.aesgcm"
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypted_text(key, marker, SET, "manifest.json")
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypted_text(key, manifest, "20270101T000000Z_clusterdb_e1s2", "manifest.json")
        assert crypto.decrypted_text(key, manifest, SET, "manifest.json") == '{"format": "x"}\n'

    def test_the_cipher_is_aes_256_gcm(self, plain: Path, tmp_path: Path) -> None:
        """The last (only) chunk of a small file opens with AESGCM itself, under the
        documented nonce and associated data."""
        _text, key = new_key()
        crypto.encrypt_set(key, plain, tmp_path / "sealed", SET)
        data = (tmp_path / "sealed" / "manifest.json.aesgcm").read_bytes()
        header = data[: crypto.HEADER_SIZE]
        nonce = header[len(crypto.MAGIC) :] + (0).to_bytes(4, "big") + b"\x01"
        aad = b"\x00".join(
            (b"wsfc.clusterdb controller copy", header, SET.encode(), b"manifest.json")
        )
        assert AESGCM(key).decrypt(nonce, data[crypto.HEADER_SIZE :], aad) == b'{"format": "x"}\n'
