using LlamaTrainer.Parallel;

namespace LlamaTrainer.Tests.Parallel;

public class DistributedEnvironmentTests
{
    [Fact]
    public void The_operator_variables_give_the_layout_and_the_defaults()
    {
        var env = DistributedEnvironment.From(new Dictionary<string, string>
        {
            ["MASTER_ADDR"] = "job-0.job",
            ["MASTER_PORT"] = "29500",
            ["WORLD_SIZE"] = "16",
            ["RANK"] = "13",
            ["NPROC_PER_NODE"] = "2",
            ["LLAMA_TP"] = "2",
            ["LLAMA_CP"] = "2",
            ["LLAMA_PP"] = "2",
            ["LLAMA_DP"] = "2",
            ["LLAMA_STAGE"] = "pretrain",
            ["LLAMA_CHECKPOINT_URI"] = "/ckpt",
        });

        Assert.Equal(("job-0.job", 29500, "pretrain", "/ckpt"), (env.MasterAddr, env.MasterPort, env.Stage, env.CheckpointUri));
        // 13 = tp 1 + 2 * (cp 0 + 2 * (pp 1 + 2 * dp 1)).
        Assert.Equal(new LlamaOperator.Api.Layout.RankCoordinates(1, 0, 1, 1), env.Coordinates);
    }

    [Fact]
    public void Degrees_that_do_not_multiply_to_the_world_size_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => DistributedEnvironment.From(new Dictionary<string, string> { ["WORLD_SIZE"] = "8", ["LLAMA_TP"] = "2" }));

        Assert.Contains("WORLD_SIZE = 8", error.Message);
    }

    [Fact]
    public void A_malformed_number_names_its_variable()
    {
        var error = Assert.Throws<ArgumentException>(() => DistributedEnvironment.From(new Dictionary<string, string> { ["RANK"] = "zero" }));

        Assert.Contains("RANK='zero'", error.Message);
    }

    [Fact]
    public void A_world_without_ranks_or_a_rendezvous_is_refused_with_what_is_missing()
    {
        var noRank = Assert.Throws<ArgumentException>(() => DistributedEnvironment.From(new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["LLAMA_DP"] = "2", ["MASTER_ADDR"] = "a", ["MASTER_PORT"] = "1" }));
        var noStore = Assert.Throws<ArgumentException>(() => DistributedEnvironment.From(new Dictionary<string, string> { ["WORLD_SIZE"] = "2", ["LLAMA_DP"] = "2", ["RANK"] = "1" }));

        Assert.Contains("neither RANK (one process per pod) nor NPROC_PER_NODE > 1", noRank.Message);
        Assert.Contains("MASTER_ADDR and MASTER_PORT", noStore.Message);
    }

    [Fact]
    public void The_gang_generation_pod_ip_and_collective_timeout_come_from_the_pod()
    {
        var env = DistributedEnvironment.From(new Dictionary<string, string>
        {
            ["LLAMA_GANG_GENERATION"] = "job-3",
            ["POD_IP"] = "10.0.0.7",
            ["LLAMA_COLLECTIVE_TIMEOUT_SECONDS"] = "45",
        });

        Assert.Equal(("job-3", "10.0.0.7", 45), (env.Generation, env.PodIp, env.CollectiveTimeoutSeconds));
        Assert.False(env.RankGiven);
    }
}
