"""Each ansible.windows emulation takes the options the module documents (ansible.windows
3.3.0 under .cache/collections): names, aliases, types, defaults and choices. Where the
PowerShell module itself differs from its documentation, the emulation follows the
PowerShell and the difference is listed here."""

from pathlib import Path

import pytest
import yaml
from wsfc_lab.emulation import returns_of, spec_of

ROOT = Path(__file__).resolve().parents[3]
MODULES = ROOT / ".cache/collections/ansible_collections/ansible/windows/plugins/modules"

EMULATED = [
    "slurp",
    "win_acl",
    "win_acl_inheritance",
    "win_copy",
    "win_feature_info",
    "win_file",
    "win_find",
    "win_service",
    "win_share",
    "win_stat",
]
# Options the .ps1 reads that are not documented: the action plugins' internal ones.
UNDOCUMENTED = {
    "win_copy": {"_copy_mode", "_original_basename", "files", "directories", "symlinks"},
    "win_file": {"_original_basename"},
}
# (module, option, property): the .ps1 differs from the documentation.
PS1_DIFFERS = {
    ("win_acl", "inherit", "choices"),  # Get-AnsibleParam without -validateset
    ("win_share", "description", "default"),  # "" in the .ps1
    ("win_share", "read", "default"),
    ("win_share", "change", "default"),
    ("win_share", "full", "default"),
    ("win_share", "deny", "default"),
    ("win_service", "failure_reset_period_sec", "type"),  # a [UInt32] converter
    ("win_service", "pre_shutdown_timeout_ms", "type"),
}


def documentation(module):
    source = MODULES / f"{module}.py"
    if source.exists():
        namespace = {}
        exec(compile(source.read_text(), str(source), "exec"), namespace)
        returns = yaml.safe_load(namespace.get("RETURN") or "{}")
        return yaml.safe_load(namespace["DOCUMENTATION"]), returns
    data = yaml.safe_load((MODULES / f"{module}.yml").read_text())
    return data["DOCUMENTATION"], data["RETURN"]


def normalised(option, prop):
    value = option.get(prop)
    if prop == "choices" and value is not None:
        return sorted(str(v) for v in value)
    if prop == "aliases":
        return sorted(value or [])
    if prop == "type":
        return value or "str"
    return value


@pytest.mark.parametrize("module", EMULATED)
def test_the_options_are_the_documented_ones(module):
    doc, _returns = documentation(module)
    spec = spec_of(f"ansible.windows.{module}")["options"]
    assert set(spec) - UNDOCUMENTED.get(module, set()) == set(doc["options"])
    for name, documented in doc["options"].items():
        for prop in ("type", "aliases", "default", "choices"):
            if (module, name, prop) in PS1_DIFFERS:
                continue
            assert normalised(spec[name], prop) == normalised(documented, prop), (name, prop)


@pytest.mark.parametrize("module", EMULATED)
def test_the_result_keys_are_documented(module):
    _doc, returns = documentation(module)
    documented = set(returns or {}) - {"changed"}
    # win_copy's query mode answers the action plugin with files/directories/symlinks.
    internal = {"files", "directories", "symlinks"} if module == "win_copy" else set()
    assert returns_of(f"ansible.windows.{module}") - internal == documented - NOT_SET_BY_PS1


# Documented result keys that the .ps1 never sets (slurp.ps1 sets content and encoding only).
NOT_SET_BY_PS1 = {"source"}
