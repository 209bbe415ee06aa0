# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The encrypted controller copy: AES-256-GCM over each file of a set (docs/security.md).

With an encryption key (32 random bytes, base64; ``openssl rand -base64 32``), every file
of a set the backup role copies to the controller is stored as ``<file>.aesgcm``:

- a header: :data:`MAGIC` (8 bytes) and a random 7-byte nonce prefix, new for every file;
- the file in chunks of :data:`CHUNK` bytes (the last one shorter, possibly empty), each
  sealed with AES-256-GCM (``cryptography``'s AESGCM) under the nonce
  ``prefix || chunk number (4 bytes, big-endian) || last (1 byte)``, so that chunks cannot
  be reordered, dropped or the file cut short without the tag failing;
- the associated data of every chunk binds the header, the set's name and the file's
  relative path (backslashes), so that a file cannot be swapped with another file of the
  set, or with the same file of another set.

Chunks keep the memory a file needs bounded, whatever the size of the set. A key is a
secret: no text of this module contains it; a key that does not parse is refused with
:class:`PolicyRefusal` naming the option, never the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import typing as t
from collections.abc import Iterator
from pathlib import Path

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - cryptography is a controller requirement
    HAS_CRYPTOGRAPHY = False

SUFFIX = ".aesgcm"
MAGIC = b"WSFCDB\x00\x01"
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + PREFIX_SIZE
CHUNK = 1024 * 1024
TAG_SIZE = 16
KEY_SIZE = 32

_KEY_FIX = (
    "Create a key with `openssl rand -base64 32`, keep it in Ansible Vault and give that "
    "text (docs/security.md, Encrypting the controller copy)."
)


class DecryptionError(ValueError):
    """A file of an encrypted copy that does not decrypt: changed, cut short, swapped, or
    sealed with another key. The message names the file, never the key."""


def load_encryption_key(value: object, option: str) -> bytes:
    """The 32-byte key from its base64 text; refused (naming ``option``) when it does not
    parse. Whitespace around the text (a vaulted value's newline) is ignored."""
    if not HAS_CRYPTOGRAPHY:  # pragma: no cover
        raise PolicyRefusal(
            f"{option} needs the Python package cryptography on the controller, which is "
            "not installed.",
            "Install it in the controller's Python (pip install cryptography).",
        )
    if not isinstance(value, str) or not value.strip():
        raise PolicyRefusal(f"{option} is not a text.", _KEY_FIX)
    try:
        key = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise PolicyRefusal(f"{option} is not base64 text.", _KEY_FIX) from None
    if len(key) != KEY_SIZE:
        raise PolicyRefusal(
            f"{option} holds {len(key)} bytes; an AES-256 key is {KEY_SIZE} bytes.", _KEY_FIX
        )
    return key


def _associated_data(header: bytes, set_name: str, relative: str) -> bytes:
    return b"\x00".join(
        (b"wsfc.clusterdb controller copy", header, set_name.encode(), relative.encode())
    )


def _nonce(prefix: bytes, number: int, last: bool) -> bytes:
    return prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def _chunks(stream: t.BinaryIO, size: int) -> Iterator[tuple[bytes, bool]]:
    """The chunks of ``stream`` with whether each is the last (an empty stream: one)."""
    current = stream.read(size)
    while True:
        following = stream.read(size)
        yield current, not following
        if not following:
            return
        current = following


def encrypt_file(key: bytes, source: Path, target: Path, set_name: str, relative: str) -> None:
    """``source`` sealed into ``target`` (created with mode 0600)."""
    aead = AESGCM(key)
    header = MAGIC + os.urandom(PREFIX_SIZE)
    aad = _associated_data(header, set_name, relative)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source.open("rb") as plain, os.fdopen(descriptor, "wb") as sealed:
        sealed.write(header)
        for number, (chunk, last) in enumerate(_chunks(plain, CHUNK)):
            sealed.write(aead.encrypt(_nonce(header[len(MAGIC) :], number, last), chunk, aad))


def decrypt_chunks(key: bytes, source: Path, set_name: str, relative: str) -> Iterator[bytes]:
    """The plain chunks of the sealed ``source``; raises DecryptionError on the first chunk
    that does not authenticate (so nothing after a bad chunk is ever returned)."""
    aead = AESGCM(key)
    with source.open("rb") as sealed:
        header = sealed.read(HEADER_SIZE)
        if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
            raise DecryptionError(f"{relative} is not a file of an encrypted controller copy")
        aad = _associated_data(header, set_name, relative)
        prefix = header[len(MAGIC) :]
        for number, (chunk, last) in enumerate(_chunks(sealed, CHUNK + TAG_SIZE)):
            try:
                yield aead.decrypt(_nonce(prefix, number, last), chunk, aad)
            except InvalidTag:
                raise DecryptionError(
                    f"{relative} does not decrypt: it was changed, cut short or swapped "
                    "with another file after it was encrypted, or the key is not the one "
                    "that encrypted it"
                ) from None


def decrypt_file(key: bytes, source: Path, target: Path, set_name: str, relative: str) -> str:
    """``source`` opened into ``target`` (mode 0600); returns the plain file's SHA-256.
    A file that does not decrypt leaves no ``target``."""
    digest = hashlib.sha256()
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as plain:
            for chunk in decrypt_chunks(key, source, set_name, relative):
                digest.update(chunk)
                plain.write(chunk)
    except DecryptionError:
        target.unlink(missing_ok=True)
        raise
    return digest.hexdigest()


def decrypted_digest(key: bytes, source: Path, set_name: str, relative: str) -> tuple[int, str]:
    """The plain file's size and SHA-256, read from the sealed ``source`` in memory."""
    digest, size = hashlib.sha256(), 0
    for chunk in decrypt_chunks(key, source, set_name, relative):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def decrypted_text(key: bytes, source: Path, set_name: str, relative: str) -> str:
    """A small sealed file (the manifest, the signature) as UTF-8 text."""
    return b"".join(decrypt_chunks(key, source, set_name, relative)).decode("utf-8")


def is_encrypted_set(directory: Path) -> bool:
    """Every file of the set is sealed (the backup role seals them all, or none)."""
    files = [p for p in directory.rglob("*") if p.is_file()]
    return bool(files) and all(p.name.endswith(SUFFIX) for p in files)


def plain_relative(sealed: Path, directory: Path) -> str:
    """The set's relative path (backslashes) of a sealed file, without its suffix."""
    relative = str(sealed.relative_to(directory)).replace(os.sep, "\\")
    return relative[: -len(SUFFIX)] if relative.endswith(SUFFIX) else relative


def encrypt_set(key: bytes, plain: Path, sealed: Path, set_name: str) -> list[str]:
    """Every file under ``plain`` sealed under ``sealed`` (folders mode 0700); returns the
    relative paths sealed."""
    done = []
    sealed.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in sorted(plain.rglob("*")):
        if not path.is_file():
            continue
        relative = str(path.relative_to(plain)).replace(os.sep, "\\")
        target = sealed / (str(path.relative_to(plain)) + SUFFIX)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        encrypt_file(key, path, target, set_name, relative)
        done.append(relative)
    return done


def decrypt_set(key: bytes, sealed: Path, plain: Path, set_name: str) -> dict[str, str]:
    """Every sealed file under ``sealed`` opened under ``plain`` (folders mode 0700);
    returns each relative path's SHA-256. Raises DecryptionError on the first bad file."""
    hashes = {}
    plain.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in sorted(sealed.rglob("*")):
        if not path.is_file():
            continue
        relative = plain_relative(path, sealed)
        target = plain / Path(*relative.split("\\"))
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        hashes[relative] = decrypt_file(key, path, target, set_name, relative)
    return hashes
