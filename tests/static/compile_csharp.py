"""Compiles every C# module util the way Windows PowerShell 5.1's Add-Type would.

Usage: python tests/static/compile_csharp.py [FILE.cs ...]
Without a file it compiles every plugins/module_utils/*.cs of the collection.

Ansible loads a C# util on the host with Add-Type (Ansible.ModuleUtils.AddType.psm1),
which under Windows PowerShell 5.1 runs the .NET Framework compiler: C# 5 syntax only,
warnings are errors, symbols WINDOWS and AMD64 defined, System.dll, System.Core.dll and
System.Management.Automation.dll referenced, plus what the source's own directives ask
for (//AssemblyReference, //NoWarn, //AllowUnsafe). Here each util is compiled with Mono's
mcs under the same rules: ``mcs -langversion:5 -target:library -warnaserror``.

Dependencies: a util that says ``using Ansible.<X>;`` or
``using ansible_collections.<ns>.<coll>.plugins.module_utils.<X>;`` is compiled against
the real source of that util: ansible-core's own (ansible/module_utils/csharp) or the
collection's (this repository, or a collection on ANSIBLE_COLLECTIONS_PATH). Utils of this
collection are compiled in the same unit, under the same rules. Utils of ansible-core or
other collections are compiled first into a reference assembly with warnings allowed:
they are not ours, and mcs warns about things csc does not.

The two Windows assemblies Mono lacks, System.Management.Automation (the PowerShell SDK)
and System.Web.Extensions (JavaScriptSerializer), are replaced at compile time by the
signature-only stand-ins in tests/static/csharp_reference_stubs/: exactly the members
ansible-core's Ansible.Basic.cs uses. A util of ours that uses more of the PowerShell SDK
fails to compile here, and the stand-in has to grow by those members (signatures only).
Nothing compiled here is executed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import ansible.module_utils.csharp as ansible_csharp
from file_checks import run_file_check
from repo_files import REPO_ROOT

STUBS_DIRECTORY = Path(__file__).resolve().parent / "csharp_reference_stubs"
ANSIBLE_CORE_CSHARP = Path(ansible_csharp.__file__).resolve().parent

# Add-Type's options under Windows PowerShell 5.1 (AddType.psm1, the CodeDom branch).
BASE_OPTIONS = (
    "-langversion:5",
    "-target:library",
    "-nologo",
    "-optimize",
    "-define:WINDOWS;AMD64",
)
BASE_REFERENCES = ("System.dll", "System.Core.dll")
# CS1610 (temporary files not deleted) is always ignored by Add-Type.
ALWAYS_IGNORED_WARNINGS = ("1610",)

# The same directives Add-Type looks for, and the same `using` lines Ansible's module
# finder follows to ship a util's dependencies.
USING_UTIL = re.compile(
    r"^\s*using\s+((?:Ansible\.[\w.]+)|(?:ansible_collections\.\w+\.\w+\.plugins\.module_utils\.[\w.]+))\s*;",
    re.MULTILINE,
)
NAMESPACE = re.compile(r"^\s*namespace\s+([\w.]+)", re.MULTILINE)
ASSEMBLY_REFERENCE = re.compile(
    r"//\s*AssemblyReference\s+-(?P<kind>Name|Type)\s+(?P<name>[\w.]*)(\s+-CLR\s+(?P<clr>Core|Framework))?"
)
NO_WARN = re.compile(r"//\s*NoWarn\s+-Name\s+(?P<name>[\w\d]*)(\s+-CLR\s+(?P<clr>Core|Framework))?")
ALLOW_UNSAFE = re.compile(r"//\s*AllowUnsafe")

# Framework assemblies stood in for by the stubs, so a reference to them is satisfied.
STUBBED_ASSEMBLIES = frozenset({"System.Web.Extensions.dll", "System.Management.Automation.dll"})


class CompileError(Exception):
    """A util (or what it depends on) does not compile; the message is mcs's output."""


@dataclass(frozen=True)
class CompileOptions:
    """Compiler switches a set of sources asks for through Add-Type directives."""

    references: tuple[str, ...]
    ignored_warnings: tuple[str, ...]
    unsafe: bool

    @classmethod
    def of(cls, sources: list[Path]) -> CompileOptions:
        references: list[str] = []
        ignored = list(ALWAYS_IGNORED_WARNINGS)
        unsafe = False
        for source in sources:
            text = source.read_text(encoding="utf-8-sig")
            for match in ASSEMBLY_REFERENCE.finditer(text):
                if match["clr"] in (None, "Framework") and match["kind"] == "Name":
                    if match["name"] not in STUBBED_ASSEMBLIES:
                        references.append(match["name"])
            for match in NO_WARN.finditer(text):
                if match["clr"] in (None, "Framework"):
                    ignored.append(match["name"].removeprefix("CS"))
            unsafe = unsafe or bool(ALLOW_UNSAFE.search(text))
        return cls(tuple(dict.fromkeys(references)), tuple(dict.fromkeys(ignored)), unsafe)

    def switches(self) -> list[str]:
        switches = [f"-r:{name}" for name in (*BASE_REFERENCES, *self.references)]
        switches.append(f"-nowarn:{','.join(self.ignored_warnings)}")
        if self.unsafe:
            switches.append("-unsafe")
        return switches


