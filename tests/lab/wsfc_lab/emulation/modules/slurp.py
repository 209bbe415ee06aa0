"""ansible.windows.slurp: a file's bytes, base64 encoded.

Follows slurp.ps1 (ansible.windows 3.3.0): option src (alias path); `content` and
`encoding` ("base64"). A directory fails with "Path <src> is a directory", a missing
path with "Path <src> is not found" (fetch's action plugin looks for "not found").
ansible.builtin.slurp reaches this module on Windows hosts (ansible-core's routing
slurp.ps1 -> ansible.windows.slurp). Reading goes through world.operation
(ReadAllBytes) and the ACL check as the WinRM user.
"""

from __future__ import annotations

import base64

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.registry import emulates

SPEC = {
    "options": {
        "src": {"type": "path", "required": True, "aliases": ["path"]},
    },
    "supports_check_mode": True,
}


@emulates("ansible.windows.slurp", spec=SPEC, returns={"content", "encoding"})
def slurp(module: EmulatedModule) -> None:
    src: str = module.params["src"]
    real = module.world.resolve_path(module.node, src)
    if real.is_file():
        module.world.operation(module.node, "ReadAllBytes")
        module.world.check_access(module.node, src, module.user, "read")
        module.result["content"] = base64.b64encode(real.read_bytes()).decode("ascii")
        module.result["encoding"] = "base64"
    elif real.is_dir():
        module.fail_json(f"Path {src} is a directory")
    else:
        module.fail_json(f"Path {src} is not found")
