// Compile-time stand-in for the part of the Windows PowerShell SDK
// (System.Management.Automation.dll) that ansible-core's Ansible.Basic.cs uses. Mono has no
// PowerShell SDK; on Windows, Add-Type references the real assembly. Only the signatures
// matter here: these members are never run (tests/static/compile_csharp.py compiles, it
// does not execute).
using System.Collections.ObjectModel;

namespace System.Management.Automation
{
    public class PSObject
    {
        public object BaseObject { get { return null; } }
    }

    public class InvocationInfo
    {
        public string PositionMessage { get { return null; } }
    }

    public class ErrorCategoryInfo
    {
    }

    public class ErrorRecord
    {
        public InvocationInfo InvocationInfo { get { return null; } }

        public ErrorCategoryInfo CategoryInfo { get { return null; } }

        public string FullyQualifiedErrorId { get { return null; } }

        public string ScriptStackTrace { get { return null; } }
    }

    public class ScriptBlock
    {
        public static ScriptBlock Create(string script) { return new ScriptBlock(); }

        public Collection<PSObject> Invoke(params object[] args) { return new Collection<PSObject>(); }
    }
}

namespace System.Management.Automation.Runspaces
{
    public class Runspace
    {
        public static Runspace DefaultRunspace { get { return null; } }
    }
}
