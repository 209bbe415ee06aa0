"""The Windows surface the lab's module ports run over (docs/lab.md, "The Windows surface").

Between the simulated world (wsfc_lab.world) and the ports of the collection's PowerShell
(wsfc_lab.emulation) sits what a module's PowerShell sees on a node: cmdlets, CIM classes,
registry values, native programs and a few .NET file operations. Each returns what Windows
returns, in its shapes: objects carry the properties Microsoft documents and nothing else, and
a property Windows does not have reads as None, as it reads as $null in PowerShell without
StrictMode (docs/windows-behaviour.md#powershell-strict-mode). Each entry names the fact of
docs/windows-behaviour.md it follows; the Windows-call contract checks both.
"""
