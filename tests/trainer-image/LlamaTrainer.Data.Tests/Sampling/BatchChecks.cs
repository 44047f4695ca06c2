using LlamaTrainer.Data.Tests.TestDoubles;

namespace LlamaTrainer.Data.Tests.Sampling;

/// <summary>Checks the packing rules on batches and rebuilds the documents they carried.</summary>
internal sealed class BatchChecks
{
    private readonly List<int> _open = [];
    private int? _expectedNext;

    public List<int[]> CompletedDocuments { get; } = [];

    /// <summary>Asserts the row invariants and feeds the segments, in order, to the document rebuild.</summary>
    public void Add(TokenBatch batch)
    {
        Assert.Equal(batch.BatchSize * batch.SequenceLength, batch.Inputs.Length);
        for (var row = 0; row < batch.BatchSize; row++)
        {
            var start = row * batch.SequenceLength;
            for (var i = 0; i < batch.SequenceLength; i++)
            {
                var at = start + i;
                var segmentStart = i == 0 || batch.DocumentIds[at] != batch.DocumentIds[at - 1];
                if (segmentStart)
                {
                    Assert.Equal(0, batch.Positions[at]);
                    Assert.Equal(i == 0 ? 0 : batch.DocumentIds[at - 1] + 1, batch.DocumentIds[at]);
                    StartSegment(batch.Inputs[at]);
                }
                else
                {
                    Assert.Equal(batch.Positions[at - 1] + 1, batch.Positions[at]);
                }

                var sameSegmentNext = i + 1 < batch.SequenceLength && batch.DocumentIds[at + 1] == batch.DocumentIds[at];
                if (batch.Inputs[at] == SyntheticSource.Eos)
                {
                    Assert.Equal(TokenBatch.IgnoreIndex, batch.Targets[at]);
                    Assert.False(sameSegmentNext, "a document goes on after its EOS");
                }
                else if (sameSegmentNext)
                {
                    Assert.Equal(batch.Inputs[at + 1], batch.Targets[at]);
                }

                Feed(batch.Inputs[at], batch.Targets[at]);
            }
        }
    }

    private void StartSegment(int first)
    {
        if (first == SyntheticSource.Bos)
        {
            Assert.Empty(_open);
            Assert.Null(_expectedNext);
        }
        else
        {
            // A document continued from the previous row: its first token is the target the previous row promised.
            Assert.NotEmpty(_open);
            Assert.Equal(_expectedNext, first);
        }
    }

    private void Feed(int input, int target)
    {
        _open.Add(input);
        _expectedNext = target == TokenBatch.IgnoreIndex ? null : target;
        if (input == SyntheticSource.Eos)
        {
            CompletedDocuments.Add([.. _open]);
            _open.Clear();
        }
    }
}
