using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Api.Validation;
using LlamaOperator.Core.Planning;

namespace LlamaOperator.Core.Tests.Planning;

public class PlanCheckTests
{
    [Fact]
    public void Memory_that_does_not_fit_is_a_validation_warning_on_the_stage()
    {
        var job = TestJobs.Job("llama3-8b", 8, TestJobs.Stage("pretrain", StageType.Pretrain, 1, 1, 1, 8, 8192, 8 * 8192 * 4, microBatchSize: 2));

        var problems = JobValidator.Validate(job, [new PlanCheck()]);

        var warning = Assert.Single(problems);
        Assert.Equal(Severity.Warning, warning.Severity);
        Assert.Equal("spec.stages[0]", warning.Path);
        Assert.Contains("exceeds 80 GiB", warning.Message);
    }

    [Fact]
    public void A_layout_that_fits_adds_no_problem()
    {
        Assert.Empty(JobValidator.Validate(TestJobs.Llama405BPretrain(), [new PlanCheck()]));
    }
}
