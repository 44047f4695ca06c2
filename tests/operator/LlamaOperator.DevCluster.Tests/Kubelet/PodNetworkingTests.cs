using System.Net;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

/// <summary>Pods reach each other as on a cluster: an address of their own each, and their pod DNS names resolve (by rewriting).</summary>
public class PodNetworkingTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const int MasterPort = 29500;

    private Kubernetes Client => fixture.Client;

    private static V1EnvVar PodIpVar => new() { Name = "POD_IP", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "status.podIP" } } };

    /// <summary>A pod of a gang: hostname and subdomain as the operator renders them, so it is POD.SERVICE.NS.svc.</summary>
    private static V1Pod GangPod(string name, string service, string script, IList<V1EnvVar>? env = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["gang"] = service } },
        Spec = new V1PodSpec
        {
            Hostname = name,
            Subdomain = service,
            RestartPolicy = "Never",
            Containers = [new V1Container { Name = "main", Image = "busybox", Command = ["sh", "-c", script], Env = [PodIpVar, .. env ?? []] }],
        },
    };

    private static V1Service Headless(string name) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            PublishNotReadyAddresses = true,
            Selector = new Dictionary<string, string> { ["gang"] = name },
            Ports = [new V1ServicePort { Port = MasterPort }],
        },
    };

    private Task<V1Pod> WaitFor(string ns, string name, Func<V1Pod, bool> until, string what) =>
        Eventually.Get(() => Client.CoreV1.ReadNamespacedPodAsync(name, ns), until, TimeSpan.FromSeconds(20), what);

    private async Task<string> Logs(string ns, string name)
    {
        using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(name, ns);
        return (await new StreamReader(stream).ReadToEndAsync()).Trim();
    }

    [Fact]
    public async Task Two_pods_get_loopback_addresses_of_their_own_in_status_and_through_the_downward_api()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedPodAsync(GangPod("a", "none", "echo $POD_IP"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(GangPod("b", "none", "echo $POD_IP"), ns);

        var a = await WaitFor(ns, "a", p => p.Status.Phase == "Succeeded", "pod a Succeeded");
        var b = await WaitFor(ns, "b", p => p.Status.Phase == "Succeeded", "pod b Succeeded");

        Assert.NotEqual(a.Status.PodIP, b.Status.PodIP);
        Assert.All(new[] { a, b }, p =>
        {
            Assert.StartsWith("127.1.", p.Status.PodIP);
            Assert.True(IPAddress.IsLoopback(IPAddress.Parse(p.Status.PodIP)));
            Assert.Equal("127.0.0.1", p.Status.HostIP);
        });
        Assert.Equal(a.Status.PodIP, await Logs(ns, "a"));
        Assert.Equal(b.Status.PodIP, await Logs(ns, "b"));
    }

    [Fact]
    public async Task Master_addr_naming_the_master_pods_dns_name_becomes_the_master_pods_ip_in_env_and_args()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedServiceAsync(Headless("job-s"), ns);
        await Client.CoreV1.CreateNamespacedPodAsync(GangPod("job-s-0", "job-s", "sleep 30"), ns);
        var worker = GangPod("job-s-1", "job-s", "echo \"$MASTER_ADDR\" \"$1\"", [new V1EnvVar { Name = "MASTER_ADDR", Value = $"job-s-0.job-s.{ns}.svc" }]);
        worker.Spec.Containers[0].Command = [.. worker.Spec.Containers[0].Command, "sh", $"tcp://job-s-0.job-s.{ns}.svc.cluster.local:{MasterPort}"];
        await Client.CoreV1.CreateNamespacedPodAsync(worker, ns);

        await WaitFor(ns, "job-s-1", p => p.Status.Phase == "Succeeded", "worker Succeeded");
        var master = await Client.CoreV1.ReadNamespacedPodAsync("job-s-0", ns);

        Assert.Equal($"{master.Status.PodIP} tcp://{master.Status.PodIP}:{MasterPort}", await Logs(ns, "job-s-1"));
        await Client.CoreV1.DeleteNamespacedPodAsync("job-s-0", ns, gracePeriodSeconds: 0);
    }

    [Fact]
    public async Task Two_jobs_whose_masters_listen_on_the_same_port_do_not_clash()
    {
        // Each job: a master that listens on POD_IP:29500 and answers once, a worker that connects to MASTER_ADDR (the master's DNS name).
        const string Listen = "perl -MIO::Socket::INET -e '$|=1; $s = IO::Socket::INET->new(LocalAddr => $ENV{POD_IP}, LocalPort => 29500, Listen => 5, ReuseAddr => 1) or die \"listen: $!\\n\"; print \"listening\\n\"; $c = $s->accept; print $c \"hello from $ENV{POD_IP}\\n\"; close $c'";
        const string Connect = "perl -MIO::Socket::INET -e 'for (1..100) { $c = IO::Socket::INET->new(PeerAddr => $ENV{MASTER_ADDR}, PeerPort => 29500) and last; select(undef, undef, undef, 0.1) } $c or die \"connect: $!\\n\"; print scalar <$c>'";
        var jobs = new[] { await fixture.NewNamespaceAsync(), await fixture.NewNamespaceAsync() };
        foreach (var ns in jobs)
        {
            await Client.CoreV1.CreateNamespacedServiceAsync(Headless("job-s"), ns);
            await Client.CoreV1.CreateNamespacedPodAsync(GangPod("job-s-0", "job-s", Listen), ns);
        }

        // Both masters hold the port at once before either worker connects.
        foreach (var ns in jobs)
        {
            await WaitFor(ns, "job-s-0", p => p.Status.Phase is "Running" or "Failed", "master started");
            await Eventually.Get(() => Logs(ns, "job-s-0"), l => l.Length > 0, TimeSpan.FromSeconds(20), "master listening");
            Assert.Equal("listening", await Logs(ns, "job-s-0"));
        }
        foreach (var ns in jobs)
        {
            await Client.CoreV1.CreateNamespacedPodAsync(GangPod("job-s-1", "job-s", Connect, [new V1EnvVar { Name = "MASTER_ADDR", Value = $"job-s-0.job-s.{ns}.svc" }]), ns);
        }

        foreach (var ns in jobs)
        {
            var master = await WaitFor(ns, "job-s-0", p => p.Status.Phase is "Succeeded" or "Failed", "master finished");
            var worker = await WaitFor(ns, "job-s-1", p => p.Status.Phase is "Succeeded" or "Failed", "worker finished");
            Assert.Equal(("Succeeded", "Succeeded"), (master.Status.Phase, worker.Status.Phase));
            Assert.Equal($"hello from {master.Status.PodIP}", await Logs(ns, "job-s-1"));
        }
    }
}
