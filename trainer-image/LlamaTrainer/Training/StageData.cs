using LlamaTrainer.Data;

namespace LlamaTrainer.Training;

/// <summary>
/// A stage's training data: the batch source and how to put the stage's data mix in force. The mix is applied after
/// a checkpoint's cursor is restored, because the cursor brings back the weights that were in force when it was saved
/// (a previous stage's mix, when this stage starts from that stage's end).
/// </summary>
public sealed record StageData(IBatchSource Batches, Action ApplyStageMix);
