"""check_windows_calls.py over a tiny fake collection: agreement passes, each drift fails.

windows_calls_fixtures/collection holds a PowerShell module (fake_node.ps1) that makes one
Windows call of each kind the contract reads (a command with literal parameters, a splat,
CIM classes, a registry value, native programs with an @(...) array and with a List[string]
filled by .Add), a wrapper module (FakeNative.psm1), their ports under
tests/lab/wsfc_lab/emulation/modules/ and a facts page. FakeSurface stands in for the lab's
wsfc_lab.windows.surface. Each test copies the collection, changes one side, and checks what
is reported, with file and line.
"""

import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import check_windows_calls
import pytest
from windows_calls_model import Kind
from windows_calls_ps import read_powershell_calls

FIXTURE = Path(__file__).parent / "windows_calls_fixtures" / "collection"
PS = "plugins/modules/fake_node.ps1"
PORT = "tests/lab/wsfc_lab/emulation/modules/fake_node.py"
NATIVE_PS = "plugins/module_utils/FakeNative.psm1"
NATIVE_PORT = "tests/lab/wsfc_lab/emulation/modules/_fake_native.py"


@dataclass(frozen=True)
class FakeCommand:
    fact: str
    parameters: frozenset[str]


@dataclass(frozen=True)
class FakeProgram:
    fact: str
    verbs: dict[str, frozenset[str]]


@dataclass(frozen=True)
class FakeItem:
    fact: str


@dataclass
class FakeSurface:
    commands: dict[str, FakeCommand] = field(default_factory=dict)
    programs: dict[str, FakeProgram] = field(default_factory=dict)
    cim_classes: dict[tuple[str, str], FakeItem] = field(default_factory=dict)
    registry_values: dict[tuple[str, str], FakeItem] = field(default_factory=dict)


def agreeing_surface() -> FakeSurface:
    """A surface holding every call of the fixture, each citing a fact of its page."""
    return FakeSurface(
        commands={
            "Get-CimInstance": FakeCommand(
                "get-ciminstance", frozenset({"ClassName", "Namespace", "Filter", "ErrorAction"})
            ),
            "Get-ItemProperty": FakeCommand(
                "paxos-tag", frozenset({"LiteralPath", "Name", "ErrorAction"})
            ),
            "Start-ClusterNode": FakeCommand(
                "start-clusternode",
                frozenset({"Name", "ForceQuorum", "PreventQuorum", "ErrorAction"}),
            ),
        },
        programs={
            "wbadmin.exe": FakeProgram(
                "wbadmin",
                {
                    "start systemstatebackup": frozenset({"-backupTarget", "-quiet"}),
                    "start recovery": frozenset({"-version", "-machine", "-quiet"}),
                },
            )
        },
        cim_classes={
            ("root/cimv2", "Win32_Service"): FakeItem("win32-service"),
            ("root/MSCluster", "MSCluster_Disk"): FakeItem("mscluster-disk"),
        },
        registry_values={("HKLM:\\Cluster", "PaxosTag"): FakeItem("paxos-tag")},
    )


@pytest.fixture
def collection(tmp_path):
    root = tmp_path / "collection"
    shutil.copytree(FIXTURE, root)
    return root


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relative}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(root: Path, relative: str, text: str) -> int:
    """The first line holding `text`; a trailing newline in `text` means "ending with"."""
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    if text.endswith("\n"):
        return next(n for n, line in enumerate(lines, 1) if line.endswith(text[:-1]))
    return next(n for n, line in enumerate(lines, 1) if text in line)


def findings(root: Path, surface: FakeSurface | None = None) -> list[str]:
    report = check_windows_calls.check_collection(root, surface or agreeing_surface())
    return [str(finding) for finding in report.findings]


def exit_code(root: Path, surface: FakeSurface | None = None) -> int:
    return check_windows_calls.main(
        ["--collection-root", str(root)], surface=surface or agreeing_surface()
    )


def only(found: list[str]) -> str:
    assert len(found) == 1, found
    return found[0]


# -- agreement ---------------------------------------------------------------------------


def test_matching_pair_passes(collection, capsys):
    assert exit_code(collection) == 0
    assert "2 PowerShell files, 2 ports, 0 differences" in capsys.readouterr().out


