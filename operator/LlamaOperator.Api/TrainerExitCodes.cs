namespace LlamaOperator.Api;

/// <summary>
/// The trainer's exit-code contract, the one place it is defined: llama-train exits with these and the operator
/// classifies a failed trainer pod by them. Codes 137 (SIGKILL: OOM killer, grace period over) and others not listed
/// here come from the kernel or the kubelet, not from the trainer.
/// </summary>
public static class TrainerExitCodes
{
    public const int Success = 0;

    /// <summary>Something failed at run time; retryable.</summary>
    public const int Failure = 1;

    /// <summary>The job, flags or environment are invalid; fatal by default (a retry fails the same way).</summary>
    public const int InvalidInput = 2;

    /// <summary>A peer of a collective died (connection closed or reset): a consequence of another rank's failure; retryable.</summary>
    public const int PeerFailure = 3;

    /// <summary>A collective or the rendezvous did not complete within failurePolicy.collectiveTimeoutSeconds; retryable.</summary>
    public const int CollectiveTimeout = 4;

    /// <summary>A stop request (SIGTERM) ended the run after a checkpoint: 128 + 15, as a shell reports it.</summary>
    public const int Interrupted = 143;
}
