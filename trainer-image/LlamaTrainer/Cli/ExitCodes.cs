using LlamaOperator.Api.Layout;

namespace LlamaTrainer.Cli;

/// <summary>Process exit codes the operator tells apart.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed at run time (retryable).</summary>
    public const int Failure = 1;

    /// <summary>The job, flags or environment are invalid (fatal: a retry fails the same way).</summary>
    public const int InvalidInput = 2;

    /// <summary>Runs a command, mapping input errors to <see cref="InvalidInput"/> with their message (no stack trace).</summary>
    public static async Task<int> GuardAsync(Serilog.ILogger log, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or FileNotFoundException or NotSupportedException or PlanException)
        {
            log.Error("{Message}", e.Message);
            return InvalidInput;
        }
        catch (Exception e)
        {
            log.Fatal(e, "llama-train failed");
            return Failure;
        }
        finally
        {
            await Serilog.Log.CloseAndFlushAsync();
        }
    }
}
