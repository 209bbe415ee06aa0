# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing of wbadmin's text output (the vss route).

The modules return wbadmin's stdout and stderr raw; the meaning is read here. wbadmin has no
machine-readable output, so these parsers read the English text that the Windows Server
documentation shows for ``wbadmin get versions``, ``wbadmin get items`` and ``wbadmin
start systemstatebackup`` / ``start backup`` / ``start recovery``, and stay tolerant:
spacing, letter case, the order of the lines and unknown lines do not matter. Where an exact
wording is an assumption it is marked *assumed* below. Output in other display languages is
not understood beyond the version identifiers and the hexadecimal error codes.

Version identifiers are ``MM/DD/YYYY-HH:MM`` (wbadmin docs: ``wbadmin get versions``).
*Assumed:* they are in UTC while the "Backup time" line is in the node's local time; the
lab follows the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils.errors import (
    ERROR_ACCESS_DENIED,
    ERROR_DIRECTORY,
    ERROR_DISK_FULL,
    win32_code_from_hresult,
)

_VERSION_ID = re.compile(r"(?<!\d)(\d{2})/(\d{2})/(\d{4})-(\d{2}):(\d{2})(?!\d)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z ()]*?)\s*[:=]\s*(.*?)\s*$")
_HRESULT = re.compile(r"0x([0-9A-Fa-f]{8})\b")
_ERROR_LINE = re.compile(r"^\s*ERROR\s*[-:]\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
_LOG_FILE = re.compile(r"^\s*([A-Za-z]:\\\S.*?\.log)\s*$", re.IGNORECASE | re.MULTILINE)
_SUCCESS = re.compile(r"\b(?:successfully completed|completed successfully)\b", re.IGNORECASE)
_NOT_RECOGNIZED = re.compile(
    r"wbadmin(?:\.exe)?'?\s*(?:is not recognized|: The term)|"
    r"The term 'wbadmin(?:\.exe)?' is not recognized",
    re.IGNORECASE,
)
# *Assumed* English messages that come without a code, mapped to the Win32 code they mean.
_MESSAGE_CODES = (
    (re.compile(r"access is denied", re.IGNORECASE), ERROR_ACCESS_DENIED),
    (re.compile(r"not enough (?:free )?space on the disk", re.IGNORECASE), ERROR_DISK_FULL),
    (re.compile(r"the directory name is invalid", re.IGNORECASE), ERROR_DIRECTORY),
)


class WbadminParseError(ValueError):
    """Text that is not what wbadmin prints where it was expected."""


@dataclass(frozen=True)
class WbadminVersion:
    """One backup version from ``wbadmin get versions``."""

    version_id: str
    created: datetime
    backup_time: str | None = None
    target: str | None = None
    can_recover: tuple[str, ...] = ()
    snapshot_id: str | None = None

    @property
    def can_recover_applications(self) -> bool:
        return any(item.casefold().startswith("application") for item in self.can_recover)


@dataclass(frozen=True)
class WbadminRun:
    """The outcome of a ``wbadmin start ...`` run, read from its output and exit code."""

    succeeded: bool
    version_id: str | None
    error_text: str | None
    hresult: int | None
    win32_code: int | None
    feature_missing: bool
    log_files: tuple[str, ...] = ()


def parse_version_id(text: str) -> datetime:
    """The time (UTC, assumed) a version identifier ``MM/DD/YYYY-HH:MM`` stands for."""
    match = _VERSION_ID.fullmatch(text.strip()) if isinstance(text, str) else None
    if not match:
        raise WbadminParseError(
            f"{text!r} is not a wbadmin version identifier (MM/DD/YYYY-HH:MM, such as "
            "11/22/2026-02:03)"
        )
    month, day, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=UTC)
    except ValueError as err:
        raise WbadminParseError(f"{text!r} is not a valid date and time: {err}") from err


def format_version_id(moment: datetime) -> str:
    """The version identifier for a time (converted to UTC, to the minute)."""
    return moment.astimezone(UTC).strftime("%m/%d/%Y-%H:%M")


