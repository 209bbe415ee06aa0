"""ansible.windows.setup: the facts `gather_facts` collects from a lab node.

Follows ansible.windows' setup.ps1 (3.3.0): the same spec (unknown arguments accepted as
raw), the same subset groups and gather_subset rules (`!x` excludes, an unknown name
warns), and the same ansible_facts keys for what the lab knows about a node
(world.node_facts: hostname, address, domain, os_name, os_version, os_release). The
hardware subsets (bios, memory, processor, uptime, virtual), winrm certificates and
facter have nothing behind them in the lab and add no facts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from wsfc_lab.emulation.framework.basic import EmulatedModule
from wsfc_lab.emulation.framework.node_environment import node_environment
from wsfc_lab.emulation.framework.registry import emulates

SPEC = {
    "options": {
        "_measure_subset": {"type": "bool", "default": False},
        "fact_path": {"type": "path"},
        "gather_subset": {"type": "list", "elements": "str", "default": "all"},
        "gather_timeout": {"type": "int", "default": 10},
    },
    "supports_check_mode": True,
}

# setup.ps1 $groupedSubsets.
SUBSET_GROUPS: dict[str, tuple[str, ...]] = {
    "min": (
        "date_time",
        "distribution",
        "dns",
        "env",
        "local",
        "platform",
        "powershell_version",
        "user",
    ),
    "network": (
        "all_ipv4_addresses",
        "all_ipv6_addresses",
        "interfaces",
        "windows_domain",
        "winrm",
    ),
    "hardware": ("bios", "memory", "processor", "uptime", "virtual"),
    "external": ("facter",),
}
ALL_SUBSETS = frozenset(name for group in SUBSET_GROUPS.values() for name in group)
# setup.ps1 adds "all" as a group of its own once it has collected the others.
SUBSET_GROUPS["all"] = tuple(sorted(ALL_SUBSETS))

# Windows PowerShell 5.1 is what every supported Windows Server runs Ansible with.
POWERSHELL_MAJOR_VERSION = 5


def selected_subsets(gather_subset: Iterable[str], module: EmulatedModule) -> set[str]:
    """setup.ps1's rules: start from all, remove the excluded, add the named."""
    explicit: set[str] = set()
    excluded: set[str] = set()
    for item in gather_subset:
        if item.startswith("!"):
            name = item[1:]
            if name == "all":
                excluded |= ALL_SUBSETS - set(SUBSET_GROUPS["min"])
            elif name in SUBSET_GROUPS:
                excluded |= set(SUBSET_GROUPS[name])
            elif name in ALL_SUBSETS:
                excluded.add(name)
            # An unknown exclusion is ignored, as POSIX setup does.
        elif item in SUBSET_GROUPS:
            explicit |= set(SUBSET_GROUPS[item])
        elif item in ALL_SUBSETS:
            explicit.add(item)
        else:
            module.warn(f"invalid value {item} specified in gather_subset")
    return (set(ALL_SUBSETS) - excluded) | explicit


def _user_sid(hostname: str, account: str) -> str:
    # A machine SID made from the host name, so that it stays the same across runs;
    # the built-in Administrator is RID 500, other accounts start at 1000.
    digest = hashlib.sha256(hostname.lower().encode()).digest()
    parts = [int.from_bytes(digest[i : i + 4], "little") for i in (0, 4, 8)]
    rid = 500 if account.lower() == "administrator" else 1000
    return "S-1-5-21-{}-{}-{}-{}".format(*parts, rid)


def _platform(facts: Mapping[str, Any]) -> dict[str, Any]:
    hostname = str(facts["hostname"])
    domain = str(facts.get("domain") or "")
    fqdn = f"{hostname}.{domain}" if domain else hostname
    return {
        "ansible_architecture": "64-bit",
        "ansible_architecture2": "x86_64",
        "ansible_domain": domain,
        "ansible_fqdn": fqdn,
        "ansible_hostname": hostname,
        "ansible_kernel": f"{facts['os_version']}.0",
        "ansible_machine_id": _user_sid(hostname, "Administrator").rsplit("-", 1)[0],
        "ansible_netbios_name": hostname.upper()[:15],
        "ansible_nodename": fqdn,
        "ansible_owner_contact": "",
        "ansible_owner_name": "",
        "ansible_reboot_pending": False,
        "ansible_system": "Win32NT",
        "ansible_system_description": "",
        "ansible_system_vendor": "Microsoft Corporation",
    }


def _distribution(facts: Mapping[str, Any]) -> dict[str, Any]:
    # [Environment]::OSVersion.Version has four parts (revision 0).
    version = f"{facts['os_version']}.0"
    return {
        "ansible_distribution": facts["os_name"],
        "ansible_distribution_major_version": version.split(".", maxsplit=1)[0],
        "ansible_distribution_version": version,
        "ansible_os_family": "Windows",
        "ansible_os_installation_type": "Server",
        "ansible_os_install_date": None,
        "ansible_os_name": facts["os_name"],
        "ansible_os_product_type": "server",
    }


