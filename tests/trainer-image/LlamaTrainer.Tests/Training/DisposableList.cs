namespace LlamaTrainer.Tests.Training;

/// <summary>Things a test makes in a loop and disposes together at its end.</summary>
internal sealed class DisposableList<T> : IDisposable
    where T : IDisposable
{
    private readonly List<T> _items = [];

    public T Add(T item)
    {
        _items.Add(item);
        return item;
    }

    public void Dispose() => _items.ForEach(item => item.Dispose());
}
