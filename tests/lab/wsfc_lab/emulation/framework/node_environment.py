"""The process environment a WinRM command sees on a lab node, and %VARIABLE% expansion.

A WinRS shell runs with the connecting user's profile: %USERPROFILE% is
C:\\Users\\<user> and %TEMP% / %TMP% are <profile>\\AppData\\Local\\Temp. Ansible relies on
them: its remote_tmp for Windows is %TEMP% and powershell_expand_user.ps1 answers '~'
with the profile directory.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DEFAULT_USER = "Administrator"


def account_name(user: str) -> str:
    """The bare account name of 'DOMAIN\\user', 'user@domain' or 'user'."""
    return user.split("\\")[-1].split("@")[0] or DEFAULT_USER


def account_domain(user: str, facts: Mapping[str, object]) -> str:
    """The NetBIOS domain of the account: DOMAIN of DOMAIN\\user, the first label of the
    domain of user@domain, and the computer itself for a local account."""
    if "\\" in user:
        return user.split("\\")[0].upper()
    if "@" in user:
        return user.split("@")[1].split(".")[0].upper()
    return str(facts.get("hostname", "")).upper()


def node_environment(facts: Mapping[str, object], user: str = DEFAULT_USER) -> dict[str, str]:
    """The environment variables of a command run by `user` on the node of `facts`."""
    account = account_name(user)
    profile = f"C:\\Users\\{account}"
    temp = f"{profile}\\AppData\\Local\\Temp"
    hostname = str(facts.get("hostname", "")).upper()
    domain = str(facts.get("domain", "") or "")
    return {
        "ALLUSERSPROFILE": "C:\\ProgramData",
        "APPDATA": f"{profile}\\AppData\\Roaming",
        "COMPUTERNAME": hostname,
        "ComSpec": "C:\\Windows\\system32\\cmd.exe",
        "HOMEDRIVE": "C:",
        "HOMEPATH": f"\\Users\\{account}",
        "LOCALAPPDATA": f"{profile}\\AppData\\Local",
        "NUMBER_OF_PROCESSORS": "2",
        "OS": "Windows_NT",
        "Path": ";".join(
            (
                "C:\\Windows\\system32",
                "C:\\Windows",
                "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\",
            )
        ),
        "PROCESSOR_ARCHITECTURE": "AMD64",
        "ProgramData": "C:\\ProgramData",
        "ProgramFiles": "C:\\Program Files",
        "PUBLIC": "C:\\Users\\Public",
        "SystemDrive": "C:",
        "SystemRoot": "C:\\Windows",
        "TEMP": temp,
        "TMP": temp,
        "USERDNSDOMAIN": domain.upper(),
        "USERDOMAIN": account_domain(user, facts),
        "USERNAME": account,
        "USERPROFILE": profile,
        "windir": "C:\\Windows",
    }


def expand_environment_variables(text: str, environment: Mapping[str, str]) -> str:
    """[Environment]::ExpandEnvironmentVariables: %NAME% case-insensitively; unknown stay."""
    folded = {name.lower(): value for name, value in environment.items()}

    def replace(match: re.Match[str]) -> str:
        return folded.get(match.group(1).lower(), match.group(0))

    return re.sub(r"%([^%]+)%", replace, text)
