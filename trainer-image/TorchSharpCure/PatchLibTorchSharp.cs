// MSBuild inline task (RoslynCodeTaskFactory): edits a copy of libLibTorchSharp.so in place so that it loads on a
// libstdc++ without GLIBCXX_3.4.32. Two edits, both within the file's existing bytes (no section moves):
//  1. the GLIBCXX_3.4.32 Vernaux in .gnu.version_r gets VER_FLG_WEAK, so ld.so no longer refuses the missing version;
//  2. a DT_NEEDED for the shim that defines the one symbol of that version. Its name is written into the bytes of the
//     DT_RUNPATH string, which is cut to "$ORIGIN/" (the rest are paths of TorchSharp's build machine), and the entry
//     takes a spare DT_NULL slot of .dynamic. The loader then finds the shim beside the library through $ORIGIN.
// Idempotent: a file already patched is left alone, so incremental builds do nothing.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class PatchLibTorchSharp : Task
{
    private const long DtNull = 0, DtNeeded = 1, DtRunpath = 29;
    private const ushort VerFlgWeak = 0x2;

    [Required] public string Library { get; set; } = "";
    [Required] public string ShimName { get; set; } = "";
    public string Version { get; set; } = "GLIBCXX_3.4.32";

    public override bool Execute()
    {
        try
        {
            var bytes = File.ReadAllBytes(Library);
            var stamp = File.GetLastWriteTimeUtc(Library);
            var changed = Patch(bytes);
            if (changed)
            {
                // Write a new file and move it over the old one: the output copy may be a hard link into the NuGet cache.
                var temp = Library + ".patching";
                File.WriteAllBytes(temp, bytes);
                File.Delete(Library);
                File.Move(temp, Library);
                // Keep the source's time stamp so the SDK's copy (size + time) sees the file as up to date.
                File.SetLastWriteTimeUtc(Library, stamp);
                Log.LogMessage(MessageImportance.High, $"TorchSharp cure: patched {Library} (weak {Version}, needs {ShimName})");
            }
            return true;
        }
        catch (InvalidDataException e)
        {
            Log.LogError($"TorchSharp cure: cannot patch {Library}: {e.Message}");
            return false;
        }
    }

    private bool Patch(byte[] b)
    {
        if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
            throw new InvalidDataException("expected a 64-bit little-endian ELF file");

        long shoff = I64(b, 0x28);
        int shentsize = U16(b, 0x3A), shnum = U16(b, 0x3C);
        long dynOff = -1, dynSize = 0, verOff = -1, verNum = 0, strOff = -1, symOff = -1, symSize = 0;
        for (int i = 0; i < shnum; i++)
        {
            long sh = shoff + (long)i * shentsize;
            uint type = U32(b, sh + 4);
            long off = I64(b, sh + 0x18), size = I64(b, sh + 0x20);
            if (type == 6) { dynOff = off; dynSize = size; strOff = SectionOffset(b, shoff, shentsize, (int)U32(b, sh + 0x28)); }
            else if (type == 0x6ffffffe) { verOff = off; verNum = U32(b, sh + 0x2C); }
            else if (type == 11) { symOff = off; symSize = size; }
        }
        if (dynOff < 0 || verOff < 0 || strOff < 0 || symOff < 0)
            throw new InvalidDataException("missing .dynamic, .gnu.version_r, .dynstr or .dynsym");

        bool changed = false;

        // 1. Mark the version weak.
        bool foundVersion = false;
        long vn = verOff;
        for (long n = 0; n < verNum; n++)
        {
            int cnt = U16(b, vn + 2);
            long vna = vn + U32(b, vn + 8);
            for (int a = 0; a < cnt; a++)
            {
                if (Str(b, strOff + U32(b, vna + 8)) == Version)
                {
                    foundVersion = true;
                    ushort flags = (ushort)U16(b, vna + 4);
                    if ((flags & VerFlgWeak) == 0) { W16(b, vna + 4, (ushort)(flags | VerFlgWeak)); changed = true; }
                }
                vna += U32(b, vna + 12);
            }
            vn += U32(b, vn + 12);
        }
        if (!foundVersion)
            throw new InvalidDataException($"no {Version} entry in .gnu.version_r (a different TorchSharp build? the cure is not needed then)");

        // 2. Add DT_NEEDED for the shim unless it is there already.
        int entries = (int)(dynSize / 16);
        int firstNull = -1;
        long runpathValue = -1;
        for (int i = 0; i < entries; i++)
        {
            long tag = I64(b, dynOff + i * 16L), val = I64(b, dynOff + i * 16L + 8);
            if (tag == DtNull) { firstNull = i; break; }
            if (tag == DtNeeded && Str(b, strOff + val) == ShimName) return changed;
            if (tag == DtRunpath) runpathValue = val;
        }
        if (firstNull < 0 || firstNull + 1 >= entries)
            throw new InvalidDataException(".dynamic has no spare slot for a DT_NEEDED entry");
        if (runpathValue < 0)
            throw new InvalidDataException("no DT_RUNPATH to host the shim's name");

        string runpath = Str(b, strOff + runpathValue);
        const string origin = "$ORIGIN/";
        if (!runpath.StartsWith(origin, StringComparison.Ordinal))
            throw new InvalidDataException($"DT_RUNPATH '{runpath}' does not start with {origin}");
        long nameAt = runpathValue + origin.Length + 1;
        if (origin.Length + 1 + ShimName.Length + 1 > runpath.Length + 1)
            throw new InvalidDataException($"DT_RUNPATH is too short to hold '{ShimName}'");
        EnsureNotShared(b, symOff, symSize, runpathValue, runpath.Length);

        b[strOff + runpathValue + origin.Length] = 0;
        var name = Encoding.ASCII.GetBytes(ShimName);
        Array.Copy(name, 0, b, strOff + nameAt, name.Length);
        b[strOff + nameAt + name.Length] = 0;
        W64(b, dynOff + firstNull * 16L, DtNeeded);
        W64(b, dynOff + firstNull * 16L + 8, nameAt);
        W64(b, dynOff + (firstNull + 1) * 16L, DtNull);
        W64(b, dynOff + (firstNull + 1) * 16L + 8, 0);
        return true;
    }

    // The linker may merge a string into the tail of another; overwriting the RUNPATH must not change a symbol name.
    private static void EnsureNotShared(byte[] b, long symOff, long symSize, long start, int length)
    {
        for (long s = symOff; s + 24 <= symOff + symSize; s += 24)
        {
            long name = U32(b, s);
            if (name > start && name <= start + length)
                throw new InvalidDataException("a symbol name shares the bytes of DT_RUNPATH");
        }
    }

    private static long SectionOffset(byte[] b, long shoff, int shentsize, int index) => I64(b, shoff + (long)index * shentsize + 0x18);

    private static string Str(byte[] b, long at)
    {
        long end = at;
        while (b[end] != 0) end++;
        return Encoding.ASCII.GetString(b, (int)at, (int)(end - at));
    }

    private static int U16(byte[] b, long at) => BitConverter.ToUInt16(b, (int)at);
    private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, (int)at);
    private static long I64(byte[] b, long at) => BitConverter.ToInt64(b, (int)at);
    private static void W16(byte[] b, long at, ushort v) => BitConverter.GetBytes(v).CopyTo(b, at);
    private static void W64(byte[] b, long at, long v) => BitConverter.GetBytes(v).CopyTo(b, at);
}