def parse_get_versions(output: str) -> tuple[WbadminVersion, ...]:
    """Every version ``wbadmin get versions`` lists, oldest first.

    A version is a block of ``Key: value`` lines; a block starts at "Backup time" or at a
    version identifier that follows one. Keys read (*assumed* wording, case-insensitive):
    Backup time, Backup target / Backup location, Version identifier, Can recover,
    Snapshot ID.
    """
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in output.splitlines():
        match = _KEY_VALUE.match(line)
        if not match:
            continue
        key = " ".join(match.group(1).lower().split())
        value = match.group(2)
        if key == "backup time" or key in current:
            if current:
                blocks.append(current)
            current = {}
        current[key] = value
    if current:
        blocks.append(current)

    versions = []
    for block in blocks:
        version_text = block.get("version identifier")
        if not version_text:
            continue
        created = parse_version_id(version_text)
        can_recover = tuple(
            item.strip() for item in block.get("can recover", "").split(",") if item.strip()
        )
        versions.append(
            WbadminVersion(
                version_id=version_text.strip(),
                created=created,
                backup_time=block.get("backup time"),
                target=block.get("backup target") or block.get("backup location"),
                can_recover=can_recover,
                snapshot_id=block.get("snapshot id"),
            )
        )
    versions.sort(key=lambda v: v.created)
    return tuple(versions)


def parse_get_items_applications(output: str) -> tuple[str, ...]:
    """The application names ``wbadmin get items -version:...`` lists (``Cluster``, ...).

    *Assumed* wording: one ``Application = <name>`` line per application (spacing and ``:``
    instead of ``=`` tolerated).
    """
    names = []
    for line in output.splitlines():
        match = _KEY_VALUE.match(line)
        if match and match.group(1).strip().lower() == "application" and match.group(2):
            if match.group(2) not in names:
                names.append(match.group(2))
    return tuple(names)


def version_created_since(
    versions: Iterable[WbadminVersion], started: datetime
) -> WbadminVersion | None:
    """The newest version created at or after ``started`` (a backup this run made).

    Version identifiers have minute resolution, so ``started`` is compared to the minute.
    """
    floor = started.astimezone(UTC).replace(second=0, microsecond=0)
    candidates = [v for v in versions if v.created >= floor]
    return max(candidates, key=lambda v: v.created) if candidates else None


def parse_run_output(stdout: str, stderr: str = "", exit_code: int | None = None) -> WbadminRun:
    """Read a ``wbadmin start systemstatebackup`` / ``start backup`` / ``start recovery`` run.

    Success: exit code 0 (when known), no ``ERROR -`` line, and (when the exit code is
    unknown) a "successfully completed" line (*assumed* wording). The version identifier is
    taken from the output when it shows one; otherwise call ``get versions`` and use
    :func:`version_created_since`.
    """
    text = "\n".join(part for part in (stdout, stderr) if part)
    feature_missing = bool(_NOT_RECOGNIZED.search(text))
    errors = [m.group(1) for m in _ERROR_LINE.finditer(text)]
    hresult = None
    hresult_match = _HRESULT.search("\n".join(errors) or text)
    if hresult_match:
        hresult = int(hresult_match.group(1), 16)
    win32 = win32_code_from_hresult(hresult) if hresult is not None else None
    if win32 is None:
        for pattern, code in _MESSAGE_CODES:
            if pattern.search("\n".join(errors) or text):
                win32 = code
                break
    if exit_code is None:
        succeeded = bool(_SUCCESS.search(text)) and not errors and not feature_missing
    else:
        succeeded = exit_code == 0 and not errors and not feature_missing
    error_text = None
    if not succeeded:
        if errors:
            error_text = " ".join(errors)
        elif feature_missing:
            error_text = "wbadmin is not installed (the Windows Server Backup feature is missing)"
        else:
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            error_text = lines[-1] if lines else f"wbadmin exited with code {exit_code}"
    version = _VERSION_ID.search(stdout or "")
    return WbadminRun(
        succeeded=succeeded,
        version_id=version.group(0) if version else None,
        error_text=error_text,
        hresult=hresult,
        win32_code=win32,
        feature_missing=feature_missing,
        log_files=tuple(m.group(1) for m in _LOG_FILE.finditer(text)),
    )