def test_the_fixture_is_read_not_skipped(collection):
    """The passing run above compares real calls: the module's are all read."""
    source = (collection / PS).read_bytes()
    calls = read_powershell_calls(source, PS, {"Invoke-WsfcNativeCommand"})
    keys = {(call.kind, call.parts) for call in calls.calls}
    assert calls.unreadable == []
    assert (Kind.CIM, ("root\\MSCluster", "MSCluster_Disk")) in keys
    assert (Kind.CIM, ("root/cimv2", "Win32_Service")) in keys
    assert (Kind.REGISTRY, ("HKLM:\\Cluster", "PaxosTag")) in keys
    # the splat: the hashtable literal's keys and the key set after it
    splat = {
        parts[1]
        for kind, parts in keys
        if kind is Kind.PARAMETER and parts[0] == "Start-ClusterNode"
    }
    assert splat == {"Name", "ErrorAction", "ForceQuorum"}
    natives = {parts for kind, parts in keys if kind is Kind.NATIVE}
    assert natives == {
        ("wbadmin.exe", "start systemstatebackup", ""),
        ("wbadmin.exe", "start systemstatebackup", "-backupTarget"),
        ("wbadmin.exe", "start systemstatebackup", "-quiet"),
        # from the List[string] and its .Add calls, the conditional one included
        ("wbadmin.exe", "start recovery", ""),
        ("wbadmin.exe", "start recovery", "-version"),
        ("wbadmin.exe", "start recovery", "-machine"),
        ("wbadmin.exe", "start recovery", "-quiet"),
    }
    commands = {parts[0] for kind, parts in keys if kind is Kind.COMMAND}
    # Select-Object and ForEach-Object are pure language; Get-Fake* are the file's own.
    assert commands == {"Get-CimInstance", "Get-ItemProperty", "Start-ClusterNode"}


# -- each kind of drift, in both directions ------------------------------------------------


def test_command_in_the_powershell_file_only(collection):
    edit(
        collection,
        PS,
        "    $service.State\n",
        "    $node = Get-ClusterNode -Name $env:COMPUTERNAME\n    $service.State\n",
    )
    line = line_of(collection, PS, "Get-ClusterNode")
    found = findings(collection)
    assert f"{PS}:{line}: command Get-ClusterNode is not in {PORT}" in found
    # its parameter is not reported on its own: the command says it all
    assert not [f for f in found if "Get-ClusterNode -Name" in f]
    assert exit_code(collection) == 1


# Each case: the file edited, the text and its replacement, then the one finding: the file it
# names, the text that marks its line (and how many lines on from it the finding is), and
# what it says.
ONE_SIDED_CASES = [
    pytest.param(
        PORT,
        "    return service.State\n",
        '    host.invoke("Get-ClusterNode", Name=host.computer_name)\n    return service.State\n',
        (PORT, "Get-ClusterNode", 0),
        f"command Get-ClusterNode is not in {PS}",
        id="command-in-the-port-only",
    ),
    pytest.param(
        PS,
        "-Filter \"Name='ClusSvc'\"",
        "-Filter \"Name='ClusSvc'\" -ErrorAction Stop",
        (PS, "-ErrorAction Stop", 0),
        f"parameter Get-CimInstance -ErrorAction is not in {PORT}",
        id="parameter-in-the-powershell-file-only",
    ),
    pytest.param(
        PORT,
        "Filter=\"Name='ClusSvc'\")",
        "Filter=\"Name='ClusSvc'\", Property=[])",
        (PORT, "Property=[]", 0),
        f"parameter Get-CimInstance -Property is not in {PS}",
        id="parameter-in-the-port-only",
    ),
    # `$startParams.ForceQuorum = $true` adds to the splat of Start-ClusterNode.
    pytest.param(
        PORT,
        '        start_params["ForceQuorum"] = True\n',
        "        pass\n",
        (PS, "Start-ClusterNode @startParams", 0),
        f"parameter Start-ClusterNode -ForceQuorum is not in {PORT}",
        id="splatted-parameter-missing-from-the-port",
    ),
    pytest.param(
        PORT,
        '"ErrorAction": "Stop"}',
        '"ErrorAction": "Stop", "Wait": 0}',
        (PORT, '"Start-ClusterNode"', 0),
        f"parameter Start-ClusterNode -Wait is not in {PS}",
        id="splatted-parameter-missing-from-the-powershell-file",
    ),
    pytest.param(
        PORT,
        '    arguments.append("-quiet")\n',
        "",
        (PS, "-ArgumentList $arguments.ToArray()", 0),
        f"native program wbadmin.exe start recovery -quiet is not in {PORT}",
        id="native-flag-in-the-powershell-file-only",
    ),
    pytest.param(
        PORT,
        '"-version:" + version]',
        '"-version:" + version, "-items:cluster"]',
        (PORT, '"-items:cluster"', 4),
        f"native program wbadmin.exe start recovery -items is not in {PS}",
        id="native-flag-in-the-port-only",
    ),
    # The flags of a List[string] come from its .Add calls: one fewer, one flag fewer.
    pytest.param(
        PS,
        "    if ($Machine) {\n        $arguments.Add('-machine:' + $Machine)\n    }\n",
        "",
        (PORT, 'arguments.append("-quiet")', 1),
        f"native program wbadmin.exe start recovery -machine is not in {PS}",
        id="native-flag-of-a-list-add-missing-from-the-powershell-file",
    ),
]


