# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation and normalisation of the Windows paths an operator gives.

``backup_path`` is a directory on the node (``D:\\Backups``) or a UNC path
(``\\\\fs01\\clusterbackups``). It is checked here, on the controller, so that a bad path is
refused before any node is touched, with the problem and the fix named.

Quote characters, ``;``, ``$``, ``(``, ``)``, ``&``, ``%`` and backticks are legal in Windows
file names and are carried as data: the PowerShell modules receive the path as a module
parameter and never paste it into a command line. Control characters (newline, tab, ...)
cannot be part of a Windows file name at all and are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

LOCAL = "local"
UNC = "unc"

# Characters Windows forbids in a file or directory name (Win32 "Naming Files, Paths, and
# Namespaces"); the colon is legal only right after the drive letter.
_ILLEGAL_NAME_CHARACTERS = frozenset('<>:"|?*')
# Device names Windows reserves in every directory, with or without an extension.
_RESERVED_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)
# NetShareAdd refuses these characters in a share name.
_ILLEGAL_SHARE_CHARACTERS = frozenset('"/\\[]:|<>+=;,?*')
# A server in a UNC path: a NetBIOS or DNS name, or an IPv4 address.
_SERVER_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_MAX_COMPONENT_LENGTH = 255
_MAX_PATH_LENGTH = 32767
_QUORUM_DRIVE = re.compile(r"^[A-Za-z]:$")


@dataclass(frozen=True)
class BackupPath:
    """A validated backup directory.

    ``path`` is the normalised form: backslashes only, no trailing backslash except the one
    a drive root needs (``D:\\``). For a local path ``drive`` is ``"D:"``; for a UNC path
    ``server`` and ``share`` are set. ``components`` are the directories below the drive
    root or the share.
    """

    kind: str
    path: str
    drive: str | None
    server: str | None
    share: str | None
    components: tuple[str, ...]

    @property
    def is_unc(self) -> bool:
        return self.kind == UNC

    def child(self, *names: str) -> str:
        """The Windows path of a directory or file below this one."""
        for name in names:
            _check_component(name, f"the name {name!r}")
        base = self.path.rstrip("\\")
        return "\\".join([base, *names])


def validate_backup_path(value: object, option: str = "backup_path") -> BackupPath:
    """Check ``value`` as a backup directory and return its normalised form.

    Raises PolicyRefusal naming the problem and the fix.
    """
    if value is None or (isinstance(value, str) and value == ""):
        raise PolicyRefusal(
            f"{option} is empty.",
            f"Set {option} to a directory such as D:\\Backups or \\\\fs01\\clusterbackups.",
        )
    if not isinstance(value, str):
        raise PolicyRefusal(
            f"{option} must be a string, not {type(value).__name__}.",
            f"Quote the value of {option} so it reaches the module as a path.",
        )
    _check_characters(value, option)
    if value != value.strip():
        raise PolicyRefusal(
            f"{option} {value!r} starts or ends with white space.",
            "Remove the spaces around the path (Windows drops trailing spaces, so the "
            "directory written would not be the one named).",
        )
    if len(value) > _MAX_PATH_LENGTH:
        raise PolicyRefusal(
            f"{option} is {len(value)} characters long.",
            f"Use a path shorter than {_MAX_PATH_LENGTH} characters.",
        )
    # Windows accepts the forward slash as a separator; normalise it so every later rule
    # and every later join sees one separator.
    text = value.replace("/", "\\")
    if text.startswith("\\\\"):
        return _validate_unc(text, value, option)
    return _validate_local(text, value, option)


