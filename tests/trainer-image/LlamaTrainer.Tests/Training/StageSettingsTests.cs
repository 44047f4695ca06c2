using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaTrainer.Training;

namespace LlamaTrainer.Tests.Training;

public class StageSettingsTests
{
    private static ResolvedJob Job(string stages) => JobResolver.Resolve(ManifestReader.Read($$"""
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata: { name: settings }
        spec:
          model: { preset: llama3-8b }
          data: { sources: [{ name: web, uri: data, weight: 1.0 }] }
          cluster: { gpusPerNode: 1, image: "llama-trainer:dev" }
          checkpoint: { storage: { local: { path: ckpt } } }
          stages:
        {{stages}}
        """, "job.yaml"));

    [Fact]
    public void The_train_loop_runs_the_resolvers_defaults_the_llama3_recipe_by_stage_type()
    {
        var job = Job("""
                - { name: pretrain, type: Pretrain, tokens: 409600, sequenceLength: 4096, batchTokens: 16384, parallelism: {} }
                - { name: anneal, type: Anneal, tokens: 81920, sequenceLength: 8192, batchTokens: 8192, parallelism: {} }
            """);

        var pretrain = StageSettings.Resolve(job, "pretrain", null);
        var anneal = StageSettings.Resolve(job, "anneal", null);

        Assert.Equal((LrScheduleKind.Cosine, 3e-4), (pretrain.Schedule.Kind, pretrain.Schedule.Peak));
        Assert.Equal(3e-6, pretrain.Schedule.MinLr, 12);
        // The resolver's warm-up (1 % of the stage's 25 steps, at least 1) is the one the operator shows and the trainer runs.
        Assert.Equal((1L, 24L), (pretrain.Schedule.WarmupSteps, pretrain.Schedule.DecaySteps));
        Assert.Equal((0.9, 0.95, 0.1, 1.0), (pretrain.Beta1, pretrain.Beta2, pretrain.WeightDecay, pretrain.GradClip));
        Assert.Equal((LrScheduleKind.LinearToZero, 10L), (anneal.Schedule.Kind, anneal.Schedule.DecaySteps));
        Assert.Equal(0, anneal.Schedule.At(10));
    }

    [Fact]
    public void A_long_context_stage_takes_the_length_of_its_index()
    {
        var job = Job("""
                - { name: long, type: LongContext, tokens: 1048576, sequenceLengths: [16384, 32768], batchTokens: 65536, parallelism: {} }
            """);

        var second = StageSettings.Resolve(job, "long", 1);

        Assert.Equal((32768, (int?)1, LrScheduleKind.Constant), (second.Batches.At(0).SequenceLength, second.LengthIndex, second.Schedule.Kind));
        var error = Assert.Throws<ArgumentException>(() => StageSettings.Resolve(job, "long", 2));
        Assert.Contains("--length-index 2", error.Message);
    }
}