@pytest.mark.parametrize(("edited", "old", "new", "at", "message"), ONE_SIDED_CASES)
def test_a_call_on_one_side_only_is_the_one_finding(collection, edited, old, new, at, message):
    edit(collection, edited, old, new)
    reported, marker, offset = at
    line = line_of(collection, reported, marker) + offset
    assert only(findings(collection)) == f"{reported}:{line}: {message}"
    assert exit_code(collection) == 1


def test_splat_of_an_unknown_variable_is_reported(collection):
    edit(collection, PS, "Start-ClusterNode @startParams", "Start-ClusterNode @otherParams")
    line = line_of(collection, PS, "@otherParams")
    found = findings(collection)
    assert (
        f"{PS}:{line}: `@otherParams` splats a variable that no `$otherParams = @{{...}}` in this"
        " file assigns: its parameters cannot be read"
    ) in found


def test_native_flag_of_a_list_add_missing_from_the_port(collection):
    edit(
        collection,
        PS,
        "    $arguments.Add('-quiet')\n",
        "    $arguments.Add('-quiet')\n    $arguments.Add('-items:cluster')\n",
    )
    line = line_of(collection, PS, "-ArgumentList $arguments.ToArray()")
    found = findings(collection)
    assert (
        f"{PS}:{line}: native program wbadmin.exe start recovery -items is not in {PORT}" in found
    )


def test_native_verb_of_an_array_literal(collection):
    edit(collection, PORT, '"start", "systemstatebackup"', '"start", "backup"')
    ps_line = line_of(collection, PS, "-ArgumentList $arguments\n")
    port_line = line_of(collection, PORT, "return host.native(WBADMIN, arguments)")
    found = findings(collection)
    for program_flag in ("", " -backupTarget", " -quiet"):
        assert (
            f"{PS}:{ps_line}: native program wbadmin.exe start systemstatebackup{program_flag}"
            f" is not in {PORT}"
        ) in found
        assert (
            f"{PORT}:{port_line}: native program wbadmin.exe start backup{program_flag}"
            f" is not in {PS}"
        ) in found
    assert len(found) == 6


# Each case: the file edited, the text and its replacement, then the two findings, one a side:
# the text that marks its line in the PowerShell file and in the port, and what each says.
BOTH_WAYS_CASES = [
    pytest.param(
        PORT,
        'ClassName="MSCluster_Disk"',
        'ClassName="MSCluster_Resource"',
        ("MSCluster_Disk", f"CIM class root\\MSCluster:MSCluster_Disk is not in {PORT}"),
        ("MSCluster_Resource", f"CIM class root/MSCluster:MSCluster_Resource is not in {PS}"),
        id="cim-class",
    ),
    # The port's namespace is a constant imported from the lab package (read, not imported);
    # root\MSCluster and root/MSCluster name the same namespace, root/cimv2 does not.
    pytest.param(
        "tests/lab/wsfc_lab/windows/names.py",
        '"root/MSCluster"',
        '"root/cimv2"',
        ("MSCluster_Disk", f"CIM class root\\MSCluster:MSCluster_Disk is not in {PORT}"),
        ("MSCluster_Disk", f"CIM class root/cimv2:MSCluster_Disk is not in {PS}"),
        id="cim-namespace-from-an-imported-constant",
    ),
    pytest.param(
        PORT,
        'Name="PaxosTag"',
        'Name="ClusterName"',
        ("-Name PaxosTag", f"registry value HKLM:\\Cluster value PaxosTag is not in {PORT}"),
        (
            "values = host.invoke(",
            f"registry value HKLM:\\Cluster value ClusterName is not in {PS}",
        ),
        id="registry-value",
    ),
    pytest.param(
        PORT,
        'root = "HKLM:\\\\Cluster"',
        'root = "HKLM:\\\\Cluster\\\\Nodes"',
        ("-Name PaxosTag", f"registry value HKLM:\\Cluster value PaxosTag is not in {PORT}"),
        (
            "values = host.invoke(",
            f"registry value HKLM:\\Cluster\\Nodes value PaxosTag is not in {PS}",
        ),
        id="registry-key-path",
    ),
]


