"""WinRM message encryption over HTTP (MS-WSMV 2.2.9.1.1): the multipart/encrypted body.

Each body is a two-part MIME message with the boundary "Encrypted Boundary": a header part
naming the protocol and the plaintext length, then an octet-stream part holding a 4-byte
little-endian signature length, the signature and the sealed message. pywinrm
(winrm/encryption.py) and pypsrp (pypsrp/encryption.py) both write and read this form.
"""

import re
import struct

import spnego
import spnego.exceptions

PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
CONTENT_TYPE = f'multipart/encrypted;protocol="{PROTOCOL}";boundary="Encrypted Boundary"'
_BOUNDARY = b"--Encrypted Boundary\r\n"
_END_BOUNDARY = b"--Encrypted Boundary--\r\n"
_OCTET_STREAM = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")


class EncryptionError(Exception):
    """A body that is not a well-formed encrypted message, or does not decrypt."""


def is_encrypted(content_type: str) -> bool:
    return content_type.strip().lower().startswith("multipart/encrypted")


def unwrap_body(context: spnego.ContextProxy, body: bytes) -> bytes:
    """The SOAP message inside an encrypted request body."""
    message = b""
    position = 0
    while body.startswith(_BOUNDARY, position):
        header_end = body.find(_BOUNDARY, position + len(_BOUNDARY))
        if header_end == -1:
            raise EncryptionError("the encrypted body has no data part")
        length_match = _LENGTH.search(body, position, header_end)
        if length_match is None:
            raise EncryptionError("the encrypted body does not give the message length")
        expected_length = int(length_match.group(1))
        data_start = header_end + len(_BOUNDARY)
        if not body.startswith(_OCTET_STREAM, data_start):
            raise EncryptionError("the data part is not application/octet-stream")
        data_start += len(_OCTET_STREAM)
        (signature_length,) = struct.unpack_from("<i", body, data_start)
        signature_start = data_start + 4
        sealed_start = signature_start + signature_length
        # NTLM seals with RC4, a stream cipher: the sealed message is as long as the
        # plaintext, so the Length field tells where it ends.
        sealed_end = sealed_start + expected_length
        if sealed_end > len(body):
            raise EncryptionError("the encrypted body is shorter than its Length")
        try:
            part = context.unwrap_winrm(
                body[signature_start:sealed_start], body[sealed_start:sealed_end]
            )
        except spnego.exceptions.SpnegoError as error:
            raise EncryptionError(f"the message does not decrypt: {error}") from error
        if len(part) != expected_length:
            raise EncryptionError("the decrypted message does not have the announced length")
        message += part
        position = sealed_end
    if not body.startswith(_END_BOUNDARY, position):
        raise EncryptionError("the encrypted body does not end with its closing boundary")
    return message


def wrap_body(context: spnego.ContextProxy, message: bytes) -> bytes:
    """An encrypted reply body for a SOAP message."""
    wrapped = context.wrap_winrm(message)
    return b"".join(
        (
            _BOUNDARY,
            f"\tContent-Type: {PROTOCOL}\r\n".encode(),
            b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=",
            str(len(message) + wrapped.padding_length).encode(),
            b"\r\n",
            _BOUNDARY,
            _OCTET_STREAM,
            struct.pack("<i", len(wrapped.header)),
            wrapped.header,
            wrapped.data,
            _END_BOUNDARY,
        )
    )
