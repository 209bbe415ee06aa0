"""ansible.windows.win_ping: what `ansible -m win_ping` and wait_for_connection run.

Follows ansible.windows' win_ping.ps1 (3.3.0): option `data` (default "pong") comes
back as `ping`; the value "crash" makes the module throw "boom", which the exec wrapper
reports as an unhandled exception.
"""

from wsfc_lab.emulation.framework.basic import EmulatedModule, UnhandledModuleException
from wsfc_lab.emulation.framework.registry import emulates

SPEC = {
    "options": {
        "data": {"type": "str", "default": "pong"},
    },
    "supports_check_mode": True,
}


@emulates("ansible.windows.win_ping", spec=SPEC, returns={"ping"})
def win_ping(module: EmulatedModule) -> None:
    data = module.params["data"]
    if data == "crash":
        raise UnhandledModuleException("boom")
    module.result["ping"] = data
