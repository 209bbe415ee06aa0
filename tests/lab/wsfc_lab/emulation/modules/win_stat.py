"""ansible.windows.win_stat: what a path is, its size and its checksum.

Follows win_stat.ps1 (ansible.windows 3.3.0): options path (aliases dest, name),
get_checksum, get_size, checksum_algorithm (md5, sha1, sha256, sha384, sha512) and
follow; the result `stat` holds exists and, for an existing item, the keys win_stat.ps1
sets (attributes, isdir, isreg, size, checksum for a file, sharename for a shared
directory, ...). ansible-core's fetch and other actions run it as ansible.legacy.stat
with ignore_unknown_opts, follow=true and get_size=false. The lab has no links, so
follow changes nothing. Reading goes through world.operation (Get-Item).
"""

from __future__ import annotations

from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates
from wsfc_lab.emulation.modules._windows_files import (
    CHECKSUM_ALGORITHMS,
    checksum,
    directory_size,
    item_info,
)
from wsfc_lab.world.windows_errors import WindowsError

SPEC = {
    "options": {
        "path": {"type": "path", "required": True, "aliases": ["dest", "name"]},
        "get_checksum": {"type": "bool", "default": True},
        "get_size": {"type": "bool", "default": True},
        "checksum_algorithm": {
            "type": "str",
            "default": "sha1",
            "choices": list(CHECKSUM_ALGORITHMS),
        },
        "follow": {"type": "bool", "default": False},
    },
    "supports_check_mode": True,
}


@emulates("ansible.windows.win_stat", spec=SPEC, returns={"stat"})
def win_stat(module: EmulatedModule) -> None:
    path: str = module.params["path"]
    module.result["stat"] = {"exists": False}
    module.world.operation(module.node, "Get-Item")
    real = module.world.resolve_path(module.node, path)
    if not real.exists():
        return
    stat: dict[str, Any] = item_info(module, path, real)
    if real.is_dir():
        if module.params["get_size"]:
            stat["size"] = directory_size(real)
    else:
        if module.params["get_checksum"]:
            try:
                module.world.check_access(module.node, path, module.user, "read")
            except WindowsError as error:
                module.fail_json(
                    "Failed to get hash of file, set get_checksum to False to ignore this "
                    f"error: {error.message}"
                )
            stat["checksum"] = checksum(real, module.params["checksum_algorithm"])
        if module.params["get_size"]:
            stat["size"] = real.stat().st_size
    module.result["stat"] = stat
