using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Api.Tests.Resolution;

public class JobResolverTests
{
    [Fact]
    public void Model_comes_from_the_preset_with_overrides()
    {
        var resolved = JobResolver.Resolve(TestJobs.With(s => s.Model.Layers = 16));
        Assert.Equal(16, resolved.Model.Layers);
        Assert.Equal(4096, resolved.Model.Dim);
        Assert.Equal("llama3-8b", resolved.Preset);
        Assert.Equal(ModelPresets.Cl100kVocabSize, resolved.Tokenizer.VocabSize);
    }

    [Theory]
    [InlineData("tiny", TokenizerKind.Bytes, null, 512)]
    [InlineData("tiny", TokenizerKind.Cl100kBase, null, 100_277)]
    [InlineData("tiny", TokenizerKind.Llama3, null, 128_256)]
    [InlineData("tiny", TokenizerKind.Bytes, 1024, 1024)]
    [InlineData("llama3-8b", TokenizerKind.Bytes, null, 128_256)]
    public void The_tiny_preset_takes_the_tokenizers_vocabulary(string preset, TokenizerKind kind, int? vocabSize, int expected)
    {
        var job = TestJobs.With(s =>
        {
            s.Model = new ModelSpec { Preset = preset, VocabSize = vocabSize };
            s.Tokenizer = new TokenizerSpec { Kind = kind, Uri = kind == TokenizerKind.Llama3 ? "/tok/tokenizer.model" : null };
            s.Cluster.GpusPerNode = 1;
            foreach (var stage in s.Stages)
            {
                stage.Parallelism = new ParallelismSpec();
            }
        });

        var resolved = JobResolver.Resolve(job);

        Assert.Equal(expected, resolved.Model.VocabSize);
        Assert.Equal(expected, JobModel.Resolve(job.Spec)!.VocabSize);
    }

    [Fact]
    public void Prepared_sources_keep_their_raw_file_and_the_held_out_count()
    {
        var job = TestJobs.With(s =>
        {
            s.Data.Sources[1].PrepareFrom = "corpus/code.jsonl";
            s.Data.HeldOutDocuments = 20;
            s.Stages[2].DataMix = [new DataMixEntry { Name = "code", Weight = 1 }];
        });

        var resolved = JobResolver.Resolve(job);

        Assert.Equal(20, resolved.Data.HeldOutDocuments);
        Assert.Equal([null, "corpus/code.jsonl"], resolved.Data.Sources.Select(s => s.PrepareFrom));
        Assert.Equal(new ResolvedDataSource("code", "/data/code", 1, "corpus/code.jsonl"), Assert.Single(resolved.Stages[2].DataMix));
        Assert.Equal(0, JobResolver.Resolve(TestJobs.Valid()).Data.HeldOutDocuments);
    }

    [Fact]
    public void Schedule_kind_follows_the_stage_type_and_lr_comes_from_the_preset()
    {
        var stages = JobResolver.Resolve(TestJobs.Valid()).Stages;

        Assert.Equal([LrScheduleKind.Cosine, LrScheduleKind.Constant, LrScheduleKind.LinearToZero], stages.Select(s => s.Schedule.Kind));
        Assert.All(stages, s => Assert.Equal(3e-4, s.Optimizer.Lr));
        Assert.All(stages, s => Assert.Equal(3e-6, s.Schedule.MinLr, 12));
    }

    [Fact]
    public void Explicit_lr_and_schedule_win()
    {
        var job = TestJobs.With(s =>
        {
            s.Stages[0].Optimizer = new OptimizerSpec { Lr = 8e-5 };
            s.Stages[0].Schedule = new LrScheduleSpec { Kind = LrScheduleKind.Constant, WarmupSteps = 7, MinLr = 1e-6 };
        });
        var stage = JobResolver.Resolve(job).Stages[0];
        Assert.Equal(8e-5, stage.Optimizer.Lr);
        Assert.Equal(new ResolvedSchedule(LrScheduleKind.Constant, 7, stage.Steps - 7, 1e-6), stage.Schedule);
    }

    [Fact]
    public void Steps_warm_up_and_decay_cover_the_stage()
    {
        // 1e9 tokens in 4,194,304-token batches: 239 steps (the last one partial), 1% warm-up.
        var stage = JobResolver.Resolve(TestJobs.Valid()).Stages[0];
        Assert.Equal(239, stage.Steps);
        Assert.Equal(2, stage.Schedule.WarmupSteps);
        Assert.Equal(237, stage.Schedule.DecaySteps);
    }

    [Fact]
    public void Batch_ramp_changes_the_step_count_at_whole_batches()
    {
        // 10-token batches reach 30 >= 25 after 3 steps, then 20-token batches: 30 -> 110 in 4 steps.
        var ramp = new List<ResolvedBatchRampStep> { new(25, 20, 4) };
        Assert.Equal(7, JobResolver.StepsWithRamp(100, 10, ramp));
        Assert.Equal(10, JobResolver.StepsWithRamp(100, 10, []));
    }

