"""The contract check: each PowerShell module agrees with its documentation and its emulation.

Usage: python tests/static/check_contract.py [--collection-root DIR]

For every plugins/modules/<m>.ps1 it compares three declarations and reports each drift,
naming the module, the key and the sides that differ:
  - the PowerShell module: its Ansible.Basic spec (`$spec = @{...}`) and the result keys
    it sets (`$module.Result.<key> = ...`, `$module.Result["<key>"] = ...`);
  - the documentation plugins/modules/<m>.py: options, check_mode support and RETURN
    keys; RETURN must list exactly the PowerShell result keys plus the keys the action
    plugin plugins/action/<m>.py declares in ADDED_RESULT_KEYS; its options must be the
    spec's options plus the controller-only ones the action plugin declares in
    ADDED_OPTIONS (documented, never in the PowerShell spec). An action plugin that keeps
    each phase's raw result under one key (RAW_RESULTS_KEY) has RETURN's top level list
    exactly ADDED_RESULT_KEYS, and the PowerShell result keys documented under that key
    (the union of its phases' `contains`);
  - the lab's emulation of `<namespace>.<collection>.<m>` (wsfc_lab.emulation.framework.registry,
    docs/lab.md Contract 2): the same spec, and the same result keys as the PowerShell
    module (the action plugin runs on the controller in front of both).
Keys every result may carry (changed, failed, msg, ...) are left out of the comparison.
Exits 1 on any drift.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import yaml
from contract_compare import (
    STANDARD_RESULT_KEYS,
    Drift,
    Side,
    compare_check_mode,
    compare_keys,
    compare_options,
    normalise_options,
)
from module_docs import (
    DocsReadError,
    nested_return_keys,
    read_added_options,
    read_added_result_keys,
    read_module_docs,
    read_raw_results_key,
)
from pwsh_spec import SpecReadError, read_powershell_module
from repo_files import REPO_ROOT


class EmulationRegistry(Protocol):
    """What the contract check reads from the lab (docs/lab.md, Contract 2)."""

    def emulated_modules(self) -> list[str]: ...

    def spec_of(self, fqcn: str) -> Mapping[str, Any]: ...

    def returns_of(self, fqcn: str) -> Iterable[str]: ...


def collection_name(root: Path) -> str:
    galaxy = yaml.safe_load((root / "galaxy.yml").read_text(encoding="utf-8"))
    return f"{galaxy['namespace']}.{galaxy['name']}"


def check_module(
    root: Path, module: str, collection: str, registry: EmulationRegistry
) -> Iterator[Drift]:
    """Every drift between the declarations of one module."""
    powershell_path = root / "plugins" / "modules" / f"{module}.ps1"
    docs_path = root / "plugins" / "modules" / f"{module}.py"
    action_path = root / "plugins" / "action" / f"{module}.py"
    fqcn = f"{collection}.{module}"
    powershell = Side(f"the PowerShell spec ({powershell_path.relative_to(root)})")
    powershell_results = Side(f"the PowerShell module ({powershell_path.relative_to(root)})")
    docs = Side(f"the documentation ({docs_path.relative_to(root)})")
    emulation = Side(f"the lab emulation ({fqcn})")

    try:
        declared = read_powershell_module(powershell_path.read_bytes())
    except SpecReadError as error:
        yield Drift(module, "PowerShell spec", f"cannot be read from {powershell_path}: {error}")
        return
    for computed in declared.computed_result_keys:
        yield Drift(
            module,
            f"result key {computed.source}",
            f"named at run time at {powershell_path.relative_to(root)}:{computed.line};"
            " set each result key by its literal name so that it can be checked",
        )
    spec = declared.spec
    spec_options = normalise_options(_mapping(spec.get("options")), "options")
    spec_check_mode = spec.get("supports_check_mode", False)

    if not docs_path.is_file():
        yield Drift(module, "documentation", f"missing: no {docs_path.relative_to(root)}")
    else:
        try:
            documented = read_module_docs(docs_path, collection)
            added = read_added_result_keys(action_path, collection)
            controller_options = read_added_options(action_path, collection)
            raw_key = read_raw_results_key(action_path)
            raw_documented = (
                nested_return_keys(documented.returns, raw_key) if raw_key is not None else None
            )
        except (DocsReadError, SyntaxError) as error:
            yield Drift(module, "documentation", f"cannot be read: {error}")
        else:
            doc_options = normalise_options(documented.options, "suboptions")
            yield from _compare_controller_options(
                module, controller_options, spec_options, doc_options, action_path, docs
            )
            doc_options = {
                name: value for name, value in doc_options.items() if name not in controller_options
            }
            yield from compare_options(module, spec_options, doc_options, (powershell, docs))
            yield from compare_check_mode(
                module, spec_check_mode, documented.supports_check_mode, (powershell, docs)
            )
            if raw_key is None or raw_documented is None:
                yield from _compare_documented_returns(
                    module, declared.result_keys, added, documented.return_keys, action_path, docs
                )
            else:
                yield from _compare_raw_results_returns(
                    module,
                    declared.result_keys,
                    added,
                    (documented.return_keys, raw_documented),
                    raw_key,
                    action_path,
                    docs,
                )

    if fqcn not in registry.emulated_modules():
        yield Drift(module, "lab emulation", f"missing: the lab emulates no {fqcn}")
        return
    emulated_spec = _mapping(registry.spec_of(fqcn))
    emulated_options = normalise_options(_mapping(emulated_spec.get("options")), "options")
    yield from compare_options(module, spec_options, emulated_options, (powershell, emulation))
    yield from compare_check_mode(
        module, spec_check_mode, emulated_spec.get("supports_check_mode", False),
        (powershell, emulation),
    )  # fmt: skip
    yield from compare_keys(
        module, declared.result_keys, registry.returns_of(fqcn), (powershell_results, emulation)
    )


def _compare_controller_options(
    module: str,
    controller_options: frozenset[str],
    spec_options: Mapping[str, Any],
    doc_options: Mapping[str, Any],
    action_path: Path,
    docs: Side,
) -> Iterator[Drift]:
    """A controller-only option is documented and is not in the PowerShell spec."""
    for name in sorted(controller_options):
        if name not in doc_options:
            yield Drift(
                module,
                f"option {name!r}",
                f"in ADDED_OPTIONS of plugins/{action_path.parent.name}/{action_path.name},"
                f" missing in {docs.label}",
            )
        if name in spec_options:
            yield Drift(
                module,
                f"option {name!r}",
                f"in ADDED_OPTIONS of plugins/{action_path.parent.name}/{action_path.name}"
                " (controller only) and in the PowerShell spec",
            )


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _compare_documented_returns(
    module: str,
    powershell_keys: frozenset[str],
    added_keys: frozenset[str],
    documented_keys: frozenset[str],
    action_path: Path,
    docs: Side,
) -> Iterator[Drift]:
    """RETURN must list exactly the PowerShell result keys plus ADDED_RESULT_KEYS."""
    action = f"{action_path.parent.name}/{action_path.name}"
    documented = documented_keys - STANDARD_RESULT_KEYS
    yield from _result_key_drifts(
        module,
        (
            powershell_keys - documented - STANDARD_RESULT_KEYS,
            f"set by the PowerShell module, missing in {docs.label}",
        ),
        (
            added_keys - documented - STANDARD_RESULT_KEYS,
            f"in ADDED_RESULT_KEYS of plugins/{action}, missing in {docs.label}",
        ),
        (
            documented - powershell_keys - added_keys,
            f"in {docs.label}, set neither by the PowerShell module"
            f" nor in ADDED_RESULT_KEYS of plugins/{action}",
        ),
    )


def _compare_raw_results_returns(
    module: str,
    powershell_keys: frozenset[str],
    added_keys: frozenset[str],
    documented: tuple[frozenset[str], frozenset[str]],
    raw_key: str,
    action_path: Path,
    docs: Side,
) -> Iterator[Drift]:
    """RETURN's top level is ADDED_RESULT_KEYS; the PowerShell keys are under `raw_key`."""
    action = f"{action_path.parent.name}/{action_path.name}"
    top = documented[0] - STANDARD_RESULT_KEYS
    raw = documented[1] - STANDARD_RESULT_KEYS
    yield from _result_key_drifts(
        module,
        (
            powershell_keys - raw - STANDARD_RESULT_KEYS,
            f"set by the PowerShell module, missing under {raw_key} in {docs.label}",
        ),
        (
            raw - powershell_keys,
            f"under {raw_key} in {docs.label}, not set by the PowerShell module",
        ),
        (
            added_keys - top - STANDARD_RESULT_KEYS,
            f"in ADDED_RESULT_KEYS of plugins/{action}, missing in {docs.label}",
        ),
        (
            top - added_keys,
            f"in {docs.label}, not in ADDED_RESULT_KEYS of plugins/{action}"
            f" (the PowerShell module's keys are documented under {raw_key})",
        ),
    )


