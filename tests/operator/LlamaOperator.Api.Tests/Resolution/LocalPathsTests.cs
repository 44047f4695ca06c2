using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Tests.Resolution;

public class LocalPathsTests
{
    private static LlamaTrainingJob JobWithPaths()
    {
        var job = TestJobs.Valid();
        job.Spec.Checkpoint.Storage.Local = new LocalStorageSpec { Path = "../.work/ckpt" };
        job.Spec.Data.Sources[0].Uri = "data/general";
        job.Spec.Data.Sources[0].PrepareFrom = "corpus/general.jsonl";
        job.Spec.Data.Sources[1].Uri = "https://acct.blob.core.windows.net/data/code";
        job.Spec.Data.EvalUri = "./held-out";
        job.Spec.Tokenizer = new TokenizerSpec { Kind = TokenizerKind.Llama3, Uri = "tok/tokenizer.model" };
        return job;
    }

    [Fact]
    public void Relative_local_paths_become_absolute_against_the_manifest_folder()
    {
        var absolute = LocalPaths.MakeAbsolute(JobWithPaths(), "/home/me/repo/examples");

        Assert.Equal("/home/me/repo/.work/ckpt", absolute.Spec.Checkpoint.Storage.Local!.Path);
        Assert.Equal("/home/me/repo/examples/data/general", absolute.Spec.Data.Sources[0].Uri);
        Assert.Equal("/home/me/repo/examples/corpus/general.jsonl", absolute.Spec.Data.Sources[0].PrepareFrom);
        Assert.Equal("/home/me/repo/examples/held-out", absolute.Spec.Data.EvalUri);
        Assert.Equal("/home/me/repo/examples/tok/tokenizer.model", absolute.Spec.Tokenizer!.Uri);
    }

    [Theory]
    [InlineData("https://acct.blob.core.windows.net/data/code")]
    [InlineData("file:///mnt/data")]
    [InlineData("/mnt/data")]
    public void Urls_and_absolute_paths_are_kept(string location)
    {
        var job = JobWithPaths();
        job.Spec.Data.Sources[0].Uri = location;

        Assert.Equal(location, LocalPaths.MakeAbsolute(job, "/home/me").Spec.Data.Sources[0].Uri);
    }

    [Fact]
    public void The_submitted_job_is_not_changed_and_everything_else_is_copied()
    {
        var job = JobWithPaths();
        var before = ApiJson.Serialize(job);

        var absolute = LocalPaths.MakeAbsolute(job, "/home/me");

        Assert.Equal(before, ApiJson.Serialize(job));
        absolute.Spec.Checkpoint.Storage.Local!.Path = job.Spec.Checkpoint.Storage.Local!.Path;
        absolute.Spec.Data.Sources[0].Uri = job.Spec.Data.Sources[0].Uri;
        absolute.Spec.Data.Sources[0].PrepareFrom = job.Spec.Data.Sources[0].PrepareFrom;
        absolute.Spec.Data.EvalUri = job.Spec.Data.EvalUri;
        absolute.Spec.Tokenizer!.Uri = job.Spec.Tokenizer!.Uri;
        Assert.Equal(before, ApiJson.Serialize(absolute));
    }

    [Fact]
    public void A_relative_manifest_folder_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => LocalPaths.MakeAbsolute(JobWithPaths(), "examples"));
        Assert.Contains("'examples'", error.Message);
    }
}
