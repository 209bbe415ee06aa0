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

A ``%NAME%`` pair is refused although ``%`` is legal: the collection's modules take the path
literally, but the ansible.windows modules the roles use (``win_file``, ``win_copy``,
``win_share``) declare it of type ``path``, which Ansible expands with
``[Environment]::ExpandEnvironmentVariables``
(docs/windows-behaviour.md#expand-environment-variables), so one path would name two folders.
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
# NetShareAdd refuses these characters in a share name (*unconfirmed*: fact smb-share, which
# Microsoft's page does not list).
_ILLEGAL_SHARE_CHARACTERS = frozenset('"/\\[]:|<>+=;,?*')
# A server in a UNC path: a NetBIOS or DNS name, or an IPv4 address.
_SERVER_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_MAX_COMPONENT_LENGTH = 255
_MAX_PATH_LENGTH = 32767
_QUORUM_DRIVE = re.compile(r"^[A-Za-z]:$")
# What ExpandEnvironmentVariables replaces: a name between two percent signs. A name with a
# path separator in it is left alone: no environment variable of a path's node is expected to
# span two directory names, and a lone % (100%) stays legal data.
_ENVIRONMENT_REFERENCE = re.compile(r"%([^%\\/]+)%")
# New-SmbShare: a share name must be shorter than 80 characters; pipe and mailslot are
# reserved (docs/windows-behaviour.md#smb-share).
_MAX_SHARE_NAME_LENGTH = 79
# One backslash, then server\share: a UNC path that lost its first backslash to
# -e key=value, which decodes \\ into one backslash.
_HALF_UNC = re.compile(r"^\\(?!\\)[^\\/:*?\"<>|]+\\[^\\]")
# The escapes Ansible's key=value parser decodes into control characters
# (ansible.parsing.splitter), to name the one a refused path most likely came from.
_ESCAPE_OF_CONTROL = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}
_RESERVED_SHARE_NAMES = frozenset(["PIPE", "MAILSLOT"])


def quoted(text: object) -> str:
    """A value as a message quotes it: as the operator typed it, backslashes single (a
    Python repr would double them), and each character that cannot be seen (a control
    character, which Windows does not allow in a name) as the escape that makes it (\\n,
    \\x07), which is how key=value decoding turned a backslash and a letter into it."""
    if not isinstance(text, str):
        return repr(text)  # a value of another type (a number from YAML) as Python shows it
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text) + "'"


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
            _check_component(name, f"the name {quoted(name)}")
        base = self.path.rstrip("\\")
        return "\\".join([base, *names])


def validate_backup_path(value: object, option: str = "backup_path") -> BackupPath:
    """Check ``value`` as a backup directory and return its normalised form.

    Raises PolicyRefusal naming the problem and the fix.
    """
    if value is None or (isinstance(value, str) and value == ""):
        raise PolicyRefusal(
            f"{option} is empty: {option} is required.",
            f"Set {option} to a directory such as D:\\Backups or \\\\fs01\\clusterbackups.",
        )
    if not isinstance(value, str):
        raise PolicyRefusal(
            f"{option} must be a string, not {type(value).__name__}.",
            f"Quote the value of {option} so it reaches the module as a path.",
        )
    _check_characters(value, option)
    check_no_environment_variables(value, option)
    if value != value.strip():
        raise PolicyRefusal(
            f"{option} {quoted(value)} starts or ends with white space.",
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
            f"{option} {quoted(value)} is not a drive letter followed by a colon.",
            f"Write {option} as a single letter A-Z and a colon, such as Q: (no backslash).",
        )
    return value.upper()


def validate_local_directory(value: object, option: str) -> BackupPath:
    """A directory on the node itself (a drive path such as ``C:\\WsfcClusterBackup``)."""
    path = validate_backup_path(value, option)
    if path.is_unc:
        raise PolicyRefusal(
            f"{option} {quoted(value)} is a UNC path; it must be a folder of the backup node "
            "itself.",
            f"Give a local path with its drive, such as C:\\WsfcClusterBackup, for {option}.",
        )
    if not path.components:
        raise PolicyRefusal(
            f"{option} {quoted(value)} is the root of a drive, which cannot be given its own ACL "
            "and removed again.",
            f"Give a folder below the root, such as {path.drive}\\WsfcClusterBackup, for {option}.",
        )
    return path


