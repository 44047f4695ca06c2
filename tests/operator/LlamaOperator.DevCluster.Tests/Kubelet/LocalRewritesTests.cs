using LlamaOperator.DevCluster.Kubelet;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

public class LocalRewritesTests
{
    private static readonly LocalRewrites Mounts = new([("/etc/llamaop", "/w/pod/volumes/job-config"), ("/etc/llamaop/extra/", "/w/pod/volumes/extra"), ("/dev/shm", "/w/pod/volumes/dshm")]);

    private static readonly LocalRewrites MountsAndNames = new(
        [("/etc/llamaop", "/w/pod/volumes/job-config")],
        [("job-s-0.job-s", "127.1.0.7"), ("job-s-0.job-s.ns", "127.1.0.7"), ("job-s-0.job-s.ns.svc", "127.1.0.7"), ("job-s-0.job-s.ns.svc.cluster.local", "127.1.0.7"), ("job-s-1.job-s.ns.svc", "127.1.0.8")]);

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

    [Theory]
    [InlineData("job-s-0.job-s.ns.svc", "127.1.0.7")]
    [InlineData("job-s-0.job-s.ns.svc.cluster.local", "127.1.0.7")]
    [InlineData("job-s-0.job-s", "127.1.0.7")]
    [InlineData("tcp://job-s-0.job-s.ns.svc:29500", "tcp://127.1.0.7:29500")]
    [InlineData("--master=job-s-0.job-s.ns.svc --peer job-s-1.job-s.ns.svc", "--master=127.1.0.7 --peer 127.1.0.8")]
    [InlineData("--job /etc/llamaop/job.json --master job-s-0.job-s.ns", "--job /w/pod/volumes/job-config/job.json --master 127.1.0.7")]
    public void Pod_dns_names_in_text_become_the_pods_addresses(string text, string expected) =>
        Assert.Equal(expected, MountsAndNames.Rewrite(text));

    [Theory]
    [InlineData("xjob-s-0.job-s.ns.svc")]
    [InlineData("job-s-0.job-s.other")]
    [InlineData("job-s-0.job-s.ns.svc.example.com")]
    [InlineData("job-s-10.job-s.ns.svc")]
    [InlineData("job-s-0_job-s")]
    public void Text_that_only_resembles_a_pod_dns_name_is_left_alone(string text) =>
        Assert.Equal(text, MountsAndNames.Rewrite(text));

    [Fact]
    public void Host_path_of_a_container_path_uses_the_innermost_mount()
    {
        Assert.Equal("/w/pod/volumes/extra/a/b", Mounts.HostPathOf("/etc/llamaop/extra/a/b"));
        Assert.Equal("/w/pod/volumes/job-config/sub", Mounts.HostPathOf("/etc/llamaop/sub/"));
        Assert.Null(Mounts.HostPathOf("/tmp"));
    }
}