@pytest.mark.parametrize(("edited", "old", "new", "in_ps", "in_port"), BOTH_WAYS_CASES)
def test_a_call_that_differs_is_reported_on_both_sides(
    collection, edited, old, new, in_ps, in_port
):
    edit(collection, edited, old, new)
    ps_line = line_of(collection, PS, in_ps[0])
    port_line = line_of(collection, PORT, in_port[0])
    assert sorted(findings(collection)) == sorted(
        [f"{PS}:{ps_line}: {in_ps[1]}", f"{PORT}:{port_line}: {in_port[1]}"]
    )


def test_registry_key_case_is_ignored_and_value_case_is_not(collection):
    edit(collection, PORT, 'root = "HKLM:\\\\Cluster"', 'root = "hklm:\\\\CLUSTER"')
    assert findings(collection) == []
    edit(collection, PORT, 'Name="PaxosTag"', 'Name="paxostag"')
    port_line = line_of(collection, PORT, "values = host.invoke(")
    assert f"{PORT}:{port_line}: registry value hklm:\\CLUSTER value paxostag is not in {PS}" in (
        findings(collection)
    )


def test_native_program_run_with_the_call_operator_is_reported(collection):
    edit(
        collection,
        PS,
        "$state = Get-FakeServiceState\n",
        "$state = Get-FakeServiceState\n$null = & reg.exe unload HKLM\\X 2>&1\n",
    )
    line = line_of(collection, PS, "& reg.exe")
    message = only(findings(collection))
    assert message.startswith(f"{PS}:{line}: `& reg.exe unload HKLM\\X 2>&1` runs a command")
    assert "Invoke-WsfcNativeCommand -FilePath <program> -ArgumentList <array>" in message


# -- ports -------------------------------------------------------------------------------


def test_powershell_file_without_a_port(collection):
    (collection / PORT).unlink()
    assert only(findings(collection)) == (
        f"{PS}: has no lab port (a module under tests/lab/wsfc_lab/emulation/modules"
        f" with PORT_OF = {PS!r})"
    )
    assert exit_code(collection) == 1


def test_port_of_names_a_missing_file(collection):
    edit(
        collection,
        PORT,
        'PORT_OF = "plugins/modules/fake_node.ps1"',
        'PORT_OF = "plugins/modules/fake_nod.ps1"',
    )
    line = line_of(collection, PORT, "PORT_OF")
    assert sorted(findings(collection)) == sorted(
        [
            f"{PORT}:{line}: PORT_OF names 'plugins/modules/fake_nod.ps1', which does not exist",
            f"{PS}: has no lab port (a module under tests/lab/wsfc_lab/emulation/modules"
            f" with PORT_OF = {PS!r})",
        ]
    )


def test_two_ports_of_one_file(collection):
    second = "tests/lab/wsfc_lab/emulation/modules/fake_node_again.py"
    shutil.copy(collection / PORT, collection / second)
    assert only(findings(collection)) == (
        f"{PS}: has 2 lab ports ({PORT}, {second}); one is the contract"
    )


def test_port_of_that_is_not_a_constant(collection):
    edit(
        collection,
        NATIVE_PORT,
        'PORT_OF = "plugins/module_utils/FakeNative.psm1"',
        'PORT_OF = "plugins/" + "x"',
    )
    assert sorted(findings(collection)) == sorted(
        [
            f"{NATIVE_PORT}:3: PORT_OF is not a string constant",
            f"{NATIVE_PS}: has no lab port (a module under tests/lab/wsfc_lab/emulation/modules"
            f" with PORT_OF = {NATIVE_PS!r})",
        ]
    )


# -- the surface and the facts -------------------------------------------------------------


def _drop_command(surface: FakeSurface) -> None:
    del surface.commands["Start-ClusterNode"]


def _drop_parameter(surface: FakeSurface) -> None:
    entry = surface.commands["Start-ClusterNode"]
    surface.commands["Start-ClusterNode"] = FakeCommand(
        entry.fact, entry.parameters - {"ForceQuorum"}
    )


