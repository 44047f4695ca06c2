using LlamaOperator.Api.Resolution;
using LlamaTrainer.Launch;

namespace LlamaTrainer.Tests.Launch;

public class LaunchPlanTests
{
    private static readonly (string, IReadOnlyList<string>) Command = ("dotnet", ["llama-train.dll", "train", "--job", "job.yaml"]);

    [Fact]
    public void Workers_get_global_ranks_from_the_node_rank_and_an_even_share_of_the_cores()
    {
        var workers = LaunchPlan.For(nodeRank: 2, processesPerNode: 4, cores: 16, ompThreads: null, Command, new Dictionary<string, string>());

        Assert.Equal([8, 9, 10, 11], workers.Select(w => w.Rank));
        Assert.Equal(["0", "1", "2", "3"], workers.Select(w => w.Environment["LOCAL_RANK"]));
        Assert.Equal(["8", "9", "10", "11"], workers.Select(w => w.Environment["RANK"]));
        Assert.All(workers, w => Assert.Equal("4", w.Environment["OMP_NUM_THREADS"]));
        Assert.All(workers, w => Assert.Equal(["llama-train.dll", "train", "--job", "job.yaml"], w.Arguments));
    }

    [Fact]
    public void A_set_OMP_NUM_THREADS_is_kept_and_more_workers_than_cores_get_one_thread_each()
    {
        var kept = LaunchPlan.For(0, 2, cores: 16, ompThreads: "3", Command, new Dictionary<string, string>());
        var oversubscribed = LaunchPlan.For(0, 4, cores: 2, ompThreads: null, Command, new Dictionary<string, string>());

        Assert.All(kept, w => Assert.Equal("3", w.Environment["OMP_NUM_THREADS"]));
        Assert.All(oversubscribed, w => Assert.Equal("1", w.Environment["OMP_NUM_THREADS"]));
    }

    [Fact]
    public void A_standalone_gang_puts_every_rank_on_loopback_with_the_stage_degrees()
    {
        var gang = StandaloneGang.Variables(new ResolvedParallelism(1, 1, 1, 4), port: 40123, generation: "local-7");
        var workers = LaunchPlan.For(0, 4, cores: 2, ompThreads: null, Command, gang);

        Assert.All(workers, w => Assert.Equal(
            ("127.0.0.1", "40123", "4", "4", "4", "local-7"),
            (w.Environment["MASTER_ADDR"], w.Environment["MASTER_PORT"], w.Environment["WORLD_SIZE"], w.Environment["NPROC_PER_NODE"], w.Environment["LLAMA_DP"], w.Environment["LLAMA_GANG_GENERATION"])));
    }
}
