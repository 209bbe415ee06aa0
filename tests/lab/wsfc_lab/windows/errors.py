"""Errors a cmdlet or .NET method raises, as the ports catch them."""

from __future__ import annotations


class PowerShellError(Exception):
    """A terminating error (the module runs with $ErrorActionPreference = 'Stop').

    `code` is the Win32 code inside the exception (a Win32Exception's NativeErrorCode, or
    the low word of an HRESULT of facility 7), None when it carries none; `message` is
    the exception's Message.
    """

    def __init__(self, code: int | None, message: str, *, hresult: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        # The exception's HResult: a Win32 code's is 0x8007xxxx (as a signed Int32).
        if hresult is None and code is not None:
            hresult = code if code <= 0 else (0x80070000 | (code & 0xFFFF)) - (1 << 32)
        self.hresult = hresult


class LabSurfaceError(Exception):
    """A port asked for something the lab does not emulate: fails loudly, never guesses."""
