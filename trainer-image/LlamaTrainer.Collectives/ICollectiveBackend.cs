namespace LlamaTrainer.Collectives;

/// <summary>
/// An engine that builds process groups of one gang (Gloo on CPU, NCCL on GPU). Creating a group is collective: every
/// member calls <see cref="CreateGroup"/> with the same name and ranks, and every rank creates its groups in the same
/// order (a member blocks until all others arrive). A rank not in the group must not call. Disposing the backend
/// disposes every group it created.
/// </summary>
public interface ICollectiveBackend : IDisposable
{
    /// <summary>
    /// Connects the group of <paramref name="globalRanks"/> (group rank i is globalRanks[i]); <paramref name="name"/>
    /// (unique within the gang, e.g. "dp-3") scopes the group's rendezvous keys and appears in errors.
    /// </summary>
    ICommunicator CreateGroup(string name, IReadOnlyList<int> globalRanks);
}