def validate_quorum_drive(value: object, option: str = "quorum_drive") -> str | None:
    """Check a replacement quorum drive (``X:``); return it in upper case, or None if unset."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _QUORUM_DRIVE.match(value):
        raise PolicyRefusal(
            f"{option} {value!r} is not a drive letter followed by a colon.",
            f"Write {option} as a single letter A-Z and a colon, such as Q: (no backslash).",
        )
    return value.upper()


def _check_characters(value: str, option: str) -> None:
    for position, char in enumerate(value):
        if ord(char) < 32 or ord(char) == 127:
            raise PolicyRefusal(
                f"{option} contains the control character {char!r} at position {position}; "
                "Windows does not allow control characters (newline, tab, ...) in a path, "
                "and one there usually means the value was pasted or templated wrongly.",
                f"Remove the control character from {option}.",
            )


def _validate_local(text: str, original: str, option: str) -> BackupPath:
    if len(text) >= 2 and text[1] == ":":
        letter = text[0]
        if not ("A" <= letter.upper() <= "Z" and letter.isascii()):
            raise PolicyRefusal(
                f"{option} {original!r} starts with {text[:2]!r}, which is not a drive.",
                "Start the path with a drive letter A-Z and a colon, such as D:\\Backups.",
            )
        if len(text) == 2 or text[2] != "\\":
            raise PolicyRefusal(
                f"{option} {original!r} names drive {text[:2]} without a backslash after it, "
                "which Windows reads as relative to the current directory on that drive.",
                f"Write the full path from the root of the drive, such as {text[:2]}\\Backups.",
            )
        drive = letter.upper() + ":"
        components = _split_components(text[3:], original, option)
        path = drive + "\\" + "\\".join(components)
        return BackupPath(LOCAL, path, drive, None, None, components)
    if text.startswith("\\"):
        raise PolicyRefusal(
            f"{option} {original!r} has no drive letter, so it depends on the current drive.",
            "Give the drive, such as D:\\Backups, or a UNC path such as \\\\fs01\\share.",
        )
    raise PolicyRefusal(
        f"{option} {original!r} is a relative path; the directory it names would depend on "
        "the working directory of the remote session.",
        "Give an absolute path, such as D:\\Backups, or a UNC path such as \\\\fs01\\share.",
    )


def _validate_unc(text: str, original: str, option: str) -> BackupPath:
    if text.startswith(("\\\\?\\", "\\\\.\\")):
        raise PolicyRefusal(
            f"{option} {original!r} uses a Win32 device or extended-length prefix.",
            "Write the path without the \\\\?\\ or \\\\.\\ prefix, such as D:\\Backups.",
        )
    parts = text[2:].split("\\")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    server = parts[0] if parts else ""
    if not server or not _SERVER_NAME.match(server):
        raise PolicyRefusal(
            f"{option} {original!r} does not name a server after the two backslashes.",
            "Write a UNC path as \\\\server\\share, such as \\\\fs01\\clusterbackups.",
        )
    if len(parts) < 2 or parts[1] == "":
        raise PolicyRefusal(
            f"{option} {original!r} names the server {server} but no share on it.",
            f"Add the share name: \\\\{server}\\<share>, such as \\\\{server}\\clusterbackups.",
        )
    share = parts[1]
    bad = sorted({c for c in share if c in _ILLEGAL_SHARE_CHARACTERS})
    if bad:
        raise PolicyRefusal(
            f"{option} {original!r}: the share name {share!r} contains {''.join(bad)!r}, "
            "which a share name cannot hold.",
            "Use the share's real name (see Get-SmbShare on the file server).",
        )
    components = _split_components("\\".join(parts[2:]), original, option)
    path = "\\\\" + "\\".join([server, share, *components])
    return BackupPath(UNC, path, None, server, share, components)


def _split_components(rest: str, original: str, option: str) -> tuple[str, ...]:
    """Split what follows the drive root or the share; one trailing backslash is dropped."""
    if rest.endswith("\\"):
        rest = rest[:-1]
    if rest == "":
        return ()
    components = tuple(rest.split("\\"))
    for name in components:
        _check_component(name, f"{option} {original!r}")
    return components


def _check_component(name: str, where: str) -> None:
    if name == "":
        raise PolicyRefusal(
            f"{where} has two backslashes in a row (an empty directory name).",
            "Use a single backslash between directory names.",
        )
    if name in (".", ".."):
        raise PolicyRefusal(
            f"{where} contains the directory name {name!r}, which refers to another "
            "directory instead of naming one.",
            "Write the path without . or .. components.",
        )
    if "\\" in name or "/" in name:
        raise PolicyRefusal(
            f"{where} contains a path separator inside a single name ({name!r}).",
            "Pass each directory name separately.",
        )
    for char in name:
        if char in _ILLEGAL_NAME_CHARACTERS:
            raise PolicyRefusal(
                f"{where} contains {char!r} in the name {name!r}; Windows does not allow "
                '<>:"|?* in file or directory names (a colon only after the drive letter).',
                f"Remove {char!r} from the path.",
            )
        if ord(char) < 32 or ord(char) == 127:
            raise PolicyRefusal(
                f"{where} contains the control character {char!r}; Windows does not allow "
                "control characters in file or directory names.",
                "Remove the control character.",
            )
    if name[-1] in " .":
        raise PolicyRefusal(
            f"{where} has the name {name!r}, which ends with a space or a dot; Windows "
            "silently drops those, so a different directory would be written.",
            "Remove the trailing spaces or dots from that directory name.",
        )
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED_DEVICE_NAMES:
        raise PolicyRefusal(
            f"{where} uses {name!r}, a name Windows reserves for a device.",
            "Choose another directory name (not CON, PRN, AUX, NUL, COM1-9 or LPT1-9).",
        )
    if len(name) > _MAX_COMPONENT_LENGTH:
        raise PolicyRefusal(
            f"{where} has a directory name of {len(name)} characters.",
            f"Use names of at most {_MAX_COMPONENT_LENGTH} characters.",
        )