def _drop_verb(surface: FakeSurface) -> None:
    del surface.programs["wbadmin.exe"].verbs["start recovery"]


def _drop_flag(surface: FakeSurface) -> None:
    verbs = surface.programs["wbadmin.exe"].verbs
    verbs["start recovery"] = verbs["start recovery"] - {"-machine"}


def _drop_program(surface: FakeSurface) -> None:
    del surface.programs["wbadmin.exe"]


def _drop_cim_class(surface: FakeSurface) -> None:
    del surface.cim_classes[("root/MSCluster", "MSCluster_Disk")]


def _drop_registry_value(surface: FakeSurface) -> None:
    del surface.registry_values[("HKLM:\\Cluster", "PaxosTag")]


SURFACE = "the lab's Windows surface (wsfc_lab.windows.surface)"


@pytest.mark.parametrize(
    ("change", "marker", "expected"),
    [
        (_drop_command, "Start-ClusterNode @", f"command Start-ClusterNode is not in {SURFACE}"),
        (
            _drop_parameter,
            "Start-ClusterNode @",
            "parameter Start-ClusterNode -ForceQuorum is not among the surface's parameters of"
            " Start-ClusterNode (ErrorAction, Name, PreventQuorum)",
        ),
        (
            _drop_verb,
            "$arguments.ToArray()",
            "native program wbadmin.exe start recovery: the surface's wbadmin.exe has no verb"
            " 'start recovery' (start systemstatebackup)",
        ),
        (
            _drop_flag,
            "$arguments.ToArray()",
            "native program wbadmin.exe start recovery -machine: the surface's wbadmin.exe"
            " start recovery has no flag -machine (-quiet, -version)",
        ),
        (
            _drop_cim_class,
            "MSCluster_Disk",
            f"CIM class root\\MSCluster:MSCluster_Disk is not in {SURFACE}",
        ),
        (
            _drop_registry_value,
            "-Name PaxosTag",
            f"registry value HKLM:\\Cluster value PaxosTag is not in {SURFACE}",
        ),
    ],
    ids=["command", "parameter", "verb", "flag", "cim-class", "registry-value"],
)
def test_call_absent_from_the_surface(collection, change, marker, expected):
    surface = agreeing_surface()
    change(surface)
    line = line_of(collection, PS, marker)
    assert only(findings(collection, surface)) == f"{PS}:{line}: {expected}"
    assert exit_code(collection, surface) == 1


def test_program_absent_from_the_surface(collection):
    surface = agreeing_surface()
    _drop_program(surface)
    first = line_of(collection, PS, "-ArgumentList $arguments\n")
    second = line_of(collection, PS, "-ArgumentList $arguments.ToArray()")
    assert only(findings(collection, surface)) == (
        f"{PS}:{first} (also line {second}): native program wbadmin.exe is not in {SURFACE}"
    )


def test_surface_fact_missing_from_the_page(collection):
    surface = agreeing_surface()
    surface.cim_classes[("root/cimv2", "Win32_Service")] = FakeItem("win32-services")
    assert only(findings(collection, surface)) == (
        "wsfc_lab.windows.surface: the surface's CIM class root/cimv2:Win32_Service cites fact"
        " 'win32-services', which docs/windows-behaviour.md does not define"
        " (a heading '### win32-services — <title>')"
    )


def test_a_heading_in_another_form_is_no_fact(collection):
    surface = agreeing_surface()
    surface.programs["wbadmin.exe"] = FakeProgram(
        "not-a-fact", surface.programs["wbadmin.exe"].verbs
    )
    assert only(findings(collection, surface)) == (
        "wsfc_lab.windows.surface: the surface's program wbadmin.exe cites fact 'not-a-fact',"
        " which docs/windows-behaviour.md does not define (a heading '### not-a-fact — <title>')"
    )


def test_facts_page_missing(collection):
    (collection / "docs" / "windows-behaviour.md").unlink()
    assert only(findings(collection)) == (
        "docs/windows-behaviour.md: missing: no fact of the surface can be checked"
    )


def test_missing_surface_package_fails_clearly(collection, monkeypatch, capsys):
    # None in sys.modules makes the import raise ImportError, as a missing package does.
    monkeypatch.setitem(sys.modules, "wsfc_lab.windows.surface", None)
    assert check_windows_calls.main(["--collection-root", str(collection)]) == 1
    error = capsys.readouterr().err
    assert "Windows-call contract: cannot run: the lab's Windows surface" in error
    assert "(wsfc_lab.windows.surface) cannot be imported" in error
