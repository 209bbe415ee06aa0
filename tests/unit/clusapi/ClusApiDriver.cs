// Test driver: calls the public API of plugins/module_utils/ClusApi.cs once and prints the
// returned code on stdout, so the pytest side can compare it with what the stub was told
// to return.
//
//   mono driver.exe backup  <cluster name> <path>
//   mono driver.exe restore <path> <force: true|false> <quorum drive letter>
//
// A string argument is either "null" (pass a C# null) or "b64:" followed by the base64 of
// its UTF-8 bytes: command lines are decoded by the locale, base64 keeps non-ASCII text
// exact whatever the locale is.

using System;
using System.Text;
using ansible_collections.wsfc.clusterdb.plugins.module_utils.ClusApi;

public static class ClusApiDriver
{
    private static string DecodeArgument(string argument)
    {
        if (argument == "null")
        {
            return null;
        }
        if (!argument.StartsWith("b64:", StringComparison.Ordinal))
        {
            throw new ArgumentException("expected null or b64:<base64>, got " + argument);
        }
        return Encoding.UTF8.GetString(Convert.FromBase64String(argument.Substring(4)));
    }

    public static int Main(string[] args)
    {
        if (args.Length == 3 && args[0] == "backup")
        {
            int code = ClusterDatabase.Backup(DecodeArgument(args[1]), DecodeArgument(args[2]));
            Console.WriteLine(code);
            return 0;
        }
        if (args.Length == 4 && args[0] == "restore")
        {
            int code = ClusterDatabase.Restore(
                DecodeArgument(args[1]), Boolean.Parse(args[2]), DecodeArgument(args[3]));
            Console.WriteLine(code);
            return 0;
        }
        Console.Error.WriteLine("usage: backup <name> <path> | restore <path> <force> <drive>");
        return 2;
    }
}