    [Fact]
    public void Batch_ramp_length_defaults_to_the_stage_length()
    {
        var job = TestJobs.With(s => s.Stages[0].BatchRamp = [new BatchRampStep { AfterTokens = 252_000_000, BatchTokens = 8_388_608 }]);
        var stage = JobResolver.Resolve(job).Stages[0];
        Assert.Equal(new ResolvedBatchRampStep(252_000_000, 8_388_608, 8192), Assert.Single(stage.BatchRamp));
        // 61 steps of 4M reach 255.9M tokens, then (1e9 - 255,852,544) / 8,388,608 -> 89 steps.
        Assert.Equal(61 + 89, stage.Steps);
    }

    [Fact]
    public void Long_context_steps_count_every_length()
    {
        var stage = JobResolver.Resolve(TestJobs.Valid()).Stages[1];
        Assert.Equal([16384, 32768], stage.SequenceLengths);
        Assert.Equal(24 * 2, stage.Steps);
        Assert.Equal(8, stage.Nodes);
    }

    [Fact]
    public void Stage_data_mix_overrides_the_job_default()
    {
        var job = TestJobs.With(s => s.Stages[2].DataMix = [new DataMixEntry { Name = "code", Weight = 1 }]);
        var stages = JobResolver.Resolve(job).Stages;
        Assert.Equal(2, stages[0].DataMix.Count);
        Assert.Equal(new ResolvedDataSource("code", "/data/code", 1), Assert.Single(stages[2].DataMix));
    }

    [Fact]
    public void Gate_and_averaging_get_defaults_on_their_stage_types_only()
    {
        var stages = JobResolver.Resolve(TestJobs.Valid()).Stages;
        Assert.Null(stages[0].Gate);
        Assert.Equal(new ResolvedGate(8192, 0.02, 1.0, 5, GateFailureAction.Fail), stages[1].Gate);
        Assert.Null(stages[1].Averaging);
        Assert.Equal(3, stages[2].Averaging!.Checkpoints);
    }

    [Fact]
    public void Blob_prefix_defaults_to_namespace_and_name()
    {
        var job = TestJobs.With(s => s.Checkpoint.Storage = new CheckpointStorageSpec
        {
            AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://acct.blob.core.windows.net", Container = "ckpt", SecretRef = new SecretReference { Name = "blob" } },
        });
        var blob = JobResolver.Resolve(job).Checkpoint.AzureBlob!;
        Assert.Equal(new ResolvedAzureBlob("https://acct.blob.core.windows.net", "ckpt", "research/demo", "blob", "connectionString"), blob);
    }

    [Fact]
    public void Failure_policy_classifies_exit_codes()
    {
        var policy = JobResolver.Resolve(TestJobs.Valid()).FailurePolicy;
        Assert.True(policy.IsFatal(2));
        Assert.False(policy.IsRetryable(2));
        Assert.True(policy.IsRetryable(137));
        Assert.False(policy.IsRetryable(0));

        var only = JobResolver.Resolve(TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { RetryableExitCodes = [137] })).FailurePolicy;
        Assert.True(only.IsRetryable(137));
        Assert.False(only.IsRetryable(1));
    }

    [Fact]
    public void Collective_timeout_defaults_to_600_seconds()
    {
        Assert.Equal(600, JobResolver.Resolve(TestJobs.Valid()).FailurePolicy.CollectiveTimeoutSeconds);
        Assert.Equal(120, JobResolver.Resolve(TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { CollectiveTimeoutSeconds = 120 })).FailurePolicy.CollectiveTimeoutSeconds);
    }

    [Fact]
    public void Scheduler_name_defaults_by_gang_scheduler()
    {
        var job = TestJobs.With(s => s.Cluster.Scheduling = new SchedulingSpec { Gang = GangScheduler.Volcano });
        Assert.Equal("volcano", JobResolver.Resolve(job).Cluster.Scheduling.SchedulerName);
        Assert.Equal("scheduler-plugins-scheduler", JobResolver.Resolve(TestJobs.Valid()).Cluster.Scheduling.SchedulerName);
    }

    [Fact]
    public void Invalid_job_is_refused_with_all_its_errors()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Preset = "nope";
            s.Stages[0].Parallelism.Tp = 3;
        });
        var ex = Assert.Throws<InvalidJobException>(() => JobResolver.Resolve(job));
        Assert.Contains(ex.Problems, p => p.Path == "spec.model.preset");
        Assert.Contains(ex.Problems, p => p.Path == "spec.stages[0].parallelism.tp");
        Assert.Contains("job 'demo' is invalid", ex.Message);
    }
}
