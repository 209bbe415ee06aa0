"""Rules for the collection's PowerShell that no run on our machines could catch.

No PowerShell runs here, so a script that breaks only on Windows PowerShell 5.1 would pass
every other test. Three rules read the syntax tree (tree-sitter-pwsh) instead:

  native-wrapper  a native program runs only inside Invoke-WsfcNativeCommand in
                  plugins/module_utils/WsfcNative.psm1, which sets a local
                  $ErrorActionPreference first; Start-Process, [Diagnostics.Process]::Start
                  and Invoke-Expression are not used at all;
  powershell-51   no syntax that PowerShell 6 or 7 added;
  literal-path    a path goes to a file-system or registry cmdlet as -LiteralPath.

Each violation names its file, line, rule and fix, and the fact of
docs/windows-behaviour.md the rule rests on (the anchors in RULES).

What the rules cannot see: a path piped into a cmdlet (`$path | Test-Path` binds a string
to -Path, but the type of what is piped is not known statically), `.Start()` on a Process
object built elsewhere, and PowerShell 6 escapes inside strings such as `u{...}.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tree_sitter
from pwsh_tree import parse_powershell

FACTS_PAGE = "docs/windows-behaviour.md"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    anchor: str  # the fact in FACTS_PAGE that says why


RULES = {
    rule.rule_id: rule
    for rule in (
        Rule("native-wrapper", "powershell-native-stderr"),
        Rule("powershell-51", "powershell-51-syntax"),
        Rule("literal-path", "powershell-literalpath"),
    )
}


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    column: int
    rule: str
    problem: str
    fix: str

    def __str__(self) -> str:
        anchor = RULES[self.rule].anchor
        return (
            f"{self.path}:{self.line}:{self.column}: {self.rule}: {self.problem}."
            f" Fix: {self.fix}. Why: {FACTS_PAGE}#{anchor}"
        )


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node under `node` (itself included), in document order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _violation(path: str, node: tree_sitter.Node, rule: str, problem: str, fix: str) -> Violation:
    return Violation(
        path, node.start_point.row + 1, node.start_point.column + 1, rule, problem, fix
    )


# ---- commands -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Command:
    node: tree_sitter.Node
    operator: str | None  # "&" or "." when the command is invoked through one
    target: tree_sitter.Node  # the command_name, or the expression after the operator
    elements: tuple[tree_sitter.Node, ...]  # arguments and parameters, in order

    @property
    def name(self) -> str | None:
        """The command's name in lower case without a module or directory qualifier
        (`Microsoft.PowerShell.Management\\Test-Path` -> `test-path`, `C:\\x\\reg.exe` ->
        `reg.exe`); None when the command is an expression (`& $program`)."""
        if self.target.type != "command_name":
            return None
        return re.split(r"[\\/]", _text(self.target).strip())[-1].lower()


_SKIPPED_ELEMENTS = frozenset({"command_argument_sep", "redirection", "comment"})


def _command(node: tree_sitter.Node) -> _Command | None:
    operator = None
    target = None
    elements: tuple[tree_sitter.Node, ...] = ()
    for child in node.children:
        if child.type == "command_invocation_operator":
            operator = _text(child).strip()
        elif child.type == "command_name":
            target = child
        elif child.type == "command_name_expr":
            target = child.named_children[0] if child.named_child_count else child
        elif child.type == "command_elements":
            elements = tuple(c for c in child.named_children if c.type not in _SKIPPED_ELEMENTS)
    if target is None:
        return None
    return _Command(node, operator, target, elements)


def _commands(root: tree_sitter.Node) -> Iterator[_Command]:
    for node in _walk(root):
        if node.type == "command":
            command = _command(node)
            if command is not None:
                yield command


def _parameter_name(element: tree_sitter.Node) -> tuple[str, bool] | None:
    """(`name` in lower case, whether `-name:` takes the next element as its value) for a
    parameter element; None for an argument."""
    if element.type != "command_parameter":
        return None
    written = _text(element).strip()
    attached = written.endswith(":")
    return written.lstrip("-").rstrip(":").lower(), attached


# ---- native-wrapper -----------------------------------------------------------------------

WRAPPER_FUNCTION = "invoke-wsfcnativecommand"
# The one file allowed to hold the wrapper, as the trailing parts of its path.
WRAPPER_FILE = ("module_utils", "wsfcnative.psm1")

NATIVE_SUFFIXES = (".exe", ".com", ".bat", ".cmd")
# Programs commonly run without their suffix. `sc` is Set-Content's alias in Windows
# PowerShell 5.1 (its reference page), so a bare `sc` never reaches sc.exe there either.
NATIVE_PROGRAMS = frozenset(
    {
        "reg",
        "wbadmin",
        "cmd",
        "net",
        "sc",
        "netsh",
        "cluster",
        "icacls",
        "robocopy",
        "takeown",
        "powershell",
        "pwsh",
    }
)
# Start-Process and its aliases saps and start (Start-Process reference page, 5.1).
PROCESS_STARTERS = frozenset({"start-process", "saps", "start"})
# Invoke-Expression and its alias iex (Invoke-Expression reference page, 5.1).
EXPRESSION_INVOKERS = frozenset({"invoke-expression", "iex"})
_PROCESS_TYPES = frozenset({"system.diagnostics.process", "diagnostics.process"})

_WRAPPER_FIX = (
    "run it as Invoke-WsfcNativeCommand -FilePath <program> -ArgumentList @(...) (module util"
    " WsfcNative), which sets a local $ErrorActionPreference before the program runs"
)


def _is_native_name(name: str) -> bool:
    return name.endswith(NATIVE_SUFFIXES) or name in NATIVE_PROGRAMS


def _enclosing_function(node: tree_sitter.Node) -> tree_sitter.Node | None:
    parent = node.parent
    while parent is not None and parent.type != "function_statement":
        parent = parent.parent
    return parent


def _function_name(function: tree_sitter.Node) -> str:
    names = [c for c in function.children if c.type == "function_name"]
    return _text(names[0]).strip().lower() if names else ""


def _in_wrapper_file(path: Path) -> bool:
    parts = tuple(part.lower() for part in path.parts)
    return parts[-len(WRAPPER_FILE) :] == WRAPPER_FILE


def _sets_local_preference_before(function: tree_sitter.Node, node: tree_sitter.Node) -> bool:
    """Whether the last assignment to $ErrorActionPreference (the function's own scope) in
    `function` before `node` gives it a value other than Stop."""
    last_value: str | None = None
    for candidate in _walk(function):
        if candidate.type != "assignment_expression" or candidate.start_byte >= node.start_byte:
            continue
        left = next(c for c in candidate.children if c.type == "left_assignment_expression")
        target = _text(left).strip().lower()
        if target not in ("$erroractionpreference", "$local:erroractionpreference"):
            continue
        values = [c for c in candidate.children if c.type == "assignment_value"]
        last_value = _text(values[0]).lower() if values else ""
    return last_value is not None and "stop" not in last_value


def _native_runs(root: tree_sitter.Node) -> Iterator[tuple[tree_sitter.Node, str]]:
    """Each place a native program may run: (node, how it is written)."""
    for command in _commands(root):
        name = command.name
        if command.operator == "&":
            if command.target.type != "script_block_expression":
                yield command.node, f"`& {_text(command.target).strip()}`"
        elif name is not None and _is_native_name(name):
            # Bare (`reg.exe load ...`) or dot-sourced: both run the program.
            what = f"`{_text(command.target).strip()}`"
            if name == "sc":
                what += " (in Windows PowerShell 5.1 a bare sc is Set-Content; sc.exe is meant)"
            yield command.node, what


def _never_allowed(
    root: tree_sitter.Node, source_lower: str
) -> Iterator[tuple[tree_sitter.Node, str]]:
    """Ways of starting processes or code that no file may use, the wrapper's included."""
    process_types = set(_PROCESS_TYPES)
    if "using namespace system.diagnostics" in source_lower:
        process_types.add("process")
    for command in _commands(root):
        name = command.name
        written = _text(command.target).strip()
        if name in PROCESS_STARTERS:
            alias = "" if name == "start-process" else " (Start-Process)"
            yield command.node, f"`{written}`{alias}"
        elif name in EXPRESSION_INVOKERS:
            alias = "" if name == "invoke-expression" else " (Invoke-Expression)"
            yield command.node, f"`{written}`{alias}"
    for node in _walk(root):
        if node.type not in ("invocation_expression", "member_access"):
            continue
        children = node.children
        if len(children) < 3 or children[0].type != "type_literal" or _text(children[1]) != "::":
            continue
        type_name = re.sub(r"\s", "", _text(children[0])).strip("[]").lower()
        member = _text(children[2]).strip().lower()
        if type_name in process_types and member == "start":
            yield node, f"`{_text(children[0])}::Start`"


def check_native_wrapper(
    path: Path, shown: str, root: tree_sitter.Node, source: bytes
) -> list[Violation]:
    rule = "native-wrapper"
    found: list[Violation] = []
    wrapper_file = _in_wrapper_file(path)
    for node, what in _native_runs(root):
        function = _enclosing_function(node)
        in_wrapper = (
            wrapper_file and function is not None and _function_name(function) == WRAPPER_FUNCTION
        )
        if not in_wrapper:
            where = ""
            if function is not None and _function_name(function) == WRAPPER_FUNCTION:
                where = (
                    " (a function of the wrapper's name outside"
                    " plugins/module_utils/WsfcNative.psm1 is not the wrapper)"
                )
            elif function is not None:
                where = f" in function {_text(function.children[1])}"
            found.append(
                _violation(
                    shown,
                    node,
                    rule,
                    f"{what} runs a native program outside the wrapper{where}; under"
                    " $ErrorActionPreference = 'Stop' Windows PowerShell 5.1 turns its"
                    " redirected stderr into a terminating error",
                    _WRAPPER_FIX,
                )
            )
        elif not _sets_local_preference_before(function, node):
            found.append(
                _violation(
                    shown,
                    node,
                    rule,
                    f"the wrapper runs {what} before it sets a local $ErrorActionPreference",
                    "assign $ErrorActionPreference = 'Continue' in the wrapper before the"
                    " program runs",
                )
            )
    for node, what in _never_allowed(root, source.decode("utf-8", "replace").lower()):
        found.append(
            _violation(
                shown,
                node,
                rule,
                f"{what} starts a process or runs a string as code",
                _WRAPPER_FIX + "; build arguments as an array, never as a command string",
            )
        )
    return found


# ---- powershell-51 ------------------------------------------------------------------------

# Cmdlet parameters PowerShell 6 or 7 added: (cmdlet names and aliases, parameter, version,
# the 5.1 way). A parameter may be abbreviated; two letters are taken to name these two
# among the cmdlet's parameters in PowerShell 7 (*unconfirmed*, see _resolve_parameter).
_NEWER_PARAMETERS = (
    (
        frozenset({"foreach-object", "foreach", "%"}),
        "Parallel",
        "PowerShell 7.0",
        "use a sequential ForEach-Object -Process, or background jobs",
    ),
    (
        frozenset({"convertfrom-json"}),
        "AsHashtable",
        "PowerShell 6.0",
        "read the PSCustomObject that ConvertFrom-Json returns",
    ),
)
# A null-conditional `?.` or `?[` after a closing bracket: `${a}?.b`, `(expr)?.b`,
# `$a[0]?[1]`. After a bare variable name `?` belongs to the name (`$a?.b` reads the
# variable `a?`, in 5.1 and 7 alike), so only the braced form is the operator.
_NULL_CONDITIONAL = re.compile(rb"(?<=[})\]])\?(?=[.\[])")
# Text that is data, not code: strings (but not the $( ) inside them), comments and the
# bare words of command arguments (`Get-Item a?.txt`).
_DATA_NODES = frozenset({"string_literal", "comment", "generic_token"})


def _code_only(root: tree_sitter.Node, source: bytes) -> bytes:
    """`source` with strings, comments and bare-word arguments blanked (lines kept)."""
    masked = bytearray(source)

    def blank(node: tree_sitter.Node) -> None:
        for index in range(node.start_byte, node.end_byte):
            if masked[index] not in (0x0A, 0x0D):
                masked[index] = 0x20

    def visit(node: tree_sitter.Node) -> None:
        if node.type in _DATA_NODES:
            blank(node)
            for sub in _outer_subexpressions(node):
                masked[sub.start_byte : sub.end_byte] = source[sub.start_byte : sub.end_byte]
                for child in sub.children:
                    visit(child)
            return
        for child in node.children:
            visit(child)

    visit(root)
    return bytes(masked)


def _outer_subexpressions(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    for child in node.children:
        if child.type == "sub_expression":
            yield child
        else:
            yield from _outer_subexpressions(child)


def _position(source: bytes, offset: int) -> tuple[int, int]:
    line = source.count(b"\n", 0, offset) + 1
    column = offset - (source.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def check_powershell_51(shown: str, root: tree_sitter.Node, source: bytes) -> list[Violation]:
    rule = "powershell-51"
    found: list[Violation] = []

    def add(node: tree_sitter.Node, problem: str, fix: str) -> None:
        found.append(_violation(shown, node, rule, problem, fix))

    for node in _walk(root):
        kind = node.type
        if kind == "ternary_expression":
            add(node, "the ternary operator `? :` is PowerShell 7.0", "use if/else")
        elif kind == "null_coalesce_expression":
            add(
                node,
                "the null-coalescing operator `??` is PowerShell 7.0",
                "use if ($null -eq $a) { $b } else { $a }",
            )
        elif kind == "assignment_operator" and _text(node).strip() == "??=":
            add(
                node,
                "the null-coalescing assignment `??=` is PowerShell 7.0",
                "use if ($null -eq $a) { $a = $b }",
            )
        elif kind == "pipeline_chain_tail":
            operator = _text(node).strip()
            add(
                node,
                f"the pipeline chain operator `{operator}` is PowerShell 7.0",
                "test $? or $LASTEXITCODE in an if statement",
            )
        elif kind == "named_block":
            names = [c for c in node.children if c.type == "block_name"]
            if names and _text(names[0]).strip().lower() == "clean":
                add(node, "the `clean` block is PowerShell 7.3", "use try/finally in end")
    for command in _commands(root):
        for names, parameter, version, fix in _NEWER_PARAMETERS:
            if command.name not in names:
                continue
            for element in command.elements:
                written = _parameter_name(element)
                if written and len(written[0]) >= 2 and parameter.lower().startswith(written[0]):
                    add(element, f"{_text(command.target).strip()} -{parameter} is {version}", fix)
    code = _code_only(root, source)
    for match in _NULL_CONDITIONAL.finditer(code):
        line, column = _position(source, match.start())
        operator = code[match.start() : match.start() + 2].decode()
        found.append(
            Violation(
                shown,
                line,
                column,
                rule,
                f"the null-conditional operator `{operator}` is PowerShell 7.1",
                "test for $null first: if ($null -ne $a) { $a.b }",
            )
        )
    return found


# ---- literal-path -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Cmdlet:
    """A cmdlet's parameters in Windows PowerShell 5.1, from its reference page."""

    name: str
    switches: frozenset[str]  # lower case
    values: frozenset[str]  # lower case; each takes the next element as its value
    aliases: dict[str, str]  # parameter alias -> parameter, lower case
    path_parameter: str  # the wildcard path parameter the first positional argument binds

    @property
    def path_shown(self) -> str:
        return "FilePath" if self.path_parameter == "filepath" else "Path"


# The cmdlets the rule covers, with their parameters as the Windows PowerShell 5.1 reference
# pages list them (learn.microsoft.com/powershell/module/<module>/<cmdlet>?view=powershell-5.1).
# Which parameters are switches matters for reading positional arguments: a value parameter
# takes the next element, a switch does not. A cmdlet line may name its path parameter
# (path=FilePath); it is Path otherwise. +FILTERS, +RISK and +TX stand for the parameters
# most of these cmdlets share.
_SHARED = {
    "+FILTERS": (
        "value Credential Exclude Filter Include LiteralPath Path\nalias pspath=literalpath"
    ),
    "+RISK": "switch WhatIf Confirm\nalias wi=whatif cf=confirm",
    "+TX": "switch UseTransaction\nalias usetx=usetransaction",
}
_CMDLET_TABLE = """
Test-Path +FILTERS +TX
  switch IsValid
  value NewerThan OlderThan PathType
  alias type=pathtype
Get-Item +FILTERS +TX
  switch CodeSigningCert DocumentEncryptionCert Force SSLServerAuthentication
  value DnsName Eku ExpiringInDays Stream
Get-ChildItem +FILTERS +TX
  switch CodeSigningCert Directory DocumentEncryptionCert File FollowSymlink Force Hidden Name
  switch ReadOnly Recurse SSLServerAuthentication System
  value Attributes Depth DnsName Eku ExpiringInDays
  alias ad=directory d=directory af=file ah=hidden h=hidden ar=readonly s=recurse as=system
Get-ItemProperty +FILTERS +TX
  value Name
  alias psproperty=name
Set-ItemProperty +FILTERS +RISK +TX
  switch Force PassThru
  value InputObject Name Type Value
  alias psproperty=name
Remove-Item +FILTERS +RISK +TX
  switch DeleteKey Force Recurse
  value Stream
Copy-Item +FILTERS +RISK +TX
  switch Container Force PassThru Recurse
  value Destination FromSession ToSession
Move-Item +FILTERS +RISK +TX
  switch Force PassThru
  value Destination
Rename-Item +RISK +TX
  switch Force PassThru
  value Credential LiteralPath NewName Path
  alias pspath=literalpath
Get-Content +FILTERS +TX
  switch Force Raw Wait
  value Delimiter Encoding ReadCount Stream Tail TotalCount
  alias last=tail first=totalcount head=totalcount
Set-Content +FILTERS +RISK +TX
  switch Force NoNewline PassThru
  value Encoding Stream Value
Add-Content +FILTERS +RISK +TX
  switch Force NoNewline PassThru
  value Encoding Stream Value
Out-File +RISK path=FilePath
  switch Append Force NoClobber NoNewline
  value Encoding FilePath InputObject LiteralPath Width
  alias pspath=literalpath nooverwrite=noclobber
Get-Acl +FILTERS +TX
  switch AllCentralAccessPolicies Audit
  value InputObject
Set-Acl +FILTERS +RISK +TX
  switch ClearCentralAccessPolicy PassThru
  value AclObject CentralAccessPolicy InputObject
Resolve-Path +TX
  switch Relative
  value Credential LiteralPath Path
  alias pspath=literalpath
Push-Location +TX
  switch PassThru
  value LiteralPath Path StackName
  alias pspath=literalpath
Set-Location +TX
  switch PassThru
  value LiteralPath Path StackName
  alias pspath=literalpath
Get-FileHash
  value Algorithm InputStream LiteralPath Path
  alias pspath=literalpath
Import-Csv
  switch UseCulture
  value Delimiter Encoding Header LiteralPath Path
  alias pspath=literalpath
Export-Csv +RISK
  switch Append Force NoClobber NoTypeInformation UseCulture
  value Delimiter Encoding InputObject LiteralPath Path
  alias pspath=literalpath nooverwrite=noclobber nti=notypeinformation
Clear-Item +FILTERS +RISK +TX
  switch Force
Clear-Content +FILTERS +RISK +TX
  switch Force
  value Stream
"""
# The common parameters and their aliases (about_CommonParameters, 5.1).
_COMMON_TABLE = """
common
  switch Verbose Debug
  value ErrorAction WarningAction InformationAction ErrorVariable WarningVariable
  value InformationVariable OutVariable OutBuffer PipelineVariable
  alias vb=verbose db=debug ea=erroraction wa=warningaction infa=informationaction
  alias ev=errorvariable wv=warningvariable iv=informationvariable ov=outvariable
  alias ob=outbuffer pv=pipelinevariable
"""


def _read_table(table: str) -> dict[str, _Cmdlet]:
    cmdlets: dict[str, _Cmdlet] = {}
    blocks = re.split(r"\n(?=\S)", table.strip())
    for block in blocks:
        header, *body = block.splitlines()
        name, *marks = header.split()
        path_parameter = "path"
        lines = [line.strip() for line in body]
        for mark in marks:
            if mark.startswith("path="):
                path_parameter = mark.split("=", 1)[1].lower()
            else:
                lines.extend(_SHARED[mark].splitlines())
        words: dict[str, list[str]] = {"switch": [], "value": [], "alias": []}
        for line in lines:
            kind, *items = line.lower().split()
            words[kind].extend(items)
        aliases = dict(item.split("=", 1) for item in words["alias"])
        cmdlets[name] = _Cmdlet(
            name, frozenset(words["switch"]), frozenset(words["value"]), aliases, path_parameter
        )
    return cmdlets


PATH_CMDLETS = _read_table(_CMDLET_TABLE)
_COMMON = _read_table(_COMMON_TABLE)["common"]

# Their aliases in Windows PowerShell 5.1 (each cmdlet's reference page, Notes).
CMDLET_ALIASES = {
    "gi": "Get-Item",
    "gci": "Get-ChildItem",
    "ls": "Get-ChildItem",
    "dir": "Get-ChildItem",
    "gp": "Get-ItemProperty",
    "sp": "Set-ItemProperty",
    "ri": "Remove-Item",
    "rm": "Remove-Item",
    "del": "Remove-Item",
    "erase": "Remove-Item",
    "rd": "Remove-Item",
    "rmdir": "Remove-Item",
    "cpi": "Copy-Item",
    "cp": "Copy-Item",
    "copy": "Copy-Item",
    "mi": "Move-Item",
    "mv": "Move-Item",
    "move": "Move-Item",
    "rni": "Rename-Item",
    "ren": "Rename-Item",
    "gc": "Get-Content",
    "cat": "Get-Content",
    "type": "Get-Content",
    "sc": "Set-Content",
    "ac": "Add-Content",
    "rvpa": "Resolve-Path",
    "pushd": "Push-Location",
    "sl": "Set-Location",
    "cd": "Set-Location",
    "chdir": "Set-Location",
    "ipcsv": "Import-Csv",
    "epcsv": "Export-Csv",
    "cli": "Clear-Item",
    "clc": "Clear-Content",
}
# New-Item (alias ni) is left out on purpose: it has no -LiteralPath in 5.1, and its
# reference page says its -Path works like the -LiteralPath of other cmdlets (wildcards are
# not interpreted). ansible.windows writes New-Item -Path too.
_BY_LOWER_NAME = {name.lower(): cmdlet for name, cmdlet in PATH_CMDLETS.items()}
_BY_LOWER_NAME.update({alias: PATH_CMDLETS[name] for alias, name in CMDLET_ALIASES.items()})


def _resolve_parameter(cmdlet: _Cmdlet, written: str) -> str | None:
    """The parameter `-written` names: a full name or alias, else an unambiguous prefix of a
    name; None when it names none (or several).

    about_Functions_CmdletBindingAttribute (5.1) says a parameter may be given by "an
    abbreviation or alias of the name". How an abbreviation is resolved (a unique prefix, an
    exact name winning over a longer one: -Path beside -PathType) is *unconfirmed*: no
    Microsoft page found states it."""
    names = cmdlet.switches | cmdlet.values | _COMMON.switches | _COMMON.values
    if written in names:
        return written
    aliases = {**_COMMON.aliases, **cmdlet.aliases}
    if written in aliases:
        return aliases[written]
    candidates = [name for name in names if name.startswith(written)]
    return candidates[0] if len(candidates) == 1 else None


def _is_switch(cmdlet: _Cmdlet, parameter: str | None) -> bool:
    return parameter in cmdlet.switches or parameter in _COMMON.switches


def _splat_name(element: tree_sitter.Node) -> str | None:
    text = _text(element).strip()
    if text.startswith("@") and re.fullmatch(r"@[\w:]+", text):
        return "$" + text[1:].lower()
    return None


def _string_key(node: tree_sitter.Node) -> str | None:
    text = _text(node).strip()
    if re.fullmatch(r"\w+", text):
        return text.lower()
    quoted = re.fullmatch(r"'(\w+)'|\"(\w+)\"", text)
    return (quoted.group(1) or quoted.group(2)).lower() if quoted else None


def _top_level_entries(assignment: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """The key_expression of each entry of `$v = @{ ... }` (not of hashtables nested in it)."""
    value = next((c for c in assignment.children if c.type == "assignment_value"), None)
    while value is not None and value.type != "hash_literal_expression":
        value = value.named_children[0] if value.named_child_count == 1 else None
    if value is None:
        return
    for body in (c for c in value.named_children if c.type == "hash_literal_body"):
        for entry in (c for c in body.named_children if c.type == "hash_entry"):
            keys = [c for c in entry.named_children if c.type == "key_expression"]
            if keys and keys[0].named_child_count:
                yield keys[0]


def _splatted_keys(root: tree_sitter.Node, variable: str) -> Iterator[tuple[tree_sitter.Node, str]]:
    """The keys a hashtable variable is given in this file: `$v = @{ Key = ... }`,
    `$v.Key = ...` and `$v['Key'] = ...`."""
    for node in _walk(root):
        if node.type != "assignment_expression":
            continue
        left = next((c for c in node.children if c.type == "left_assignment_expression"), None)
        if left is None:
            continue
        target = left.named_children[0] if left.named_child_count else left
        while target.type == "unary_expression" and target.named_child_count == 1:
            target = target.named_children[0]
        if target.type == "variable" and _text(target).strip().lower() == variable:
            for entry in _top_level_entries(node):
                key = _string_key(entry.named_children[0])
                if key:
                    yield entry, key
        elif target.type in ("member_access", "element_access") and target.named_child_count >= 2:
            owner, key_node = target.named_children[0], target.named_children[-1]
            if _text(owner).strip().lower() == variable:
                key = _string_key(key_node)
                if key:
                    yield key_node, key


def check_literal_path(shown: str, root: tree_sitter.Node) -> list[Violation]:
    rule = "literal-path"
    found: list[Violation] = []
    for command in _commands(root):
        cmdlet = _BY_LOWER_NAME.get(command.name or "")
        if cmdlet is None or command.operator == "&":
            continue
        written_name = _text(command.target).strip()
        fix = f"write {cmdlet.name} -LiteralPath <path>"
        positional: list[tree_sitter.Node] = []
        # Once a path parameter is named, positional arguments bind to other parameters.
        path_named = False
        elements = list(command.elements)
        index = 0
        while index < len(elements):
            element = elements[index]
            parameter = _parameter_name(element)
            if parameter is None:
                splat = _splat_name(element)
                if splat:
                    for key_node, key in _splatted_keys(root, splat):
                        resolved = _resolve_parameter(cmdlet, key)
                        if resolved == cmdlet.path_parameter:
                            found.append(
                                _violation(
                                    shown,
                                    key_node,
                                    rule,
                                    f"the key {_text(key_node).strip()} of {splat}, splatted into"
                                    f" {written_name} on line {command.node.start_point.row + 1},"
                                    f" binds -{cmdlet.path_shown}, not -LiteralPath",
                                    "name the key LiteralPath",
                                )
                            )
                        if resolved in (cmdlet.path_parameter, "literalpath"):
                            path_named = True
                elif element.type != "stop_parsing":
                    positional.append(element)
                index += 1
                continue
            written, attached = parameter
            as_written = _text(element).strip().lstrip("-").rstrip(":")
            resolved = _resolve_parameter(cmdlet, written)
            if resolved in (cmdlet.path_parameter, "literalpath"):
                path_named = True
            if resolved == cmdlet.path_parameter:
                found.append(
                    _violation(
                        shown,
                        element,
                        rule,
                        f"{written_name} -{as_written} is not -LiteralPath, the one parameter"
                        " documented as used exactly as typed (-Path takes wildcards on most"
                        " cmdlets)",
                        fix,
                    )
                )
            elif written == "lp":
                found.append(
                    _violation(
                        shown,
                        element,
                        rule,
                        f"{written_name} -{as_written}: the -lp alias of -LiteralPath is"
                        " PowerShell 6 and later; Windows PowerShell 5.1 knows only -LiteralPath"
                        " and -PSPath",
                        fix,
                    )
                )
                path_named = True
            # `-Name:value` always takes the next element; `-Name value` unless a switch.
            takes_value = attached or not _is_switch(cmdlet, resolved)
            if takes_value and index + 1 < len(elements):
                following = elements[index + 1]
                if _parameter_name(following) is None:
                    index += 1
            index += 1
        if positional and not path_named:
            found.append(
                _violation(
                    shown,
                    positional[0],
                    rule,
                    f"the first positional argument of {written_name} binds to"
                    f" -{cmdlet.path_shown}, not -LiteralPath",
                    fix,
                )
            )
    return found


# ---- all rules ----------------------------------------------------------------------------


def check_source(path: Path, source: bytes, shown: str | None = None) -> list[Violation]:
    """Every violation in one script, sorted by place. `shown` names the file in messages."""
    label = shown if shown is not None else str(path)
    root = parse_powershell(source).root_node
    found = (
        check_native_wrapper(path, label, root, source)
        + check_powershell_51(label, root, source)
        + check_literal_path(label, root)
    )
    return sorted(set(found), key=lambda v: (v.line, v.column, v.rule, v.problem))


def check_file(path: Path, shown: str | None = None) -> list[Violation]:
    return check_source(path, path.read_bytes(), shown)
