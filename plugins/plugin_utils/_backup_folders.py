# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ``backup_folders`` may be asked, and what its codes mean.

The folders are checked as backup directories (``_paths.validate_backup_path``): a path the
node would read differently from how it is written is refused before the node is
contacted. A folder named twice, or a rule that names the same account twice for one
folder, is refused too: the two could contradict each other, and the module would apply
them in order.
"""

from __future__ import annotations

import typing as t
from collections.abc import Mapping, Sequence

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._errors import (
    BACKUP,
    ERROR_DIRECTORY,
    ERROR_NONE_MAPPED,
    ErrorExplanation,
    explain_win32_error,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paths import (
    quoted,
    validate_backup_path,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

RIGHTS = ("FullControl", "Modify")
RULE_STATES = ("absent", "present")


def check_folders(folders: Sequence[Mapping[str, t.Any]]) -> list[dict[str, t.Any]]:
    """The folders as the module takes them: each path normalised, each rule whole."""
    if not folders:
        raise PolicyRefusal(
            "folders is empty: there is no folder to prepare.",
            "Name at least one folder, with its path and its access rules.",
        )
    checked: list[dict[str, t.Any]] = []
    seen: set[str] = set()
    for index, folder in enumerate(folders):
        option = f"folders[{index}].path"
        validated = validate_backup_path(folder.get("path"), option)
        if not validated.components:
            # A drive root or a share's root: protecting its ACL would shut every other
            # folder on it off from the rules inherited from there.
            raise PolicyRefusal(
                f"{option} {quoted(validated.path)} is the root of a drive or a share.",
                "Name a folder below it, such as D:\\Backups\\CLU01, for the sets.",
            )
        path = validated.path
        if path.casefold() in seen:
            raise PolicyRefusal(
                f"{option} {quoted(path)} is named twice.",
                "Name each folder once, with all of its rules.",
            )
        seen.add(path.casefold())
        accounts: set[str] = set()
        for rule in folder.get("access") or []:
            account = str(rule.get("account") or "").strip()
            if not account:
                raise PolicyRefusal(
                    f"A rule of {option} {quoted(path)} names no account.",
                    "Give each rule an account, such as BUILTIN\\Administrators.",
                )
            if account.casefold() in accounts:
                raise PolicyRefusal(
                    f"The account {quoted(account)} has two rules for {quoted(path)}.",
                    "Give each account one rule per folder.",
                )
            accounts.add(account.casefold())
        checked.append({"path": path, "access": list(folder.get("access") or [])})
    return checked


def explain_folders_failure(result: Mapping[str, t.Any]) -> ErrorExplanation | None:
    """The explanation of the module's error code, or None when it reported none."""
    code = result.get("error_code")
    if code is None:
        return None
    node = t.cast("str | None", result.get("node_name"))
    if code == ERROR_DIRECTORY:
        files = ", ".join(result.get("not_directories") or [])
        return explain_win32_error(ERROR_DIRECTORY, BACKUP, path=files, node=node)
    if code == ERROR_NONE_MAPPED:
        accounts = ", ".join(result.get("unresolved_accounts") or [])
        return explain_win32_error(ERROR_NONE_MAPPED, BACKUP, path=accounts, node=node)
    reports = result.get("folders") or []
    failed = reports[-1]["path"] if reports else None
    return explain_win32_error(int(code), BACKUP, path=failed, node=node)
