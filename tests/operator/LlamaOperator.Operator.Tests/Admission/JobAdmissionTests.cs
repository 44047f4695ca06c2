using System.Text.Json.Nodes;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Lifecycle;
using LlamaOperator.Operator.Admission;
using LlamaOperator.Operator.Tests.Support;
using LlamaOperator.Runtime.Webhooks;

namespace LlamaOperator.Operator.Tests.Admission;

/// <summary>
/// The LlamaTrainingJob webhook on AdmissionReviews as the API server sends them: what it allows, what it refuses with
/// every problem and its field path, and that it refuses exactly the edits the operator would reject in status.
/// </summary>
public class JobAdmissionTests
{
    private const string Uid = "705ab4f5-6393-11e8-b7cc-42010a800002";

    [Fact]
    public void Creating_a_valid_job_is_allowed_and_the_uid_echoed()
    {
        var response = Review("CREATE", TestJobs.ThreeStages("research", "/ckpt"), null);

        Assert.Equal(Uid, (string?)response["uid"]);
        Assert.True((bool)response["allowed"]!);
        Assert.Null(response["status"]);
    }

    [Fact]
    public void Creating_a_broken_layout_is_denied_with_every_problem_and_its_field_path()
    {
        var job = TestJobs.ThreeStages("research", "/ckpt");
        job.Spec.Stages[0].Parallelism = new ParallelismSpec { Tp = 3, Dp = 2, Gpus = 4 }; // beyond a 1-GPU node, 4 heads, 3*2 != 4
        job.Spec.Stages[2].Parallelism = new ParallelismSpec { Dp = 1, Gpus = 2 };

        var response = Review("CREATE", job, null);

        Assert.False((bool)response["allowed"]!);
        var status = response["status"]!;
        Assert.Equal(422, (int)status["code"]!);
        Assert.Equal("Invalid", (string?)status["reason"]);
        var message = (string)status["message"]!;
        Assert.StartsWith("LlamaTrainingJob.llamaoperator.dev \"tiny\" is invalid: [", message, StringComparison.Ordinal);
        Assert.Contains("spec.stages[0].parallelism.tp: expected at most gpusPerNode (1)", message, StringComparison.Ordinal);
        Assert.Contains("spec.stages[0].parallelism.tp: expected a divisor of", message, StringComparison.Ordinal); // 4 heads by TP 3
        Assert.Contains("spec.stages[0].parallelism.gpus: expected tp*cp*pp*dp = 3*1*1*2 = 6 GPUs, found gpus 4", message, StringComparison.Ordinal);
        Assert.Contains("spec.stages[2].parallelism.gpus: expected tp*cp*pp*dp = 1*1*1*1 = 1 GPUs, found gpus 2", message, StringComparison.Ordinal);
        var fields = status["details"]!["causes"]!.AsArray().Select(c => (string)c!["field"]!).ToList();
        Assert.Contains("spec.stages[0].parallelism.tp", fields);
        Assert.Contains("spec.stages[0].parallelism.gpus", fields);
        Assert.Contains("spec.stages[2].parallelism.gpus", fields);
        Assert.Equal(fields.Count, message.Split("spec.stages[").Length - 1); // each cause once in the message
    }

    [Fact]
    public void Validation_warnings_are_the_responses_warnings()
    {
        var job = TestJobs.ThreeStages("research", "/ckpt");
        job.Spec.FailurePolicy!.CollectiveTimeoutSeconds = 7200; // above hangTimeoutSeconds 3600: a warning, not an error

        var response = Review("CREATE", job, null);

        Assert.True((bool)response["allowed"]!);
        Assert.Contains(response["warnings"]!.AsArray(), w => ((string)w!).StartsWith("spec.failurePolicy.collectiveTimeoutSeconds: ", StringComparison.Ordinal));
    }

    [Fact]
    public void Editing_a_running_job_into_a_broken_layout_is_denied_as_the_operator_would_reject_it()
    {
        var running = RunningJob();
        var edited = Copy(running);
        edited.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 4, Gpus = 8 };

        var response = Review("UPDATE", edited, running);

