using LlamaOperator.DevCluster.Kubelet;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

public class MountTableTests
{
    private static readonly MountTable Mounts = new([("/etc/llamaop", "/w/pod/volumes/job-config"), ("/etc/llamaop/extra/", "/w/pod/volumes/extra"), ("/dev/shm", "/w/pod/volumes/dshm")]);

    [Theory]
    [InlineData("/etc/llamaop/job.json", "/w/pod/volumes/job-config/job.json")]
    [InlineData("/etc/llamaop", "/w/pod/volumes/job-config")]
    [InlineData("--job=/etc/llamaop/job.json", "--job=/w/pod/volumes/job-config/job.json")]
    [InlineData("cat /etc/llamaop/job.json /dev/shm/x", "cat /w/pod/volumes/job-config/job.json /w/pod/volumes/dshm/x")]
    [InlineData("/usr/bin:/etc/llamaop", "/usr/bin:/w/pod/volumes/job-config")]
    [InlineData("ls /dev/shm; cat </etc/llamaop/a>/dev/shm/b", "ls /w/pod/volumes/dshm; cat </w/pod/volumes/job-config/a>/w/pod/volumes/dshm/b")]
    [InlineData("'/etc/llamaop/a b'", "'/w/pod/volumes/job-config/a b'")]
    [InlineData("/etc/llamaop/extra/f", "/w/pod/volumes/extra/f")]
    public void Mount_paths_in_text_become_the_volume_folders(string text, string expected) =>
        Assert.Equal(expected, Mounts.Rewrite(text));

    [Theory]
    [InlineData("/etc/llamaopx/job.json")]
    [InlineData("/opt/etc/llamaop/job.json")]
    [InlineData("https://host/etc/llamaop/job.json")]
    [InlineData("pretrain")]
    public void Text_that_only_resembles_a_mount_path_is_left_alone(string text) =>
        Assert.Equal(text, Mounts.Rewrite(text));

    [Fact]
    public void Host_path_of_a_container_path_uses_the_innermost_mount()
    {
        Assert.Equal("/w/pod/volumes/extra/a/b", Mounts.HostPathOf("/etc/llamaop/extra/a/b"));
        Assert.Equal("/w/pod/volumes/job-config/sub", Mounts.HostPathOf("/etc/llamaop/sub/"));
        Assert.Null(Mounts.HostPathOf("/tmp"));
    }
}
