using LlamaTrainer.Launch;
using Serilog.Core;

namespace LlamaTrainer.Tests.Launch;

public class WorkerLauncherTests
{
    private static WorkerSpec Shell(int rank, string script) =>
        new(rank, rank, "/bin/sh", ["-c", script], new Dictionary<string, string>());

    [Fact]
    public async Task The_first_failed_worker_gives_the_exit_code_and_its_termination_message_as_the_cause()
    {
        // Rank 1 fails first and says why; rank 0 is stopped because of it and says something else afterwards.
        WorkerSpec[] workers =
        [
            Shell(0, "trap 'echo \"peer gone\" > \"$LLAMA_TERMINATION_MESSAGE_PATH\"; exit 3' TERM; while true; do sleep 0.05; done"),
            Shell(1, "sleep 0.3; echo 'data source general: no prepared data' > \"$LLAMA_TERMINATION_MESSAGE_PATH\"; exit 2"),
        ];

        var outcome = await new WorkerLauncher(TimeSpan.FromSeconds(5), Logger.None).RunAsync(workers, CancellationToken.None);

        Assert.Equal(new LaunchOutcome(2, "rank 1: data source general: no prepared data"), outcome);
    }

    [Fact]
    public async Task A_worker_that_wrote_no_message_is_named_with_its_exit_code()
    {
        var outcome = await new WorkerLauncher(TimeSpan.FromSeconds(5), Logger.None).RunAsync([Shell(0, "exit 0"), Shell(1, "exit 7")], CancellationToken.None);

        Assert.Equal(new LaunchOutcome(7, "worker rank 1 exited with code 7"), outcome);
    }

    [Fact]
    public async Task Workers_that_all_succeed_have_no_cause()
    {
        var outcome = await new WorkerLauncher(TimeSpan.FromSeconds(5), Logger.None).RunAsync([Shell(0, "exit 0"), Shell(1, "exit 0")], CancellationToken.None);

        Assert.Equal(new LaunchOutcome(0, null), outcome);
    }
}
