using System.ComponentModel;
using LlamaOperator.Api.Schema;

namespace LlamaOperator.Api.V1Alpha1;

[Description("Failure handling: any failed pod or a hang restarts the whole gang from the last committed checkpoint.")]
public sealed class FailurePolicySpec
{
    [Description("Restarts allowed for retryable failures (infrastructure failures such as node loss or eviction do not count).")]
    [Minimum(0)]
    [DefaultValueJson("10")]
    public int? MaxRestarts { get; set; }

    [Description("First restart delay in seconds; doubles with each consecutive restart.")]
    [Minimum(0)]
    [DefaultValueJson("10")]
    public int? BackoffSeconds { get; set; }

    [Description("Upper bound of the restart delay in seconds.")]
    [Minimum(0)]
    [DefaultValueJson("600")]
    public int? MaxBackoffSeconds { get; set; }

    [Description("A running gang whose heartbeat has not advanced for this many seconds is restarted (catches NCCL hangs).")]
    [Minimum(1)]
    [DefaultValueJson("1800")]
    public int? HangTimeoutSeconds { get; set; }

    [Description("A collective or the rendezvous that does not complete in this many seconds makes the trainer exit with code 4 (CollectiveTimeout), a retryable failure. Keep it below hangTimeoutSeconds, or a stuck collective is restarted as a Hang first.")]
    [Minimum(10)]
    [DefaultValueJson("600")]
    public int? CollectiveTimeoutSeconds { get; set; }

    [Description("Exit codes that are retried. Default: all non-zero codes except the fatal ones.")]
    public List<int>? RetryableExitCodes { get; set; }

    [Description("Exit codes that fail the job at once (for example a bad configuration). Default: [2].")]
    public List<int>? FatalExitCodes { get; set; }
}