def collections_paths() -> list[Path]:
    paths = [Path(p) for p in os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(":") if p]
    return [*paths, REPO_ROOT / ".cache" / "collections"]


def namespace_of(source: Path) -> str:
    match = NAMESPACE.search(source.read_text(encoding="utf-8-sig"))
    return match.group(1) if match else ""


def resolve_util(name: str, requester: Path) -> Path:
    """The source file of the C# util a `using` line names."""
    if name.startswith("Ansible."):
        candidate = ANSIBLE_CORE_CSHARP / f"{name}.cs"
        if candidate.is_file():
            return candidate
        raise CompileError(f"{requester}: no ansible-core C# util named {name}")
    # ansible_collections.<namespace>.<collection>.plugins.module_utils.<path...>.<Name>
    parts = name.split(".")
    namespace, collection, util = parts[1], parts[2], parts[5:]
    # A util of the same collection is first looked for beside the requester.
    own_prefix = ".".join(namespace_of(requester).split(".")[:5])
    if name.startswith(own_prefix + ".") and own_prefix.count(".") == 4:
        candidate = requester.parent.joinpath(*util[:-1], f"{util[-1]}.cs")
        if candidate.is_file():
            return candidate
    for root in collections_paths():
        candidate = (
            root.joinpath(
                "ansible_collections", namespace, collection, "plugins", "module_utils", *util[:-1]
            )
            / f"{util[-1]}.cs"
        )
        if candidate.is_file():
            return candidate
    raise CompileError(f"{requester}: no C# util found for `using {name};`")


def dependency_closure(util: Path) -> list[Path]:
    """The util's C# dependencies, transitively, in the order found (itself excluded)."""
    found: dict[Path, None] = {}
    pending = [util]
    while pending:
        source = pending.pop()
        for name in USING_UTIL.findall(source.read_text(encoding="utf-8-sig")):
            dependency = resolve_util(name, source).resolve()
            if dependency != util.resolve() and dependency not in found:
                found[dependency] = None
                pending.append(dependency)
    return list(found)


def is_own(source: Path, util: Path) -> bool:
    """Whether a dependency belongs to the same collection as the util (same directory tree)."""
    return source.is_relative_to(util.resolve().parent)


def run_mcs(arguments: list[str]) -> None:
    completed = subprocess.run(["mcs", *arguments], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise CompileError((completed.stdout + completed.stderr).strip())


def compile_util(util: Path, work: Path, stubs: Path) -> None:
    """Compile one util (and its own collection's dependencies) as Add-Type would."""
    dependencies = dependency_closure(util)
    own = [util, *(d for d in dependencies if is_own(d, util))]
    foreign = [d for d in dependencies if not is_own(d, util)]
    references = [f"-r:{stubs}"]
    if foreign:
        foreign_dll = work / f"{util.stem}.dependencies.dll"
        options = CompileOptions.of(foreign)
        run_mcs(
            [
                *BASE_OPTIONS,
                *options.switches(),
                *references,
                f"-out:{foreign_dll}",
                *map(str, foreign),
            ]
        )
        references.append(f"-r:{foreign_dll}")
    options = CompileOptions.of(own)
    run_mcs(
        [
            *BASE_OPTIONS,
            "-warnaserror",
            *options.switches(),
            *references,
            f"-out:{work / util.stem}.dll",
            *map(str, own),
        ]
    )


def build_stubs(work: Path) -> Path:
    stubs = work / "WindowsReferenceStubs.dll"
    run_mcs(
        [
            "-langversion:5",
            "-target:library",
            "-nologo",
            f"-out:{stubs}",
            *map(str, sorted(STUBS_DIRECTORY.glob("*.cs"))),
        ]
    )
    return stubs


def compile_utils(utils: list[Path]) -> list[str]:
    """One failure message per util that does not compile."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="compile-csharp-") as directory:
        work = Path(directory)
        stubs = build_stubs(work)
        for util in utils:
            try:
                compile_util(util, work, stubs)
            except CompileError as error:
                failures.append(f"{util}: does not compile with mcs -langversion:5\n{error}")
    return failures


def main(argv: list[str] | None = None) -> int:
    return run_file_check(
        argv,
        __doc__.splitlines()[0],
        lambda given: given or sorted((REPO_ROOT / "plugins" / "module_utils").glob("*.cs")),
        compile_utils,
        lambda utils, failures: f"C# utils: {len(utils)} compiled, {len(failures)} failed",
        argument="utils",
        argument_help="C# util files to compile",
    )


if __name__ == "__main__":
    sys.exit(main())
