"""compile_csharp.py: C# 5 utils compile (also against Ansible.Basic); C# 6 is refused."""

from pathlib import Path

import compile_csharp
import pytest

NAMESPACE_PREFIX = "ansible_collections.wsfc.clusterdb.plugins.module_utils"

STANDALONE_UTIL = f"""using System;
using System.Runtime.InteropServices;

namespace {NAMESPACE_PREFIX}.Standalone
{{
    public static class Native
    {{
        [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        public static extern IntPtr GetModuleHandle(string name);
    }}
}}
"""

INTERPOLATION_UTIL = f"""namespace {NAMESPACE_PREFIX}.Interpolation
{{
    public static class Greeting
    {{
        public static string For(string name) {{ return $"hello {{name}}"; }}
    }}
}}
"""

NULL_CONDITIONAL_UTIL = f"""namespace {NAMESPACE_PREFIX}.NullConditional
{{
    public static class Length
    {{
        public static int? Of(string text) {{ return text?.Length; }}
    }}
}}
"""

# Uses the real Ansible.Basic API from ansible-core, and another util of the collection.
BASIC_USER_UTIL = f"""using System;
using Ansible.Basic;
using {NAMESPACE_PREFIX}.Standalone;

namespace {NAMESPACE_PREFIX}.BasicUser
{{
    public static class Report
    {{
        public static void Handle(AnsibleModule module)
        {{
            module.Result["handle"] = Native.GetModuleHandle(null).ToInt64();
            module.Warn(String.Format("checked {{0}}", module.CheckMode));
        }}
    }}
}}
"""

# AnsibleModule has no member DoesNotExist: proves the util compiles against the real API.
BASIC_MISUSE_UTIL = f"""using Ansible.Basic;

namespace {NAMESPACE_PREFIX}.BasicMisuse
{{
    public static class Report
    {{
        public static void Handle(AnsibleModule module) {{ module.DoesNotExist(); }}
    }}
}}
"""

# An unused variable is a warning, and Add-Type treats warnings as errors.
WARNING_UTIL = f"""namespace {NAMESPACE_PREFIX}.Warning
{{
    public static class Unused
    {{
        public static void Run() {{ int unused = 1; }}
    }}
}}
"""


def _util(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.cs"
    path.write_text(text, encoding="utf-8")
    return path


def test_standalone_csharp5_util_compiles(tmp_path, capsys):
    util = _util(tmp_path, "Standalone", STANDALONE_UTIL)

    assert compile_csharp.main([str(util)]) == 0
    assert "1 compiled, 0 failed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "text", "reported"),
    [
        pytest.param("Interpolation", INTERPOLATION_UTIL, "CS1644", id="string-interpolation"),
        pytest.param(
            "NullConditional", NULL_CONDITIONAL_UTIL, "CS1644", id="null-conditional-operator"
        ),
        pytest.param(
            "BasicMisuse", BASIC_MISUSE_UTIL, "DoesNotExist", id="member-ansible-basic-lacks"
        ),
        pytest.param("Warning", WARNING_UTIL, "CS0219", id="warnings-are-errors-as-under-add-type"),
    ],
)
def test_a_util_add_type_would_refuse_fails_and_is_named(tmp_path, capsys, name, text, reported):
    util = _util(tmp_path, name, text)

    assert compile_csharp.main([str(util)]) == 1
    out = capsys.readouterr().out
    assert str(util) in out
    assert reported in out


def test_util_using_ansible_basic_and_a_sibling_util_compiles(tmp_path, capsys):
    _util(tmp_path, "Standalone", STANDALONE_UTIL)
    util = _util(tmp_path, "BasicUser", BASIC_USER_UTIL)

    assert compile_csharp.main([str(util)]) == 0, capsys.readouterr().out


def test_no_warn_directive_is_honoured(tmp_path):
    util = _util(tmp_path, "Warning", "//NoWarn -Name CS0219\n" + WARNING_UTIL)

    assert compile_csharp.main([str(util)]) == 0


def test_every_failing_util_is_reported(tmp_path, capsys):
    good = _util(tmp_path, "Standalone", STANDALONE_UTIL)
    bad = _util(tmp_path, "Interpolation", INTERPOLATION_UTIL)

    assert compile_csharp.main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "2 compiled, 1 failed" in out
    assert f"{bad}: does not compile" in out
