namespace LlamaTrainer.Model;

/// <summary>
/// The first exception raised inside a custom backward. One thrown there would abort the process inside libtorch,
/// so the function records it here and returns; the caller rethrows it once backward() has returned.
/// </summary>
public sealed class BackwardFailure
{
    private Exception? _first;

    public void Record(Exception exception) => Interlocked.CompareExchange(ref _first, exception, null);

    public void ThrowIfAny()
    {
        if (Interlocked.Exchange(ref _first, null) is { } failure)
            throw new InvalidOperationException($"backward failed: {failure.Message}", failure);
    }
}
