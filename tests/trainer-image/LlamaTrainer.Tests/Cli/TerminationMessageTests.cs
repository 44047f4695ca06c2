using System.Text;
using LlamaOperator.Api;
using LlamaTrainer.Cli;

namespace LlamaTrainer.Tests.Cli;

public class TerminationMessageTests
{
    [Fact]
    public void The_message_is_one_line_without_storage_keys_or_signatures()
    {
        var text = TerminationMessage.Format("cannot open\n  BlobEndpoint=https://a.blob.core.windows.net/;AccountKey=c2VjcmV0;\nurl https://a.blob.core.windows.net/c/x?sv=2024&sig=abc%2Bdef&se=1");

        Assert.Equal("cannot open BlobEndpoint=https://a.blob.core.windows.net/;AccountKey=***; url https://a.blob.core.windows.net/c/x?sv=2024&sig=***&se=1", text);
    }

    [Fact]
    public void A_long_message_is_cut_to_the_kubelets_4096_bytes_without_splitting_a_character()
    {
        var text = TerminationMessage.Format(new string('x', 4000) + new string('ü', 100));

        // 4000 x and 46 two-byte ü fill 4092 of the 4093 bytes before the ellipsis; half a 47th ü is not written.
        Assert.Equal(4095, Encoding.UTF8.GetByteCount(text));
        Assert.True(Encoding.UTF8.GetByteCount(text) <= TrainerTerminationMessage.MaxBytes);
        Assert.EndsWith(new string('ü', 46) + "...", text);
    }

    [Fact]
    public void It_is_written_only_to_a_file_the_kubelet_created()
    {
        using var folder = new TempFolder();
        var created = Path.Combine(folder.Path, "termination-log");
        File.WriteAllText(created, "");
        var absent = Path.Combine(folder.Path, "absent");

        TerminationMessage.Write(created, "job manifest 'job.yaml' does not exist");
        TerminationMessage.Write(absent, "outside a pod");

        Assert.Equal("job manifest 'job.yaml' does not exist", File.ReadAllText(created));
        Assert.False(File.Exists(absent));
    }
}