def validate_share_name(value: object, option: str) -> str:
    """Check the name of a share the collection creates; return it unchanged."""
    if value is None or value == "":
        raise PolicyRefusal(
            f"{option} is empty: a share needs a name.",
            f"Set {option} to a name such as WsfcClusterBackup$ (a final $ hides it).",
        )
    if not isinstance(value, str):
        raise PolicyRefusal(
            f"{option} must be a string, not {type(value).__name__}.",
            f"Quote the value of {option}.",
        )
    _check_characters(value, option)
    bad = sorted({c for c in value if c in _ILLEGAL_SHARE_CHARACTERS})
    if bad:
        raise PolicyRefusal(
            f"{option} {quoted(value)} contains {quoted(''.join(bad))}, which a share name "
            "cannot hold "
            '(none of " / \\ [ ] : | < > + = ; , ? *).',
            f"Choose a name of letters, digits, - _ . and an optional final $ for {option}.",
        )
    if value != value.strip():
        raise PolicyRefusal(
            f"{option} {quoted(value)} starts or ends with white space.",
            f"Remove the spaces around the share name in {option}.",
        )
    if len(value) > _MAX_SHARE_NAME_LENGTH:
        raise PolicyRefusal(
            f"{option} is {len(value)} characters long; a share name must be shorter than 80.",
            f"Use a shorter name for {option}.",
        )
    if value.rstrip("$").upper() in _RESERVED_SHARE_NAMES:
        raise PolicyRefusal(
            f"{option} {quoted(value)} is a name Windows reserves (pipe, mailslot).",
            f"Choose another name for {option}, such as WsfcClusterBackup$.",
        )
    return value


def restore_lost_unc_backslash(text: str) -> str:
    """``\\server\\share`` for ``\\server\\share`` that lost its first backslash.

    A path that starts with one backslash has no drive, which no backup module accepts, so
    this reading is the only one that names a folder.
    """
    return "\\" + text if _HALF_UNC.match(text) else text


def validate_directory_name(value: object, option: str) -> str:
    """One directory name (a set's, a cluster's folder): no separator, no ``..``."""
    if not isinstance(value, str) or value == "":
        raise PolicyRefusal(
            f"{option} is {quoted(value)}, which is not a directory name.",
            f"Set {option} to a single name without backslashes.",
        )
    _check_characters(value, option)
    check_no_environment_variables(value, option)
    if "\\" in value or "/" in value:
        raise PolicyRefusal(
            f"{option} {quoted(value)} contains a path separator; it names one directory.",
            f"Give only the directory's own name in {option}, without backslashes.",
        )
    _check_component(value, f"{option} {quoted(value)}")
    return value


def check_no_environment_variables(value: str, option: str) -> None:
    """Refuse a ``%NAME%`` reference (see the module's docstring for why)."""
    match = _ENVIRONMENT_REFERENCE.search(value)
    if match is None:
        return
    reference, name = match.group(0), match.group(1)
    raise PolicyRefusal(
        f"{option} {quoted(value)} contains {reference}: environment variables are not expanded "
        f"in {option}. The collection's modules would use the name {reference} literally, "
        "while the ansible.windows modules the roles use expand it, so folders would be made "
        "in two places.",
        f"Give the expanded path: write out the value {name} has on the node instead of "
        f"{reference} (for example D:\\Backups rather than {reference}\\Backups).",
    )


def check_no_control_characters(value: str, option: str) -> None:
    """Refuse control characters, naming the escape that -e key=value decodes into one."""
    for position, char in enumerate(value):
        if ord(char) < 32 or ord(char) == 127:
            escape = _ESCAPE_OF_CONTROL.get(char)
            decoded = (
                f" ansible-playbook -e {option}=... decodes {escape} after a backslash into "
                "that character, so a folder whose name starts with "
                f"{escape[1]} loses its separator there."
                if escape
                else ""
            )
            raise PolicyRefusal(
                f"{option} contains the control character {quoted(char)} at position {position}; "
                "Windows does not allow control characters (newline, tab, ...) in a path."
                f"{decoded}",
                f"Remove the control character from {option}; on the command line pass the "
                f'value as JSON (-e \'{{"{option}": "C:\\\\Backups\\\\new"}}\'), '
                f"from a file (-e @vars.yml), or double every backslash after -e {option}=.",
            )


def _check_characters(value: str, option: str) -> None:
    check_no_control_characters(value, option)


