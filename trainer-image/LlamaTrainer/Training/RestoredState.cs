using LlamaTrainer.Parallel;
using static TorchSharp.torch;

namespace LlamaTrainer.Training;

/// <summary>
/// A checkpoint read by one rank but not yet applied: its owned rows (master, exp_avg, exp_avg_sq per optimizer shard,
/// on the CPU) and the loop's state. Applied only once every rank has read its part, so a checkpoint that fails on
/// one rank leaves every rank's trainer untouched.
/// </summary>
public sealed class RestoredState(SavedState saved, long optimizerSteps, IReadOnlyList<Tensor[]> shards) : IDisposable
{
    /// <summary>
    /// Sets the optimizer's shards and step count, all-gathers the parameters (a collective: every rank calls it) and
    /// restores the data cursor. Within the same stage (and length) it also restores the stage position and the RNG;
    /// a checkpoint of an earlier stage carries only the job totals into a new stage.
    /// </summary>
    public void Apply(Trainer trainer)
    {
        var owned = trainer.Optimizer.Shards;
        using (no_grad())
        {
            for (var i = 0; i < owned.Count; i++)
            {
                if (shards[i].Length == 0)
                {
                    continue;
                }

                owned[i].Master.copy_(shards[i][0]);
                owned[i].ExpAvg.copy_(shards[i][1]);
                owned[i].ExpAvgSq.copy_(shards[i][2]);
            }
        }

        trainer.Optimizer.StepCount = optimizerSteps;
        trainer.Optimizer.GatherParameters();
        Dispose();

        // The data position carries over into a new stage too (its mix may differ; the documents read stay read).
        trainer.Data.RestoreCursor(saved.DataCursor);
        if (saved.Stage == trainer.Stage.Name && saved.LengthIndex == trainer.Stage.LengthIndex)
        {
            trainer.State = saved.State;
            using var rng = tensor(saved.RngState, ScalarType.Byte);
            set_rng_state(rng);
        }
        else if (saved.Stage == trainer.Stage.Name)
        {
            // The next length of a LongContext stage: short-context recovery is judged against the loss from before
            // the whole long-context stage (Llama 3: "fully recovered"), so the baseline carries over.
            trainer.State = saved.State.NextStage() with { BaselineShortContextLoss = saved.State.BaselineShortContextLoss };
        }
        else
        {
            trainer.State = saved.State.NextStage();
        }
    }

    public void Dispose()
    {
        foreach (var tensors in shards)
        {
            foreach (var t in tensors)
            {
                t.Dispose();
            }
        }
    }
}
