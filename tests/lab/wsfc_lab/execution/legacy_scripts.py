"""The PowerShell scripts ansible-core 2.16 to 2.18 send where 2.19 sends exec wrapper scripts.

Before 2.19 the temporary directory, the user's home and the file transfers are plain
scripts, each sent as `PowerShell ... -EncodedCommand` (plugins/shell/powershell.py and
plugins/connection/winrm.py of those versions):
- bootstrap_wrapper.ps1 reads the exec wrapper and its manifest on stdin
  (legacy_payload.py);
- mkdtemp: `$tmp_path = [System.Environment]::ExpandEnvironmentVariables('<dir>')` (2.16
  and 2.17 do not escape quotes in <dir>; a remote_tmp with a quote breaks their script),
  `New-Item -Type Directory -Path $tmp_path -Name '<name>'`, its FullName on stdout;
- expand_user: `Write-Output (Get-Location).Path`, `... + '<rest>')` or `'<path>'`;
- put_file: a begin/process/end script that writes `$path` from the base64 lines on stdin
  and prints {"sha1": ...};
- fetch_file: one script per 512 KiB chunk with `$path`, `$buffer_size` and `$offset`.

Each is read into the ManifestAction the 2.19 scripts take (winrm_put_file.ps1 and the
others), so transfer.py does the work for both: the same world operations, faults and
outputs, which the two versions print alike (JSON from put_file, the base64 chunk or
"[DIR]" from fetch_file, the directory's full name from mkdtemp).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wsfc_lab.execution.command_classifier import script_lines
from wsfc_lab.execution.payload import ManifestAction

# PowerShell's single-quote characters; ShellModule._escape doubles each inside a string.
_QUOTES = "'\u2018\u2019\u201a\u201b"
_QUOTED = f"[{_QUOTES}](?P<{{name}}>(?:[^{_QUOTES}]|[{_QUOTES}]{{{{2}}}})*)[{_QUOTES}]"
_DOUBLED = re.compile(f"([{_QUOTES}])\\1")


def _quoted(name: str) -> str:
    return _QUOTED.format(name=name)


def _unescape(value: str) -> str:
    return _DOUBLED.sub(r"\1", value)


# bootstrap_wrapper.ps1 of 2.16-2.18: the lines that make up its stdin protocol (2.18 runs
# the first part as `& ([ScriptBlock]::Create($split_parts[0]))`, 2.16 and 2.17 through a
# variable; both read the manifest from $json_raw).
_BOOTSTRAP_MARKERS = (
    "$exec_wrapper_str = $input | Out-String",
    '$split_parts = $exec_wrapper_str.Split(@("`0`0`0`0"), 2, '
    "[StringSplitOptions]::RemoveEmptyEntries)",
    "Set-Variable -Name json_raw -Value $split_parts[1]",
)
_CONSOLE_ENCODING = (
    "try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding } catch {}"
)

_MKDTEMP_PATH = re.compile(
    r"\$tmp_path = \[System\.Environment\]::ExpandEnvironmentVariables\(" + _quoted("dir") + r"\)"
)
_MKDTEMP_ITEM = re.compile(
    r"\$tmp = New-Item -Type Directory -Path \$tmp_path -Name " + _quoted("name")
)
_MKDTEMP_OUTPUT = "Write-Output -InputObject $tmp.FullName"

_EXPAND_HOME = "Write-Output (Get-Location).Path"
_EXPAND_BELOW_HOME = re.compile(
    r"Write-Output \(\(Get-Location\)\.Path \+ " + _quoted("rest") + r"\)"
)
_EXPAND_OTHER = re.compile("Write-Output " + _quoted("path"))

_PATH_LINE = re.compile(r"\$path = " + _quoted("path"))
_PUT_FILE_MARKERS = (
    "$fd = [System.IO.File]::Create($path)",
    "$bytes = [System.Convert]::FromBase64String($input)",
    'Write-Output "{""sha1"":""$hash""}"',
)
_FETCH_MARKERS = (
    "If (Test-Path -LiteralPath $path -PathType Leaf)",
    "$bytes_read = $stream.Read($buffer, 0, $buffer_size)",
    "[System.Convert]::ToBase64String($bytes)",
)
_BUFFER_SIZE = re.compile(r"\$buffer_size = (?P<value>\d+)")
_OFFSET = re.compile(r"\$offset = (?P<value>\d+)")


@dataclass(frozen=True)
class LegacyBootstrap:
    """bootstrap_wrapper.ps1 of 2.16-2.18: exec_wrapper.ps1 and its manifest on stdin."""


@dataclass(frozen=True)
class LegacyTransfer:
    """A fixed script, as the 2.19 script that does the same (transfer.py runs it);
    `reads_stdin`: the data comes on stdin (put_file)."""

    action: ManifestAction
    reads_stdin: bool = False


LegacyScript = LegacyBootstrap | LegacyTransfer


def _first(pattern: re.Pattern[str], lines: list[str]) -> re.Match[str] | None:
    return next((m for line in lines if (m := pattern.fullmatch(line))), None)


def _mkdtemp(lines: list[str]) -> LegacyTransfer | None:
    # 2.18 sets the console's output encoding first.
    if lines and lines[0] == _CONSOLE_ENCODING:
        lines = lines[1:]
    if len(lines) != 3 or lines[2] != _MKDTEMP_OUTPUT:
        return None
    directory = _MKDTEMP_PATH.fullmatch(lines[0])
    item = _MKDTEMP_ITEM.fullmatch(lines[1])
    if directory is None or item is None:
        return None
    params = {"Directory": _unescape(directory["dir"]), "Name": _unescape(item["name"])}
    return LegacyTransfer(ManifestAction("powershell_mkdtemp.ps1", params))


def _expand_user(lines: list[str]) -> LegacyTransfer | None:
    if len(lines) != 1:
        return None
    # 2.18 sets the console's output encoding first.
    script = lines[0].removeprefix(_CONSOLE_ENCODING + "; ")
    if script == _EXPAND_HOME:
        path = "~"
    elif match := _EXPAND_BELOW_HOME.fullmatch(script):
        path = "~" + _unescape(match["rest"])
    elif match := _EXPAND_OTHER.fullmatch(script):
        path = _unescape(match["path"])
    else:
        return None
    return LegacyTransfer(ManifestAction("powershell_expand_user.ps1", {"Path": path}))


def _put_file(lines: list[str]) -> LegacyTransfer | None:
    if not all(marker in lines for marker in _PUT_FILE_MARKERS):
        return None
    path = _first(_PATH_LINE, lines)
    if path is None:
        return None
    action = ManifestAction("winrm_put_file.ps1", {"Path": _unescape(path["path"])})
    return LegacyTransfer(action, reads_stdin=True)


def _fetch_file(lines: list[str]) -> LegacyTransfer | None:
    if not all(marker in lines for marker in _FETCH_MARKERS):
        return None
    path = _first(_PATH_LINE, lines)
    buffer_size = _first(_BUFFER_SIZE, lines)
    offset = _first(_OFFSET, lines)
    if path is None or buffer_size is None or offset is None:
        return None
    params = {
        "Path": _unescape(path["path"]),
        "BufferSize": int(buffer_size["value"]),
        "Offset": int(offset["value"]),
    }
    return LegacyTransfer(ManifestAction("winrm_fetch_file.ps1", params))


def classify_legacy_script(script: str) -> LegacyScript | None:
    """What a 2.16-2.18 script is, or None when it is none of theirs."""
    lines = script_lines(script)
    if all(marker in lines for marker in _BOOTSTRAP_MARKERS):
        return LegacyBootstrap()
    for reader in (_mkdtemp, _expand_user, _put_file, _fetch_file):
        if (found := reader(lines)) is not None:
            return found
    return None
