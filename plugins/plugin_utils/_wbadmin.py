# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsing of wbadmin's text output (the vss route).

The modules return wbadmin's stdout and stderr raw; the meaning is read here. wbadmin has no
machine-readable output, and Microsoft's wbadmin pages show none of the text it prints
(docs/windows-behaviour.md#wbadmin-get-versions, #wbadmin-get-items); nor do they say whether
that text follows the node's display language (#wbadmin-output-language). So what the
collection needs is read from what has one documented form, never from the wording:
- version identifiers, ``MM/DD/YYYY-HH:MM`` (#wbadmin-version-identifier), wherever they
  appear in ``wbadmin get versions``;
- the applications ``wbadmin get items`` lists, as the value after the ``=`` separator of
  their lines (see :func:`parse_get_items_applications`);
- the HRESULTs of failures (``0x8007xxxx``) and the exit code.
*Unconfirmed* (not in Microsoft's pages): that the identifier's format and the application
names (``Cluster``) stay the same in every display language. ``start recovery -items:cluster``
takes the name in that form on every system, which is why it is relied on.

The English labels that public transcripts show ("Backup time", "Version identifier", "Can
recover", "Snapshot ID", "Application") are read where they are present, as extra
information only: nothing depends on them. Where an English wording is relied on for a
message without a code it is marked *assumed* below.

*Unconfirmed*, as on the facts page: whether version identifiers are in UTC while the
"Backup time" line is in the node's local time; the lab follows that rule.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    ERROR_ACCESS_DENIED,
    ERROR_DIRECTORY,
    ERROR_DISK_FULL,
    win32_code_from_hresult,
)

_VERSION_ID = re.compile(r"(?<!\d)(\d{2})/(\d{2})/(\d{4})-(\d{2}):(\d{2})(?!\d)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z ()]*?)\s*[:=]\s*(.*?)\s*$")
# A ``<label> = <value>`` line of ``wbadmin get items``, its label in any script.
_ITEM_LINE = re.compile(r"^\s*([^=\s][^=]*?)\s*=\s*(\S.*?)\s*$")
_APPLICATION_LABEL = "application"
_ENGLISH_APPLICATION_COLON = re.compile(r"^\s*application\s*:\s*(\S.*?)\s*$", re.I | re.M)
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


def parse_get_versions(output: str) -> tuple[WbadminVersion, ...]:
    """Every version ``wbadmin get versions`` lists, oldest first.

    A version is any text in the documented identifier form ``MM/DD/YYYY-HH:MM``, wherever
    it stands: the labels around it may be in any display language. (The "Backup time" line
    does not have that form in the English transcripts: ``5/3/2018 9:36 AM``, with a space
    and a 12-hour clock.) Where English ``Key: value`` lines surround an identifier,
    its backup time, target, what it can recover and its snapshot ID are read from them too;
    they stay empty otherwise.
    """
    details = _english_version_details(output)
    versions: dict[str, WbadminVersion] = {}
    for match in _VERSION_ID.finditer(output or ""):
        version_id = match.group(0)
        if version_id in versions:
            continue
        block = details.get(version_id, {})
        can_recover = tuple(
            item.strip() for item in block.get("can recover", "").split(",") if item.strip()
        )
        versions[version_id] = WbadminVersion(
            version_id=version_id,
            created=parse_version_id(version_id),
            backup_time=block.get("backup time"),
            target=block.get("backup target") or block.get("backup location"),
            can_recover=can_recover,
            snapshot_id=block.get("snapshot id"),
        )
    return tuple(sorted(versions.values(), key=lambda v: v.created))


def _english_version_details(output: str) -> dict[str, dict[str, str]]:
    """The English ``Key: value`` lines of each version, by version identifier.

    A block starts at "Backup time" or at a key the current block already has (*assumed*
    wording, case-insensitive, from public transcripts): Backup time, Backup target /
    Backup location, Version identifier, Can recover, Snapshot ID.
    """
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for line in (output or "").splitlines():
        match = _KEY_VALUE.match(line)
        if not match:
            continue
        key = " ".join(match.group(1).lower().split())
        if key == "backup time" or key in current:
            if current:
                blocks.append(current)
            current = {}
        current[key] = match.group(2)
    if current:
        blocks.append(current)
    by_version: dict[str, dict[str, str]] = {}
    for block in blocks:
        found = _VERSION_ID.search(block.get("version identifier", ""))
        if found:
            by_version.setdefault(found.group(0), block)
    return by_version


def parse_get_items_applications(output: str) -> tuple[str, ...]:
    """The application names ``wbadmin get items -version:...`` lists (``Cluster``, ...).

    Microsoft shows no output (docs/windows-behaviour.md#wbadmin-get-items). Public
    transcripts of other servers' system state backups (none of a cluster node was found)
    list each application as a block of ``<label> = <value>`` lines, ``Application = AD``
    first and its ``Component = ntds`` after it, blocks apart by an empty line; *assumed*
    the same for ``Cluster``. The name is the value after the separator. Which lines carry it:
    - those labelled ``Application`` (English, any case; ``:`` tolerated for ``=``) when the
      output has any;
    - otherwise, in another display language, those whose label heads the most blocks:
      every application block starts with the same label, whatever the language, while a
      line of another kind (a volume) heads one block at most. *Unconfirmed*: that a
      localized wbadmin keeps this shape.
    """
    blocks: list[list[tuple[str, str]]] = [[]]
    for line in (output or "").splitlines():
        match = _ITEM_LINE.match(line)
        if match is None:
            if not line.strip() and blocks[-1]:
                blocks.append([])
            continue
        label = " ".join(match.group(1).split()).casefold()
        blocks[-1].append((label, match.group(2)))
    english = [value for block in blocks for label, value in block if label == _APPLICATION_LABEL]
    english += [m.group(1) for m in _ENGLISH_APPLICATION_COLON.finditer(output or "") if m.group(1)]
    if english:
        return tuple(dict.fromkeys(english))
    heads = Counter(block[0][0] for block in blocks if block)
    if not heads:
        return ()
    # most_common keeps the first-seen label among equals: the order wbadmin printed them.
    (label, _count), *_others = heads.most_common(1)
    return tuple(dict.fromkeys(value for block in blocks for key, value in block if key == label))


def lists_cluster_application(items_output: str) -> bool:
    """Whether ``wbadmin get items`` lists the Cluster application: the one ``wbadmin start
    recovery -itemtype:app -items:cluster`` restores
    (docs/windows-behaviour.md#wbadmin-start-recovery), so a backup without it cannot restore
    the cluster database."""
    return any(name.casefold() == "cluster" for name in parse_get_items_applications(items_output))


def error_lines(output: str) -> tuple[str, ...]:
    """The text of the ``ERROR - ...`` lines of a wbadmin output (*assumed* English prefix,
    as the two messages quoted in KB 944530 have: docs/windows-behaviour.md#wbadmin-exit-codes)."""
    return tuple(m.group(1) for m in _ERROR_LINE.finditer(output or ""))


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
