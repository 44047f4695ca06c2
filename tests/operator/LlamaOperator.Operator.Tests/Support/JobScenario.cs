using k8s;
using k8s.Models;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Operator.Hosting;
using Xunit.Abstractions;

namespace LlamaOperator.Operator.Tests.Support;

/// <summary>One test's world: a namespace, a checkpoint folder, the operator, the fake kubelet and the trainer's output.</summary>
internal sealed class JobScenario : IAsyncDisposable
{
    private readonly TempFolder _checkpoints = new();

    private JobScenario(ClusterFixture fixture, string ns, RequestCounter counter)
    {
        Namespace = ns;
        Counter = counter;
        Client = fixture.Client(counter);
        Kubelet = new FakeKubelet(Client, ns);
        Trainer = new TrainerOutput(_checkpoints.Path);
    }

    public string Namespace { get; }

    /// <summary>Counts the writes of every client built on it: the operator's and the test's own.</summary>
    public RequestCounter Counter { get; }

    public Kubernetes Client { get; }

    public FakeKubelet Kubelet { get; }

    public TrainerOutput Trainer { get; }

    public string CheckpointFolder => _checkpoints.Path;

    public RunningOperator? Operator { get; private set; }

    /// <summary>A fresh namespace; the operator is not started yet.</summary>
    public static async Task<JobScenario> CreateAsync(ClusterFixture fixture) => new(fixture, await fixture.NewNamespaceAsync(), new RequestCounter());

    public RunningOperator StartOperator(ITestOutputHelper output, OperatorOptions? options = null, string name = "op")
    {
        Operator = new RunningOperator(Client, options ?? RunningOperator.Options(Namespace), output, name);
        return Operator;
    }

    public Task ApplyAsync(Action<LlamaTrainingJob>? edit = null)
    {
        var job = TestJobs.ThreeStages(Namespace, CheckpointFolder);
        edit?.Invoke(job);
        return TestJobs.CreateAsync(Client, job);
    }

    public Task<LlamaTrainingJob> JobAsync() => TestJobs.GetAsync(Client, Namespace);

    public Task<IReadOnlyList<V1Pod>> PodsAsync(string? stage = null) => Kubelet.PodsAsync(stage);

    public Task WaitForPhaseAsync(JobPhase phase, double seconds = 15) =>
        Eventually.HoldsAsync(async () => (await JobAsync()).Status?.Phase == phase, $"phase {phase}", seconds);

    public Task WaitForPodsAsync(string stage, int count, double seconds = 15) =>
        Eventually.HoldsAsync(async () => (await PodsAsync(stage)).Count(p => p.Metadata.DeletionTimestamp is null) == count && (await PodsAsync()).Count == count, $"exactly {count} pods, all of stage {stage}", seconds);

    /// <summary>Applies the job and brings its pretrain gang to Running.</summary>
    public async Task RunPretrainAsync(Action<LlamaTrainingJob>? edit = null)
    {
        await ApplyAsync(edit);
        await WaitForPodsAsync("pretrain", 2);
        await Kubelet.RunAsync("pretrain");
        await WaitForPhaseAsync(JobPhase.Running);
    }

    public async ValueTask DisposeAsync()
    {
        if (Operator is not null)
        {
            await Operator.DisposeAsync();
        }

        Client.Dispose();
        _checkpoints.Dispose();
    }
}
