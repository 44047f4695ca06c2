// MSBuild inline task: tells whether the host's libstdc++ (the one ld.so would load) lacks a symbol version.
using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class HostLibStdCxx : Task
{
    private static readonly string[] Candidates =
    {
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    [Required] public string Version { get; set; } = "";

    [Output] public bool LacksVersion { get; set; }

    public override bool Execute()
    {
        var path = Candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            Log.LogMessage(MessageImportance.Normal, "TorchSharp cure: no host libstdc++.so.6 found; nothing to do");
            return true;
        }

        var needle = Encoding.ASCII.GetBytes(Version + "\0");
        LacksVersion = !Contains(File.ReadAllBytes(path), needle);
        Log.LogMessage(MessageImportance.Normal, $"TorchSharp cure: {path} {(LacksVersion ? "lacks" : "has")} {Version}");
        return true;
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j]) j++;
            if (j == needle.Length) return true;
        }
        return false;
    }
}