def _validate_local(text: str, original: str, option: str) -> BackupPath:
    if len(text) >= 2 and text[1] == ":":
        letter = text[0]
        if not ("A" <= letter.upper() <= "Z" and letter.isascii()):
            raise PolicyRefusal(
                f"{option} {quoted(original)} starts with {quoted(text[:2])}, which is not a "
                "drive.",
                "Start the path with a drive letter A-Z and a colon, such as D:\\Backups.",
            )
        if len(text) == 2 or text[2] != "\\":
            raise PolicyRefusal(
                f"{option} {quoted(original)} names drive {text[:2]} without a backslash after it, "
                "which Windows reads as relative to the current directory on that drive.",
                f"Write the full path from the root of the drive, such as {text[:2]}\\Backups.",
            )
        drive = letter.upper() + ":"
        components = _split_components(text[3:], original, option)
        path = drive + "\\" + "\\".join(components)
        return BackupPath(LOCAL, path, drive, None, None, components)
    if text.startswith("\\"):
        raise PolicyRefusal(
            f"{option} {quoted(original)} has no drive letter, so it depends on the current drive.",
            "Give the drive, such as D:\\Backups, or a UNC path such as \\\\fs01\\share.",
        )
    raise PolicyRefusal(
        f"{option} {quoted(original)} is a relative path; the directory it names would depend on "
        "the working directory of the remote session.",
        "Give an absolute path, such as D:\\Backups, or a UNC path such as \\\\fs01\\share.",
    )


def _validate_unc(text: str, original: str, option: str) -> BackupPath:
    if text.startswith(("\\\\?\\", "\\\\.\\")):
        raise PolicyRefusal(
            f"{option} {quoted(original)} uses a Win32 device or extended-length prefix.",
            "Write the path without the \\\\?\\ or \\\\.\\ prefix, such as D:\\Backups.",
        )
    parts = text[2:].split("\\")
    if parts and parts[-1] == "":
        parts = parts[:-1]
    server = parts[0] if parts else ""
    if not server or not _SERVER_NAME.match(server):
        raise PolicyRefusal(
            f"{option} {quoted(original)} does not name a server after the two backslashes.",
            "Write a UNC path as \\\\server\\share, such as \\\\fs01\\clusterbackups.",
        )
    if len(parts) < 2 or parts[1] == "":
        raise PolicyRefusal(
            f"{option} {quoted(original)} names the server {server} but no share on it.",
            f"Add the share name: \\\\{server}\\<share>, such as \\\\{server}\\clusterbackups.",
        )
    share = parts[1]
    bad = sorted({c for c in share if c in _ILLEGAL_SHARE_CHARACTERS})
    if bad:
        raise PolicyRefusal(
            f"{option} {quoted(original)}: the share name {quoted(share)} contains "
            f"{quoted(''.join(bad))}, "
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
        _check_component(name, f"{option} {quoted(original)}")
    return components


def _check_component(name: str, where: str) -> None:
    if name == "":
        raise PolicyRefusal(
            f"{where} has two backslashes in a row (an empty directory name).",
            "Use a single backslash between directory names.",
        )
    if name in (".", ".."):
        raise PolicyRefusal(
            f"{where} contains the directory name {quoted(name)}, which refers to another "
            "directory instead of naming one.",
            "Write the path without . or .. components.",
        )
    if "\\" in name or "/" in name:
        raise PolicyRefusal(
            f"{where} contains a path separator inside a single name ({quoted(name)}).",
            "Pass each directory name separately.",
        )
    for char in name:
        if char in _ILLEGAL_NAME_CHARACTERS:
            raise PolicyRefusal(
                f"{where} contains {quoted(char)} in the name {quoted(name)}; Windows does not "
                "allow "
                '<>:"|?* in file or directory names (a colon only after the drive letter).',
                f"Remove {quoted(char)} from the path.",
            )
        if ord(char) < 32 or ord(char) == 127:
            raise PolicyRefusal(
                f"{where} contains the control character {quoted(char)}; Windows does not allow "
                "control characters in file or directory names.",
                "Remove the control character.",
            )
    if name[-1] in " .":
        raise PolicyRefusal(
            f"{where} has the name {quoted(name)}, which ends with a space or a dot; Windows "
            "silently drops those, so a different directory would be written.",
            "Remove the trailing spaces or dots from that directory name.",
        )
    if name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED_DEVICE_NAMES:
        raise PolicyRefusal(
            f"{where} uses {quoted(name)}, a name Windows reserves for a device.",
            "Choose another directory name (not CON, PRN, AUX, NUL, COM1-9 or LPT1-9).",
        )
    if len(name) > _MAX_COMPONENT_LENGTH:
        raise PolicyRefusal(
            f"{where} has a directory name of {len(name)} characters.",
            f"Use names of at most {_MAX_COMPONENT_LENGTH} characters.",
        )
