"""check_pwsh_syntax.py: valid PowerShell passes, broken PowerShell fails with its place."""

from pathlib import Path

import check_pwsh_syntax

VALID_MODULE = """#!powershell
#AnsibleRequires -CSharpUtil Ansible.Basic

$spec = @{
    options = @{ name = @{ type = 'str'; required = $true } }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
foreach ($item in @(1, 2)) {
    if ($item -gt 1) { $module.Result.item = "last: $($item)" }
}
$module.ExitJson()
"""

# Line 4 opens a script block that never closes.
BROKEN_MODULE = """#!powershell

$module = $null
if ($true) {
    $module.Result.value = @{ a = 1
"""


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_script_passes(tmp_path, capsys):
    _write(tmp_path, "good.ps1", VALID_MODULE)

    assert check_pwsh_syntax.main([str(tmp_path)]) == 0
    assert "1 files checked, 0 with errors" in capsys.readouterr().out


def test_broken_script_fails_naming_file_and_line(tmp_path, capsys):
    _write(tmp_path, "good.ps1", VALID_MODULE)
    broken = _write(tmp_path, "broken.psm1", BROKEN_MODULE)

    assert check_pwsh_syntax.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    error_lines = [line for line in out.splitlines() if line.startswith(str(broken))]
    assert len(error_lines) == 1
    line_number = int(error_lines[0].split(":")[1])
    assert 4 <= line_number <= 5
    assert "2 files checked, 1 with errors" in out


def test_missing_closing_brace_is_reported_as_missing(tmp_path, capsys):
    broken = _write(tmp_path, "unclosed.ps1", "if ($true) {\n    $x = 1\n")

    assert check_pwsh_syntax.main([str(broken)]) == 1
    assert "missing '}'" in capsys.readouterr().out


def test_environments_and_caches_are_not_searched(tmp_path, capsys):
    _write(tmp_path, "good.ps1", VALID_MODULE)
    for excluded in (".venv", ".cache"):
        (tmp_path / excluded).mkdir()
        _write(tmp_path / excluded, "broken.ps1", BROKEN_MODULE)

    assert check_pwsh_syntax.main([str(tmp_path)]) == 0
    assert "1 files checked" in capsys.readouterr().out


def test_suffixes_match_case_insensitively(tmp_path, capsys):
    _write(tmp_path, "Upper.PS1", BROKEN_MODULE)

    assert check_pwsh_syntax.main([str(tmp_path)]) == 1
    assert "Upper.PS1" in capsys.readouterr().out
