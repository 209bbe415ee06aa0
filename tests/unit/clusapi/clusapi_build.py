"""Builds the clusapi test bench: the C stub, the C# util and the driver, and runs the driver.

Layout of a build directory:
    native/libclusapi.so        the stub (gcc), deliberately not beside the assemblies
    bin/wsfc_clusapi.dll        plugins/module_utils/ClusApi.cs (mcs -langversion:5)
    bin/wsfc_clusapi.dll.config a <dllmap> sending "clusapi.dll" to native/libclusapi.so
    bin/clusapi_driver.exe      ClusApiDriver.cs, referencing the util

Mono reads `<assembly>.config` beside the assembly that holds the [DllImport]; mapping to an
absolute path keeps the test independent of LD_LIBRARY_PATH and of any library search order.
The util assembly is not named ClusApi.dll so that it can never be mistaken for clusapi.dll.
"""

import base64
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
UTIL_SOURCE = REPO_ROOT / "plugins" / "module_utils" / "ClusApi.cs"
STUB_SOURCE = HERE / "clusapi_stub.c"
DRIVER_SOURCE = HERE / "ClusApiDriver.cs"

# What Windows PowerShell 5.1's Add-Type accepts (C# 6 syntax is refused there).
MCS_LANGVERSION = "-langversion:5"
# Only the four clusapi names are exported (everything else in the stub is hidden).
GCC_SHARED_LIBRARY_FLAGS = [
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-O2",
    "-fPIC",
    "-shared",
    "-fvisibility=hidden",
]


@dataclass(frozen=True)
class ClusApiBench:
    """The built artefacts, ready for run_driver."""

    stub: Path
    util: Path
    driver: Path


@dataclass(frozen=True)
class DriverRun:
    """One driver invocation: the code the util returned and the stub's records."""

    code: int
    calls: list[dict[str, Any]]

    def functions(self) -> list[str]:
        return [call["function"] for call in self.calls]

    def only(self, function: str) -> dict[str, Any]:
        matching = [call for call in self.calls if call["function"] == function]
        assert len(matching) == 1, f"expected one {function} call, got {self.calls}"
        return matching[0]


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def compile_csharp_library(source: Path, output: Path) -> None:
    """Compiles one C# file as a library with the language level PowerShell 5.1 accepts."""
    _run(
        [
            "mcs",
            MCS_LANGVERSION,
            "-target:library",
            "-warnaserror",
            f"-out:{output}",
            str(source),
        ]
    )


def build_bench(build_dir: Path) -> ClusApiBench:
    native_dir = build_dir / "native"
    bin_dir = build_dir / "bin"
    native_dir.mkdir(parents=True, exist_ok=True)
    bin_dir.mkdir(parents=True, exist_ok=True)

    stub = native_dir / "libclusapi.so"
    _run(["gcc", *GCC_SHARED_LIBRARY_FLAGS, "-o", str(stub), str(STUB_SOURCE)])

    util = bin_dir / "wsfc_clusapi.dll"
    compile_csharp_library(UTIL_SOURCE, util)
    util.with_name(util.name + ".config").write_text(
        f'<configuration>\n  <dllmap dll="clusapi.dll" target="{stub}" />\n</configuration>\n',
        encoding="utf-8",
    )

    driver = bin_dir / "clusapi_driver.exe"
    driver_command = ["mcs", MCS_LANGVERSION, "-target:exe", "-warnaserror", f"-r:{util}"]
    _run([*driver_command, f"-out:{driver}", str(DRIVER_SOURCE)])
    return ClusApiBench(stub=stub, util=util, driver=driver)


def encode_argument(value: str | None) -> str:
    """The driver's argument form: "null", or base64 of the UTF-8 text."""
    if value is None:
        return "null"
    return "b64:" + base64.b64encode(value.encode("utf-8")).decode("ascii")


def run_driver(
    bench: ClusApiBench,
    log: Path,
    arguments: list[str],
    stub_env: dict[str, str] | None = None,
) -> DriverRun:
    """Runs the driver under mono with the stub told what to return; reads what it received."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUB_")}
    env.update(stub_env or {})
    env["CLUSAPI_STUB_LOG"] = str(log)
    log.unlink(missing_ok=True)
    done = subprocess.run(
        ["mono", "--debug", str(bench.driver), *arguments],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"driver failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    calls = []
    if log.exists():
        calls = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    return DriverRun(code=int(done.stdout.strip()), calls=calls)
