using LlamaOperator.Api;
using LlamaOperator.Api.Layout;
using LlamaTrainer.Collectives;

namespace LlamaTrainer.Cli;

/// <summary>
/// Maps a command's errors to the exit codes the operator tells apart (<see cref="TrainerExitCodes"/>) and writes the
/// error's message as the termination message. Input errors are the ones a retry cannot cure (the job, flags,
/// environment, data, tokenizer or checkpoint storage do not fit): they exit with InvalidInput, which is fatal.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Runs a command, mapping input errors to InvalidInput and collective failures to PeerFailure or CollectiveTimeout, with their message (no stack trace).</summary>
    public static async Task<int> GuardAsync(Serilog.ILogger log, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (IsInputError(e))
        {
            return Fail(log, e.Message, TrainerExitCodes.InvalidInput);
        }
        catch (PeerFailureException e)
        {
            return Fail(log, e.Message, TrainerExitCodes.PeerFailure);
        }
        catch (CollectiveTimeoutException e)
        {
            return Fail(log, e.Message, TrainerExitCodes.CollectiveTimeout);
        }
        catch (Exception e)
        {
            log.Fatal(e, "llama-train failed");
            TerminationMessage.Write($"llama-train failed: {e.GetType().Name}: {e.Message}");
            return TrainerExitCodes.Failure;
        }
        finally
        {
            await Serilog.Log.CloseAndFlushAsync();
        }
    }

    /// <summary>Errors that come from what the run was given, so that a retry fails the same way.</summary>
    private static bool IsInputError(Exception e) =>
        e is ArgumentException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException or FormatException or NotSupportedException or PlanException;

    private static int Fail(Serilog.ILogger log, string message, int code)
    {
        log.Error("{Message}", message);
        TerminationMessage.Write(message);
        return code;
    }
}