def _result_key_drifts(module: str, *checks: tuple[frozenset[str], str]) -> Iterator[Drift]:
    """A drift for each key of each set, in order, saying what the check says of it."""
    for keys, what in checks:
        for key in sorted(keys):
            yield Drift(module, f"result key {key!r}", what)


def check_collection(root: Path, registry: EmulationRegistry) -> tuple[list[str], list[Drift]]:
    """The modules checked and every drift found among them."""
    collection = collection_name(root)
    modules = sorted(path.stem for path in (root / "plugins" / "modules").glob("*.ps1"))
    drifts: list[Drift] = []
    for module in modules:
        drifts.extend(check_module(root, module, collection, registry))
    prefix = f"{collection}."
    for fqcn in registry.emulated_modules():
        name = fqcn.removeprefix(prefix)
        if fqcn.startswith(prefix) and name not in modules:
            drifts.append(
                Drift(
                    name,
                    "PowerShell module",
                    f"missing: the lab emulates {fqcn}, no plugins/modules/{name}.ps1",
                )
            )
    return modules, drifts


def lab_registry() -> EmulationRegistry:
    from wsfc_lab.emulation.framework import (
        registry,
    )  # the lab package, installed by scripts/bootstrap.sh

    return registry


def main(argv: list[str] | None = None, registry: EmulationRegistry | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection-root", type=Path, default=REPO_ROOT)
    args = parser.parse_args(argv)
    modules, drifts = check_collection(args.collection_root, registry or lab_registry())
    for drift in drifts:
        print(f"contract drift: {drift}")
    print(f"Contract: {len(modules)} modules checked, {len(drifts)} differences")
    return 1 if drifts else 0


if __name__ == "__main__":
    sys.exit(main())
