namespace LlamaTrainer.Collectives;

/// <summary>A collective that could not complete. The communicator that threw it is unusable afterwards.</summary>
public abstract class CollectiveException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A peer of the group died or closed its connection (its process exited or was killed).</summary>
public sealed class PeerFailureException(string message, Exception? inner = null) : CollectiveException(message, inner);

/// <summary>A collective (or the rendezvous) did not complete within the timeout: a peer is alive but silent, or never arrived.</summary>
public sealed class CollectiveTimeoutException(string message, Exception? inner = null) : CollectiveException(message, inner);

/// <summary>
/// The engine itself failed, through no peer's doing: a CUDA error, an internal error of the library or a call it
/// refused as misuse. Like the others, it leaves the communicator unusable.
/// </summary>
public sealed class CollectiveEngineException(string message, Exception? inner = null) : CollectiveException(message, inner);
