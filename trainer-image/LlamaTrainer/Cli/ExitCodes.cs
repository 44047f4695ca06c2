using LlamaOperator.Api;
using LlamaOperator.Api.Layout;
using LlamaTrainer.Collectives;

namespace LlamaTrainer.Cli;

/// <summary>Maps a command's errors to the exit codes the operator tells apart (<see cref="TrainerExitCodes"/>).</summary>
internal static class ExitCodes
{
    /// <summary>Runs a command, mapping input errors to InvalidInput and collective failures to PeerFailure or CollectiveTimeout, with their message (no stack trace).</summary>
    public static async Task<int> GuardAsync(Serilog.ILogger log, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or NotSupportedException or PlanException)
        {
            log.Error("{Message}", e.Message);
            return TrainerExitCodes.InvalidInput;
        }
        catch (PeerFailureException e)
        {
            log.Error("{Message}", e.Message);
            return TrainerExitCodes.PeerFailure;
        }
        catch (CollectiveTimeoutException e)
        {
            log.Error("{Message}", e.Message);
            return TrainerExitCodes.CollectiveTimeout;
        }
        catch (Exception e)
        {
            log.Fatal(e, "llama-train failed");
            return TrainerExitCodes.Failure;
        }
        finally
        {
            await Serilog.Log.CloseAndFlushAsync();
        }
    }
}
