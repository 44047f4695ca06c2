using System.Text;

namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// A container's output, bounded to its last lines, readable while it grows (for `kubectl logs -f`); every line is
/// also written to <paramref name="copy"/> when given, which is closed on <see cref="Complete"/>.
/// </summary>
public sealed class LogBuffer(int maxLines = 20_000, TextWriter? copy = null)
{
    private readonly Lock _gate = new();
    private TextWriter? _copy = copy;
    private readonly LinkedList<string> _lines = new();
    private long _total;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Completed { get; private set; }

    public void Append(string line)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _lines.AddLast(line);
            _copy?.WriteLine(line);
            _total++;
            if (_lines.Count > maxLines)
            {
                _lines.RemoveFirst();
            }
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            Completed = true;
            changed = _changed;
            _copy?.Dispose();
            _copy = null;
        }
        changed.TrySetResult();
    }

    /// <summary>Lines after the <paramref name="seen"/>-th ever written, the new count, and a task that completes on the next change.</summary>
    public (IReadOnlyList<string> Lines, long Seen, Task Changed) ReadFrom(long seen)
    {
        lock (_gate)
        {
            var first = _total - _lines.Count;
            var skip = (int)Math.Max(0, seen - first);
            return (_lines.Skip(skip).ToList(), _total, _changed.Task);
        }
    }

    public string Text(int? tailLines = null)
    {
        lock (_gate)
        {
            var lines = tailLines is { } n ? _lines.Skip(Math.Max(0, _lines.Count - n)) : _lines;
            var builder = new StringBuilder();
            foreach (var line in lines)
            {
                builder.Append(line).Append('\n');
            }
            return builder.ToString();
        }
    }
}