def _date_time(now: datetime) -> dict[str, Any]:
    return {
        "ansible_date_time": {
            "date": now.strftime("%Y-%m-%d"),
            "day": now.strftime("%d"),
            "epoch": str(int(now.timestamp())),
            "epoch_int": int(now.timestamp()),
            "epoch_local": str(int(now.timestamp())),
            "hour": now.strftime("%H"),
            "iso8601": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "iso8601_basic": now.strftime("%Y%m%dT%H%M%S%f"),
            "iso8601_basic_short": now.strftime("%Y%m%dT%H%M%S"),
            "iso8601_micro": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "minute": now.strftime("%M"),
            "month": now.strftime("%m"),
            "second": now.strftime("%S"),
            "time": now.strftime("%H:%M:%S"),
            "tz": "UTC",
            "tz_offset": "+00:00",
            "weekday": now.strftime("%A"),
            "weekday_number": now.strftime("%w"),
            "weeknumber": now.strftime("%W"),
            "year": now.strftime("%Y"),
        }
    }


def _user(facts: Mapping[str, Any], environment: Mapping[str, str]) -> dict[str, Any]:
    return {
        "ansible_user_dir": environment["USERPROFILE"],
        "ansible_user_gecos": "",
        "ansible_user_id": environment["USERNAME"],
        "ansible_user_sid": _user_sid(str(facts["hostname"]), environment["USERNAME"]),
    }


def _windows_domain(facts: Mapping[str, Any]) -> dict[str, Any]:
    domain = str(facts.get("domain") or "")
    return {
        "ansible_windows_domain": domain or "WORKGROUP",
        "ansible_windows_domain_member": bool(domain),
        "ansible_windows_domain_role": "Member server" if domain else "Stand-alone server",
    }


def _interfaces(facts: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "ansible_interfaces": [
            {
                "connection_name": "Ethernet",
                "default_gateway": None,
                "dns_domain": facts.get("domain") or None,
                "interface_index": 1,
                "interface_name": "Microsoft Hyper-V Network Adapter",
                # One address: Select-Object yields a single object, not an array.
                "ipv4": {"address": facts["address"], "prefix": "8"},
                "ipv6": None,
                "macaddress": _mac_address(str(facts["hostname"])),
                "mtu": 1500,
                "speed": 10000,
            }
        ]
    }


def _mac_address(hostname: str) -> str:
    # Hyper-V's 00:15:5D prefix and three bytes from the host name.
    tail = hashlib.sha256(hostname.lower().encode()).digest()[:3]
    return ":".join(f"{byte:02X}" for byte in (0x00, 0x15, 0x5D, *tail))


def _local_facts(module: EmulatedModule, fact_path: str | None) -> dict[str, Any]:
    if not fact_path:
        return {}
    directory = module.world.resolve_path(module.node, fact_path)
    if not directory.exists():
        module.warn(f"Non existing path was set for local facts - {fact_path}")
        return {}
    facts: dict[str, Any] = {}
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix == ".json":
            facts[f"ansible_{path.stem}"] = json.loads(path.read_text(encoding="utf-8-sig"))
        elif path.is_file() and path.suffix == ".ps1":
            module.warn(f"the lab does not run PowerShell fact scripts: {path.name}")
    return facts


@emulates(
    "ansible.windows.setup",
    spec=SPEC,
    returns={"ansible_facts"},
    extra_option_type="raw",
)
def setup(module: EmulatedModule) -> None:
    gather_subset: list[str] = module.params["gather_subset"]
    subsets = selected_subsets(gather_subset, module)
    facts = module.world.node_facts(module.node)
    environment = module.environment or node_environment(facts, module.user)

    ansible_facts: dict[str, Any] = {"gather_subset": gather_subset, "module_setup": True}
    collectors = {
        "all_ipv4_addresses": lambda: {"ansible_ip_addresses": [facts["address"]]},
        "date_time": lambda: _date_time(datetime.now(UTC)),
        "distribution": lambda: _distribution(facts),
        "env": lambda: {"ansible_env": {k: v.rstrip("\\") for k, v in environment.items()}},
        "interfaces": lambda: _interfaces(facts),
        "local": lambda: _local_facts(module, module.params["fact_path"]),
        "platform": lambda: _platform(facts),
        "powershell_version": lambda: {"ansible_powershell_version": POWERSHELL_MAJOR_VERSION},
        "user": lambda: _user(facts, environment),
        "windows_domain": lambda: _windows_domain(facts),
    }
    if module.params["_measure_subset"]:
        ansible_facts["measure_info"] = {}
    for name, collect in collectors.items():
        # all_ipv4_addresses and all_ipv6_addresses share one collector in setup.ps1.
        if name in subsets or (name == "all_ipv4_addresses" and "all_ipv6_addresses" in subsets):
            ansible_facts.update(collect())
            if "measure_info" in ansible_facts:
                ansible_facts["measure_info"][name] = 0.0
    module.result["ansible_facts"] = ansible_facts