        Assert.False((bool)response["allowed"]!);
        Assert.Contains("spec.stages[1].parallelism.gpus: expected tp*cp*pp*dp = 1*4*1*1 = 4 GPUs, found gpus 8", (string)response["status"]!["message"]!, StringComparison.Ordinal);
        Assert.True(OperatorRejects(edited));
    }

    [Fact]
    public void Removing_the_running_stage_is_denied_as_the_operator_would_reject_it()
    {
        var running = RunningJob();
        var edited = Copy(running);
        edited.Spec.Stages.RemoveAt(0);

        var response = Review("UPDATE", edited, running);

        Assert.False((bool)response["allowed"]!);
        Assert.Contains("spec.stages: spec.stages no longer has the running stage pretrain", (string)response["status"]!["message"]!, StringComparison.Ordinal);
        Assert.True(OperatorRejects(edited));
    }

    [Fact]
    public void Valid_edits_of_a_running_job_are_allowed_as_the_operator_accepts_them()
    {
        var running = RunningJob();
        var edited = Copy(running);
        edited.Spec.Stages.RemoveAt(2); // another stage than the running one
        edited.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 2, Dp = 2 };

        var response = Review("UPDATE", edited, running);

        Assert.True((bool)response["allowed"]!);
        Assert.False(OperatorRejects(edited));
    }

    [Fact]
    public void A_metadata_edit_of_a_stored_job_is_allowed()
    {
        var running = RunningJob();
        running.Spec.Stages[1].Parallelism = new ParallelismSpec { Cp = 4, Gpus = 8 }; // stored before the webhook existed
        var labelled = Copy(running);
        labelled.Metadata.Labels = new Dictionary<string, string> { ["team"] = "research" };

        Assert.True((bool)Review("UPDATE", labelled, running)["allowed"]!);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE"}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE","object":{}}}""")]
    [InlineData("""{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","operation":"CREATE","object":[1]}}""")]
    public void A_malformed_review_is_answered_400(string body)
    {
        var (statusCode, answer, _, _) = AdmissionReview.Handle(body, JobAdmission.Review);

        Assert.Equal(400, statusCode);
        Assert.NotEmpty(answer);
    }

    [Fact]
    public void An_object_that_is_no_job_is_denied_400()
    {
        var review = Request("CREATE", JsonNode.Parse("""{"apiVersion":"llamaoperator.dev/v1alpha1","kind":"LlamaTrainingJob","metadata":{"name":"x"},"spec":{"stages":"three"}}""")!.AsObject(), null);

        var (statusCode, answer, _, _) = AdmissionReview.Handle(review.ToJsonString(), JobAdmission.Review);

        Assert.Equal(200, statusCode);
        var response = JsonNode.Parse(answer)!["response"]!;
        Assert.False((bool)response["allowed"]!);
        Assert.Equal(400, (int)response["status"]!["code"]!);
    }

    private static LlamaTrainingJob RunningJob()
    {
        var job = TestJobs.ThreeStages("research", "/ckpt");
        job.Metadata.Generation = 1;
        job.Status = new LlamaTrainingJobStatus
        {
            Phase = JobPhase.Running,
            Stage = new StageStatus { Index = 0, Name = "pretrain", Type = StageType.Pretrain, SequenceLength = 256, StartedWith = Copy(job).Spec.Stages[0] },
        };
        return job;
    }

    /// <summary>What the operator decides about the stored job: SpecRejected=True in its status.</summary>
    private static bool OperatorRejects(LlamaTrainingJob job)
    {
        var decision = LifecycleDecider.Decide(JobObservation.Of(job, ObservedChildren.None, ObservedProgress.None, DateTime.UtcNow));
        return decision.Status.Conditions?.Any(c => c.Type == ConditionTypes.SpecRejected && c.Status == "True") == true;
    }

    private static LlamaTrainingJob Copy(LlamaTrainingJob job) => ApiJson.Deserialize<LlamaTrainingJob>(ApiJson.Serialize(job))!;

    private static JsonNode Review(string operation, LlamaTrainingJob job, LlamaTrainingJob? old)
    {
        var review = Request(operation, Json(job), old is null ? null : Json(old));
        var (statusCode, answer, _, _) = AdmissionReview.Handle(review.ToJsonString(), JobAdmission.Review);
        Assert.Equal(200, statusCode);
        var root = JsonNode.Parse(answer)!;
        Assert.Equal("admission.k8s.io/v1", (string?)root["apiVersion"]);
        Assert.Equal("AdmissionReview", (string?)root["kind"]);
        return root["response"]!;
    }

    private static JsonObject Json(LlamaTrainingJob job)
    {
        var obj = JsonNode.Parse(ApiJson.Serialize(job))!.AsObject();
        obj["apiVersion"] = ApiGroup.ApiVersion;
        obj["kind"] = ApiGroup.Kind;
        return obj;
    }

    private static JsonObject Request(string operation, JsonObject obj, JsonObject? old) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = Uid,
            ["kind"] = new JsonObject { ["group"] = ApiGroup.Group, ["version"] = ApiGroup.Version, ["kind"] = ApiGroup.Kind },
            ["resource"] = new JsonObject { ["group"] = ApiGroup.Group, ["version"] = ApiGroup.Version, ["resource"] = ApiGroup.Plural },
            ["name"] = (string?)obj["metadata"]?["name"],
            ["namespace"] = "research",
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "alice" },
            ["object"] = obj,
            ["oldObject"] = old,
            ["dryRun"] = false,
        },
    };
}
