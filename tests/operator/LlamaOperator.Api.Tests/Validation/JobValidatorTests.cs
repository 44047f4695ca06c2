using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;

namespace LlamaOperator.Api.Tests.Validation;

public class JobValidatorTests
{
    private static ValidationProblem AssertError(LlamaTrainingJob job, string path, string messagePart)
    {
        var problems = JobValidator.Validate(job);
        var found = problems.Where(p => p.Path == path && p.Severity == Severity.Error).ToList();
        Assert.True(found.Count > 0, $"no error at {path}; problems: {string.Join(" | ", problems)}");
        var problem = Assert.Single(found, p => p.Message.Contains(messagePart, StringComparison.Ordinal));
        return problem;
    }

    [Fact]
    public void The_baseline_job_is_valid()
    {
        Assert.Empty(JobValidator.Validate(TestJobs.Valid()));
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Preset = "llama3-9b";
            s.Stages[0].Parallelism.Tp = 3;
            s.Data.Sources[0].Weight = 0.4;
        });

        var paths = JobValidator.Validate(job).Select(p => p.Path).ToList();

        Assert.Contains("spec.model.preset", paths);
        Assert.Contains("spec.stages[0].parallelism.tp", paths);
        Assert.Contains("spec.data.sources", paths);
    }

    [Fact]
    public void Half_built_jobs_give_problems_not_exceptions()
    {
        Assert.Contains(JobValidator.Validate(new LlamaTrainingJob()), p => p.Path == "spec.data.sources");

        var job = TestJobs.With(s =>
        {
            s.Model = null!;
            s.Data = null!;
            s.Cluster = null!;
            s.Stages = [null!, new StageSpec { Parallelism = null!, BatchRamp = [null!], DataMix = [null!] }];
        });
        var paths = JobValidator.Validate(job).Select(p => p.Path).ToList();

        Assert.Contains("spec.model", paths);
        Assert.Contains("spec.cluster", paths);
        Assert.Contains("spec.stages[0]", paths);
        Assert.Contains("spec.stages[1].parallelism", paths);
        Assert.Contains("spec.stages[1].batchRamp[0]", paths);
    }

    // Generic schema markers.
    [Fact]
    public void Required_reference_field_missing()
    {
        var job = TestJobs.With(s => s.Checkpoint.Storage = null!);
        AssertError(job, "spec.checkpoint.storage", "required field is missing");
    }

    [Theory]
    [InlineData("AZURE_STORAGE_CONNECTION_STRING")]
    [InlineData("AZURE_STORAGE_SAS_TOKEN")]
    public void A_blob_credential_in_the_pod_env_comes_from_a_secret_never_as_a_literal(string name)
    {
        var literal = TestJobs.With(s => s.Cluster.Env = [new() { Name = "OMP_NUM_THREADS", Value = "1" }, new() { Name = name, Value = "AccountKey=abc" }]);
        var byReference = TestJobs.With(s => s.Cluster.Env =
            [new() { Name = name, ValueFrom = new() { SecretKeyRef = new() { Name = "blob", Key = "connectionString" } } }]);

        AssertError(literal, "spec.cluster.env[1].value", $"expected {name} from a Secret");
        Assert.Empty(JobValidator.Validate(byReference));
    }

    [Fact]
    public void Required_string_empty()
    {
        AssertError(TestJobs.With(s => s.Cluster.Image = ""), "spec.cluster.image", "required field is missing");
    }

    [Fact]
    public void Minimum_marker()
    {
        var problem = AssertError(TestJobs.With(s => s.Stages[0].Tokens = 0), "spec.stages[0].tokens", "expected a value >= 1");
        Assert.Contains("found 0", problem.Message);
    }

    [Fact]
    public void Maximum_marker()
    {
        AssertError(TestJobs.With(s => s.Stages[0].Optimizer = new OptimizerSpec { Beta2 = 1.5 }), "spec.stages[0].optimizer.beta2", "expected a value <= 1, found 1.5");
    }

    [Fact]
    public void Pattern_marker()
    {
        AssertError(TestJobs.With(s => s.Stages[2].Name = "Anneal_1"), "spec.stages[2].name", "expected a value matching");
    }

    [Fact]
    public void MinItems_marker()
    {
        AssertError(TestJobs.With(s => s.Stages.Clear()), "spec.stages", "expected at least 1 item(s), found 0");
    }

    [Fact]
    public void Undefined_enum_value()
    {
        AssertError(TestJobs.With(s => s.Stages[0].Type = (StageType)7), "spec.stages[0].type", "expected one of Pretrain, LongContext, Anneal");
    }

    [Fact]
    public void Job_name_is_required_and_a_dns_label()
    {
        var job = TestJobs.Valid();
        job.Metadata.Name = null;
        AssertError(job, "metadata.name", "required field is missing");
        job.Metadata.Name = "My.Job";
        AssertError(job, "metadata.name", "expected a DNS label");
    }

    // Layout.
    [Fact]
    public void World_size_must_fill_whole_nodes()
    {
        var job = TestJobs.With(s => s.Stages[0].Parallelism = new ParallelismSpec { Tp = 4, Pp = 1, Dp = 3 });
        AssertError(job, "spec.stages[0].parallelism", "multiple of gpusPerNode (8), found 12");
    }

    [Fact]
    public void Tp_larger_than_a_node()
    {
        AssertError(TestJobs.With(s => s.Stages[0].Parallelism.Tp = 16), "spec.stages[0].parallelism.tp", "expected at most gpusPerNode (8)");
    }

    [Fact]
    public void Tp_not_dividing_the_node()
    {
        var job = TestJobs.With(s =>
        {
            s.Cluster.GpusPerNode = 6;
            s.Stages[0].Parallelism = new ParallelismSpec { Tp = 4, Dp = 3 };
        });
        AssertError(job, "spec.stages[0].parallelism.tp", "expected a divisor of gpusPerNode (6)");
    }

    [Fact]
    public void Heads_not_divisible_by_tp()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Heads = 24;
            s.Model.KvHeads = 8;
            s.Model.Dim = 3072;
            s.Stages[0].Parallelism.Tp = 16;
            s.Cluster.GpusPerNode = 16;
        });
        AssertError(job, "spec.stages[0].parallelism.tp", "attention heads (24)");
    }

    [Fact]
    public void Kv_heads_that_tp_neither_divides_nor_multiplies_is_an_error()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Heads = 24;
            s.Model.KvHeads = 12;
            s.Model.Dim = 3072;
        });
        var problem = AssertError(job, "spec.stages[0].parallelism.tp", "key/value heads (12)");
        Assert.Contains("split or replicated whole", problem.Message);
    }

    [Fact]
    public void Kv_heads_fewer_than_tp_are_replicated_when_tp_is_a_multiple_of_them()
    {
        var job = TestJobs.With(s => s.Model.KvHeads = 4);
        Assert.DoesNotContain(JobValidator.Validate(job), p => p.Path.EndsWith(".tp", StringComparison.Ordinal));
    }

    [Fact]
    public void Kv_heads_must_divide_heads()
    {
        AssertError(TestJobs.With(s => s.Model.KvHeads = 24), "spec.model.kvHeads", "expected a divisor of heads (32)");
    }

    [Fact]
    public void Dim_must_be_divisible_by_heads()
    {
        AssertError(TestJobs.With(s => s.Model.Dim = 4100), "spec.model.dim", "expected a multiple of heads (32), found 4100");
    }

    [Fact]
    public void Fewer_layers_than_pipeline_stages()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Layers = 4;
            s.Stages[0].Parallelism = new ParallelismSpec { Tp = 1, Pp = 8 };
        });
        AssertError(job, "spec.stages[0].parallelism.pp", "at most the model's layers (4)");
    }

    [Fact]
    public void Virtual_stages_need_a_pipeline()
    {
        var job = TestJobs.With(s => s.Stages[1].Parallelism = new ParallelismSpec { Tp = 8, Cp = 2, Pp = 1, Dp = 4, VirtualStages = 2 });
        var problem = AssertError(job, "spec.stages[1].parallelism.virtualStages", "expected 1 when pp is 1");
        Assert.EndsWith("so more than one needs pp > 1, found 2", problem.Message);
    }

    [Fact]
    public void Every_virtual_stage_needs_a_layer()
    {
        // 8 layers: pp 2 x 4 virtual stages is 8 chunks of one layer; x 5 would be 10.
        var fits = TestJobs.With(s =>
        {
            s.Model.Layers = 8;
            s.Stages[0].Parallelism.VirtualStages = 4;
        });
        Assert.Empty(JobValidator.Validate(fits));

        var tooMany = TestJobs.With(s =>
        {
            s.Model.Layers = 8;
            s.Stages[0].Parallelism.VirtualStages = 5;
        });
        var problem = Assert.Single(JobValidator.Validate(tooMany));
        Assert.Equal("error: spec.stages[0].parallelism.virtualStages: expected pp * virtualStages at most the model's layers (8): every virtual stage needs a layer, found 2 * 5 = 10", problem.ToString());
    }

    [Fact]
    public void Fewer_layers_than_pipeline_ranks_names_pp_even_with_virtual_stages()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Layers = 4;
            s.Stages[0].Parallelism = new ParallelismSpec { Tp = 1, Pp = 8, VirtualStages = 2 };
        });
        AssertError(job, "spec.stages[0].parallelism.pp", "at most the model's layers (4)");
        Assert.DoesNotContain(JobValidator.Validate(job), p => p.Path == "spec.stages[0].parallelism.virtualStages");
    }

    [Fact]
    public void Virtual_stages_below_one_are_reported_once_by_the_schema_minimum()
    {
        var problem = Assert.Single(JobValidator.Validate(TestJobs.With(s => s.Stages[0].Parallelism.VirtualStages = 0)));
        Assert.Equal("spec.stages[0].parallelism.virtualStages", problem.Path);
    }

    [Fact]
    public void Llama3_table4_misprint_is_caught_and_the_consistent_reading_passes()
    {
        LlamaTrainingJob Row(int dp)
        {
            var job = TestJobs.Valid();
            job.Metadata.Name = "llama3-405b";
            job.Spec.Model.Preset = "llama3-405b";
            job.Spec.Stages =
            [
                new StageSpec
                {
                    Name = "long",
                    Type = StageType.LongContext,
                    Tokens = 800_000_000_000,
                    SequenceLengths = [131_072],
                    BatchTokens = 16_777_216,
                    Parallelism = new ParallelismSpec { Tp = 8, Cp = 16, Pp = 16, Dp = dp, Gpus = 16_384 },
                },
            ];
            return job;
        }

        var problems = JobValidator.Validate(Row(dp: 4));
        var problem = Assert.Single(problems);
        Assert.Equal("spec.stages[0].parallelism.gpus", problem.Path);
        Assert.Equal("expected tp*cp*pp*dp = 8*16*16*4 = 8192 GPUs, found gpus 16384", problem.Message);

        Assert.Empty(JobValidator.Validate(Row(dp: 8)));
    }

    [Fact]
    public void Pod_names_longer_than_63_characters()
    {
        var job = TestJobs.Valid();
        job.Metadata.Name = new string('j', 40);
        job.Spec.Stages[0].Name = new string('s', 20);
        // 40 + 1 + 20 + 1 + "7" = 63: fits; one more character does not.
        Assert.DoesNotContain(JobValidator.Validate(job), p => p.Path == "spec.stages[0].name");
        job.Spec.Stages[0].Name = new string('s', 21);
        AssertError(job, "spec.stages[0].name", "at most 63 characters, found 64");
    }

    // Sequence lengths and batches.
    [Fact]
    public void Sequence_length_not_divisible_by_two_cp()
    {
        AssertError(TestJobs.With(s => s.Stages[0].Parallelism.Cp = 3), "spec.stages[0].sequenceLength", "multiple of 2*cp = 6");
    }

    [Fact]
    public void Long_context_lengths_are_checked_each()
    {
        var problem = AssertError(TestJobs.With(s => s.Stages[1].SequenceLengths = [16384, 32770]), "spec.stages[1].sequenceLengths[1]", "multiple of 2*cp = 4");
        Assert.EndsWith("found 32770", problem.Message);
    }

    [Fact]
    public void Batch_ramp_length_is_checked()
    {
        var job = TestJobs.With(s => s.Stages[0].BatchRamp = [new BatchRampStep { AfterTokens = 1000, BatchTokens = 4_194_304, SequenceLength = 4097 }]);
        AssertError(job, "spec.stages[0].batchRamp[0].sequenceLength", "multiple of 2*cp = 2");
    }

    [Fact]
    public void Batch_not_divisible_by_dp_times_sequence_length()
    {
        AssertError(TestJobs.With(s => s.Stages[0].BatchTokens = 4_194_304 + 8192), "spec.stages[0].batchTokens", "dp * sequence length = 4 * 8192 = 32768");
    }

    [Fact]
    public void Batch_ramp_batches_are_checked_with_their_length()
    {
        var job = TestJobs.With(s => s.Stages[0].BatchRamp = [new BatchRampStep { AfterTokens = 1000, BatchTokens = 8_388_608 + 4096, SequenceLength = 4096 }]);
        AssertError(job, "spec.stages[0].batchRamp[0].batchTokens", "4 * 4096 = 16384");
    }

    [Fact]
    public void Interleaved_pipelines_take_micro_batches_in_groups_of_pp()
    {
        // 128 sequences per DP rank at pp 2: micro-batches of 64 make 2 (one group), of 128 make 1.
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => (s.Stages[0].Parallelism.VirtualStages, s.Stages[0].MicroBatchSize) = (2, 64))));
        var problem = AssertError(TestJobs.With(s => (s.Stages[0].Parallelism.VirtualStages, s.Stages[0].MicroBatchSize) = (2, 128)), "spec.stages[0].batchTokens", "the 1 micro-batches per DP rank to be a multiple of pp = 2");
        Assert.EndsWith("the interleaved schedule (virtualStages 2) runs them in groups of pp", problem.Message);
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => s.Stages[0].MicroBatchSize = 128)));
    }

    [Fact]
    public void Sequences_per_dp_rank_must_be_whole_micro_batches()
    {
        AssertError(TestJobs.With(s => s.Stages[0].MicroBatchSize = 3), "spec.stages[0].batchTokens", "128 sequences per DP rank");
    }

    // Data.
    [Fact]
    public void Weights_must_sum_to_one()
    {
        AssertError(TestJobs.With(s => s.Data.Sources[1].Weight = 0.4), "spec.data.sources", "summing to 1, found a sum of 0.9");
    }

    [Fact]
    public void Weights_within_a_millionth_of_one_pass()
    {
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => s.Data.Sources[1].Weight = 0.5000005)));
    }

    [Fact]
    public void Weights_must_be_positive()
    {
        var job = TestJobs.With(s =>
        {
            s.Data.Sources[0].Weight = 0;
            s.Data.Sources[1].Weight = 1;
        });
        AssertError(job, "spec.data.sources[0].weight", "expected a positive weight, found 0");
    }

    [Fact]
    public void Stage_data_mix_is_checked_and_names_must_exist()
    {
        var job = TestJobs.With(s => s.Stages[2].DataMix =
        [
            new DataMixEntry { Name = "general", Weight = 0.5 },
            new DataMixEntry { Name = "math", Weight = 0.3 },
        ]);
        AssertError(job, "spec.stages[2].dataMix[1].name", "found 'math'");
        AssertError(job, "spec.stages[2].dataMix", "summing to 1, found a sum of 0.8");
    }

    [Fact]
    public void Source_names_must_be_unique()
    {
        AssertError(TestJobs.With(s => s.Data.Sources[1].Name = "general"), "spec.data.sources[1].name", "unique name");
    }

    // Model and tokenizer.
    [Fact]
    public void Unknown_preset_lists_the_known_ones()
    {
        AssertError(TestJobs.With(s => s.Model.Preset = "llama3-9b"), "spec.model.preset", "expected one of tiny, llama3-8b, llama3-70b, llama3-405b, found 'llama3-9b'");
    }

    [Fact]
    public void Llama3_tokenizer_needs_a_uri()
    {
        AssertError(TestJobs.With(s => s.Tokenizer = new TokenizerSpec { Kind = TokenizerKind.Llama3 }), "spec.tokenizer.uri", "Llama 3 tokenizer.model");
    }

    [Fact]
    public void Vocabulary_smaller_than_the_tokenizer()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.Preset = "tiny";
            s.Model.VocabSize = 100_277;
            s.Tokenizer = new TokenizerSpec { Kind = TokenizerKind.Llama3, Uri = "/tok/tokenizer.model" };
            s.Cluster.GpusPerNode = 1;
            foreach (var stage in s.Stages)
            {
                stage.Parallelism = new ParallelismSpec();
            }
        });
        AssertError(job, "spec.model.vocabSize", "expected at least 128256, the vocabulary of spec.tokenizer.kind Llama3, found 100277");
    }

    [Fact]
    public void Byte_tokenizer_needs_512_ids()
    {
        var job = TestJobs.With(s =>
        {
            s.Model.VocabSize = 300;
            s.Tokenizer = new TokenizerSpec { Kind = TokenizerKind.Bytes };
        });
        AssertError(job, "spec.model.vocabSize", "expected at least 512, the vocabulary of spec.tokenizer.kind Bytes, found 300");
        Assert.DoesNotContain(JobValidator.Validate(TestJobs.With(s => s.Tokenizer = new TokenizerSpec { Kind = TokenizerKind.Bytes })), p => p.Path == "spec.model.vocabSize");
    }

    [Theory]
    [InlineData("", "found an empty string")]
    [InlineData("s3://bucket/general.jsonl", "expected a local path, file:// URI or http(s):// blob URL, found 's3://bucket/general.jsonl'")]
    [InlineData("https://a.blob.core.windows.net/c/general.jsonl?sv=1&sig=abc", "without a SAS token")]
    public void Bad_prepare_from_locations(string location, string message)
    {
        var job = TestJobs.With(s =>
        {
            s.Data.HeldOutDocuments = 10;
            s.Data.Sources[1].PrepareFrom = location;
        });
        AssertError(job, "spec.data.sources[1].prepareFrom", message);
    }

    [Fact]
    public void A_gated_job_evaluating_a_prepared_source_needs_held_out_documents()
    {
        var job = TestJobs.With(s => s.Data.Sources[0].PrepareFrom = "corpus/general.jsonl");

        AssertError(job, "spec.data.heldOutDocuments", "expected at least 1: the LongContext gate evaluates the held-out split of source 'general'");
        Assert.Empty(JobValidator.Validate(TestJobs.With(s =>
        {
            s.Data.Sources[0].PrepareFrom = "corpus/general.jsonl";
            s.Data.HeldOutDocuments = 5;
        })));
        Assert.Empty(JobValidator.Validate(TestJobs.With(s =>
        {
            s.Data.Sources[0].PrepareFrom = "corpus/general.jsonl";
            s.Data.EvalUri = "/data/eval";
        })));
    }

    // Stages.
    [Fact]
    public void Stage_names_must_be_unique()
    {
        AssertError(TestJobs.With(s => s.Stages[2].Name = "pretrain"), "spec.stages[2].name", "unique stage name");
    }

    [Fact]
    public void Long_context_needs_sequence_lengths()
    {
        AssertError(TestJobs.With(s => s.Stages[1].SequenceLengths = null), "spec.stages[1].sequenceLengths", "found none");
    }

    [Fact]
    public void Long_context_lengths_must_increase()
    {
        AssertError(TestJobs.With(s => s.Stages[1].SequenceLengths = [32768, 16384]), "spec.stages[1].sequenceLengths[1]", "strictly increasing");
    }

    [Fact]
    public void Pretrain_and_anneal_need_a_sequence_length()
    {
        var job = TestJobs.With(s =>
        {
            s.Stages[0].SequenceLength = null;
            s.Stages[2].SequenceLength = null;
        });
        AssertError(job, "spec.stages[0].sequenceLength", "for a Pretrain stage");
        AssertError(job, "spec.stages[2].sequenceLength", "for a Anneal stage");
    }

    [Fact]
    public void Gate_only_on_long_context()
    {
        AssertError(TestJobs.With(s => s.Stages[0].Gate = new GateSpec()), "spec.stages[0].gate", "only on a LongContext stage");
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => s.Stages[1].Gate = new GateSpec())));
    }

    [Fact]
    public void Averaging_only_on_anneal()
    {
        AssertError(TestJobs.With(s => s.Stages[1].Averaging = new AveragingSpec()), "spec.stages[1].averaging", "only on an Anneal stage");
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => s.Stages[2].Averaging = new AveragingSpec())));
    }

    [Fact]
    public void Batch_ramp_ordered_by_after_tokens()
    {
        var job = TestJobs.With(s => s.Stages[0].BatchRamp =
        [
            new BatchRampStep { AfterTokens = 500_000_000, BatchTokens = 8_388_608 },
            new BatchRampStep { AfterTokens = 100_000_000, BatchTokens = 4_194_304 },
        ]);
        AssertError(job, "spec.stages[0].batchRamp[1].afterTokens", "ordered by afterTokens");
    }

    [Fact]
    public void Batch_ramp_step_after_the_stage_end_is_a_warning()
    {
        var job = TestJobs.With(s => s.Stages[0].BatchRamp = [new BatchRampStep { AfterTokens = 2_000_000_000, BatchTokens = 8_388_608 }]);
        var problem = Assert.Single(JobValidator.Validate(job));
        Assert.Equal(Severity.Warning, problem.Severity);
        Assert.Equal("spec.stages[0].batchRamp[0].afterTokens", problem.Path);
    }

    // Checkpoint and failure policy.
    [Fact]
    public void Checkpoint_storage_exactly_one()
    {
        AssertError(TestJobs.With(s => s.Checkpoint.Storage.Local = null), "spec.checkpoint.storage", "found neither");
        var both = TestJobs.With(s => s.Checkpoint.Storage.AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://a.blob.core.windows.net", Container = "c" });
        AssertError(both, "spec.checkpoint.storage", "found both");
    }

    [Fact]
    public void Retryable_and_fatal_exit_codes_must_not_overlap()
    {
        var job = TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { RetryableExitCodes = [1, 2, 137] });
        AssertError(job, "spec.failurePolicy.retryableExitCodes", "found 2 in both");
    }

    [Theory]
    [InlineData(null, 300, "expected less than hangTimeoutSeconds (300), found 600")]
    [InlineData(1800, null, "expected less than hangTimeoutSeconds (1800), found 1800")]
    public void A_collective_timeout_not_below_the_hang_timeout_is_a_warning(int? collective, int? hang, string message)
    {
        var job = TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { CollectiveTimeoutSeconds = collective, HangTimeoutSeconds = hang });

        var problem = Assert.Single(JobValidator.Validate(job));

        Assert.Equal((Severity.Warning, "spec.failurePolicy.collectiveTimeoutSeconds"), (problem.Severity, problem.Path));
        Assert.StartsWith(message, problem.Message);
        Assert.Empty(JobValidator.Validate(TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { CollectiveTimeoutSeconds = 299, HangTimeoutSeconds = 300 })));
    }

    [Fact]
    public void A_collective_timeout_under_10_seconds_is_an_error() =>
        AssertError(TestJobs.With(s => s.FailurePolicy = new FailurePolicySpec { CollectiveTimeoutSeconds = 5 }), "spec.failurePolicy.collectiveTimeoutSeconds", "expected a value >= 10, found 5");

    // The hook for checks beyond the built-in rules.
    [Fact]
    public void Extra_checks_see_the_resolved_job_when_the_built_in_rules_pass()
    {
        var check = new WorldSizeWarning();
        var problems = JobValidator.Validate(TestJobs.Valid(), [check]);
        var problem = Assert.Single(problems);
        Assert.Equal(Severity.Warning, problem.Severity);
        Assert.Equal("spec.stages[0]: 64 GPUs", problem.Path + ": " + problem.Message);

        var invalid = TestJobs.With(s => s.Stages[0].Parallelism.Dp = 3);
        Assert.DoesNotContain(JobValidator.Validate(invalid, [check]), p => p.Severity == Severity.Warning);
    }

    private sealed class WorldSizeWarning : IJobCheck
    {
        public IEnumerable<ValidationProblem> Check(ResolvedJob job) =>
            [ValidationProblem.Warning("spec.stages[0]", $"{job.Stages[0].Parallelism.WorldSize} GPUs")];
    }
}
