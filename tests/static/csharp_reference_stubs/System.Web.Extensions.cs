// Compile-time stand-in for JavaScriptSerializer (System.Web.Extensions.dll in the .NET
// Framework), which Ansible.Basic.cs uses under Windows PowerShell 5.1. Debian's minimal
// Mono runtime does not carry that assembly. Signatures only; never run.
namespace System.Web.Script.Serialization
{
    public class JavaScriptSerializer
    {
        public int MaxJsonLength { get; set; }

        public int RecursionLimit { get; set; }

        public T Deserialize<T>(string input) { return default(T); }

        public string Serialize(object obj) { return null; }
    }
}
