"""Classify a WinRS command line: what kind of command it is and what it carries.

ansible-core's PowerShell shell plugin (ansible/plugins/shell/powershell.py) sends every
command as `PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted
-EncodedCommand <base64 of UTF-16-LE>`. `_encode_script` strips each line and drops the
blank ones, and (unless told not to) puts `Set-StrictMode -Version Latest` first and an
exit-code line last. The scripts it sends this way:
- bootstrap_wrapper.ps1, for modules and for the fixed exec wrapper scripts (put_file,
  fetch_file, mkdtemp, expand_user), with the payload on stdin;
- `Remove-Item '<tmp dir>' -Force -Recurse;` to clean up its temporary directory;
- anything a user runs with the raw module.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

POWERSHELL_PROGRAMS = frozenset({"powershell", "pwsh"})

# powershell.py _encode_script: the first and last lines it adds.
STRICT_MODE_LINE = "Set-StrictMode -Version Latest"
PRESERVE_RC_LINE = (
    "If (-not $?) { If (Get-Variable LASTEXITCODE -ErrorAction SilentlyContinue) "
    "{ exit $LASTEXITCODE } Else { exit 1 } }"
)

# The lines of bootstrap_wrapper.ps1 that make up its stdin protocol: read JSON up to
# the NUL marker line, then run the script it names with the rest of the input. Each
# marker is one of its forms: 2.19's (and 2.20's), then 2.21's (which also reads the input
# from a file named by -InputFile, into $inputData).
_BOOTSTRAP_MARKERS = (
    ('if ([string]::Equals($in, "`0`0`0`0")) {',),
    ("$code = ConvertFrom-Json -InputObject $codeJson", "$code = $codeJson | ConvertFrom-Json"),
    ("$input | & $cmd @splat", "$inputData | & $cmd @splat"),
)

# powershell.py ShellModule.remove; _escape doubles single quotes (and their typographic
# variants) inside the quoted path.
_REMOVE_ITEM = re.compile(
    "Remove-Item '(?P<path>(?:[^'\u2018\u2019\u201a\u201b]|'')*)' -Force(?P<recurse> -Recurse)?;"
)


@dataclass(frozen=True)
class Command:
    """A WinRS command: argv[0] without .exe in lower case, and the rest."""

    program: str
    arguments: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join((self.program, *self.arguments)).strip()


@dataclass(frozen=True)
class BootstrapScript:
    """bootstrap_wrapper.ps1: the exec wrapper payload comes on stdin."""


@dataclass(frozen=True)
class RemoveItemScript:
    path: str
    recurse: bool


@dataclass(frozen=True)
class OtherScript:
    """Any PowerShell the lab does not emulate; `text` is the decoded script."""

    text: str


PowerShellScript = BootstrapScript | RemoveItemScript | OtherScript


def parse_command(command: str, arguments: list[str]) -> Command:
    program = command.strip().strip('"')
    program = program.replace("/", "\\").split("\\")[-1].lower().removesuffix(".exe")
    return Command(program=program, arguments=tuple(arguments))


def _is_encoded_command_switch(argument: str) -> bool:
    # PowerShell accepts any unambiguous prefix: -e, -ec and -en... mean -EncodedCommand
    # (-ex is -ExecutionPolicy).
    name = argument.lower().lstrip("-/")
    if not argument.startswith(("-", "/")) or not name:
        return False
    return name in ("e", "ec") or (name.startswith("en") and "encodedcommand".startswith(name))


def encoded_script(command: Command) -> str | None:
    """The decoded -EncodedCommand script of a PowerShell command line, if it has one."""
    if command.program not in POWERSHELL_PROGRAMS:
        return None
    arguments = list(command.arguments)
    for index, argument in enumerate(arguments[:-1]):
        if _is_encoded_command_switch(argument):
            try:
                return base64.b64decode(arguments[index + 1], validate=True).decode("utf-16-le")
            except (binascii.Error, UnicodeDecodeError):
                return None
    return None


def inner_command(command: Command) -> Command:
    """The PowerShell command a PowerShell command line runs, when that is all it runs.

    ansible-core 2.16 to 2.18 send every command of the shell plugin (a `PowerShell ...
    -EncodedCommand` line itself) through winrm's exec_command, which encodes that line
    once more (`_encode_script(cmd, strict_mode=False, preserve_rc=False)`): the outer
    PowerShell only starts the inner one, which reads the same stdin and whose output and
    exit code are the command's. 2.19 sends the inner line itself.
    """
    script = encoded_script(command)
    if script is None:
        return command
    lines = script_lines(script)
    parts = lines[0].split() if len(lines) == 1 else []
    if not parts:
        return command
    inner = parse_command(parts[0], parts[1:])
    return inner_command(inner) if encoded_script(inner) is not None else command


def script_lines(script: str) -> list[str]:
    """The script's meaningful lines, without the lines _encode_script adds."""
    lines = [line.strip() for line in script.splitlines() if line.strip()]
    if lines and lines[0] == STRICT_MODE_LINE:
        lines = lines[1:]
    if lines and lines[-1] == PRESERVE_RC_LINE:
        lines = lines[:-1]
    return lines


def classify_script(script: str) -> PowerShellScript:
    lines = script_lines(script)
    if all(any(form in lines for form in marker) for marker in _BOOTSTRAP_MARKERS):
        return BootstrapScript()
    if len(lines) == 1 and (match := _REMOVE_ITEM.fullmatch(lines[0])):
        return RemoveItemScript(
            path=match.group("path").replace("''", "'"), recurse=bool(match.group("recurse"))
        )
    return OtherScript(text=script)
