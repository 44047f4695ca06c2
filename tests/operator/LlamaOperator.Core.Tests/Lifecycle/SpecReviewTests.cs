using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Lifecycle;

namespace LlamaOperator.Core.Tests.Lifecycle;

/// <summary>The one rule set that status (SpecRejected) and the admission webhook refuse specs by.</summary>
public class SpecReviewTests
{
    private static LlamaTrainingJob Job() => TestJobs.Job("tiny", 8,
        TestJobs.Stage("pretrain", StageType.Pretrain, tp: 2, cp: 1, pp: 1, dp: 4, sequenceLength: 256, batchTokens: 4096),
        TestJobs.Stage("anneal", StageType.Anneal, tp: 1, cp: 1, pp: 1, dp: 8, sequenceLength: 256, batchTokens: 4096));

    [Fact]
    public void A_valid_job_has_no_problems_running_or_not()
    {
        Assert.DoesNotContain(SpecReview.Problems(Job(), null), p => p.Severity == Severity.Error);
        Assert.DoesNotContain(SpecReview.Problems(Job(), new StageStatus { Name = "anneal" }), p => p.Severity == Severity.Error);
    }

    [Fact]
    public void The_validators_problems_are_the_reviews()
    {
        var job = Job();
        job.Spec.Stages[0].Parallelism.Tp = 16;

        Assert.Equal(JobValidator.Validate(job), SpecReview.Problems(job, null));
    }

    [Fact]
    public void A_spec_without_the_running_stage_is_refused_at_spec_stages()
    {
        var job = Job();
        job.Spec.Stages.RemoveAt(0);

        var problem = Assert.Single(SpecReview.Problems(job, new StageStatus { Name = "pretrain" }), p => p.Severity == Severity.Error);

        Assert.Equal("spec.stages", problem.Path);
        Assert.Contains("running stage pretrain", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SpecReview.Problems(job, null), p => p.Severity == Severity.Error);
    }
}
