using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;

namespace LlamaOperator.Api.Tests.Serialization;

public class ManifestReaderTests
{
    private const string Valid = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata:
          name: demo
          namespace: research
        spec:
          model:
            preset: llama3-8b
            ropeTheta: 500000
          data:
            sources:
              - {name: general, uri: /data/general, weight: 0.5}
              - {name: code, uri: /data/code, weight: 0.5}
          cluster:
            gpusPerNode: 8
            image: "ghcr.io/example/llama-train:1.0"
            resources:
              requests: {cpu: "32", memory: 512Gi}
            scheduling:
              gang: Volcano
              tolerations:
                - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
          checkpoint:
            storage:
              local: {path: /ckpt}
          stages:
            - name: pretrain
              type: Pretrain
              tokens: 1000000000
              sequenceLength: 8192
              batchTokens: 4194304
              parallelism: {tp: 8, cp: 1, pp: 2, dp: 4}
        """;

    [Fact]
    public void Reads_a_valid_manifest_with_kubernetes_types_inside()
    {
        var job = ManifestReader.Read(Valid, "demo.yaml");

        Assert.Equal("demo", job.Metadata.Name);
        Assert.Equal("research", job.Metadata.NamespaceProperty);
        Assert.Equal(500000, job.Spec.Model.RopeTheta);
        Assert.Equal(GangScheduler.Volcano, job.Spec.Cluster.Scheduling!.Gang);
        Assert.Equal("512Gi", job.Spec.Cluster.Resources!.Requests["memory"].ToString());
        Assert.Equal("Exists", job.Spec.Cluster.Scheduling.Tolerations![0].OperatorProperty);
        Assert.Equal(StageType.Pretrain, job.Spec.Stages[0].Type);
        Assert.Equal(64, job.Spec.Stages[0].Parallelism.WorldSize);
        Assert.Equal(4_194_304, job.Spec.Stages[0].BatchTokens);
    }

    [Fact]
    public void Unknown_field_names_its_path_and_line()
    {
        var text = Valid.Replace("parallelism: {tp: 8,", "parallelism: {tpp: 8,");
        var ex = Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml"));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("spec.stages[0].parallelism.tpp", problem.Path);
        Assert.Contains("unknown field", problem.Message);
        Assert.Equal(32, problem.Line);
        Assert.StartsWith("demo.yaml: ", ex.Message);
    }

    [Fact]
    public void Wrong_type_says_what_was_expected()
    {
        var text = Valid.Replace("tokens: 1000000000", "tokens: lots");
        var problem = Assert.Single(Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml")).Problems);

        Assert.Equal("spec.stages[0].tokens", problem.Path);
        Assert.Equal("expected an integer", problem.Message);
    }

    [Fact]
    public void Unknown_enum_value_lists_the_allowed_ones()
    {
        var text = Valid.Replace("type: Pretrain", "type: Pretraining");
        var problem = Assert.Single(Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml")).Problems);

        Assert.Equal("spec.stages[0].type", problem.Path);
        Assert.Equal("expected one of Pretrain, LongContext, Anneal", problem.Message);
    }

    [Fact]
    public void Wrong_api_version_is_refused()
    {
        var text = Valid.Replace("llamaoperator.dev/v1alpha1", "llamaoperator.dev/v1");
        var problem = Assert.Single(Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml")).Problems);

        Assert.Equal("apiVersion", problem.Path);
        Assert.Contains("expected 'llamaoperator.dev/v1alpha1'", problem.Message);
    }

    [Fact]
    public void Quoted_numbers_stay_strings_and_are_refused_for_numeric_fields()
    {
        var text = Valid.Replace("gpusPerNode: 8", "gpusPerNode: \"8\"");
        var problem = Assert.Single(Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml")).Problems);

        Assert.Equal("spec.cluster.gpusPerNode", problem.Path);
        Assert.Equal("expected an integer", problem.Message);
    }

    [Fact]
    public void Round_trips_through_api_json()
    {
        var job = ManifestReader.Read(Valid, "demo.yaml");
        var json = ApiJson.Serialize(job);
        var again = ApiJson.Deserialize<LlamaTrainingJob>(json)!;

        Assert.Equal(json, ApiJson.Serialize(again));
        Assert.Contains("\"type\":\"Pretrain\"", json);
        Assert.DoesNotContain("\"status\"", json);
    }
}

public class ManifestReaderRequiredFieldTests
{
    [Fact]
    public void Missing_required_numbers_and_enums_are_all_reported_with_lines()
    {
        const string text = """
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: {name: demo}
            spec:
              model: {preset: tiny}
              data:
                sources: [{name: general, uri: /data}]
              cluster: {image: img}
              checkpoint: {storage: {local: {path: /ckpt}}}
              stages:
                - name: pretrain
                  sequenceLength: 256
                  batchTokens: 1024
                  parallelism: {}
            """;

        var ex = Assert.Throws<ManifestException>(() => ManifestReader.Read(text, "demo.yaml"));

        Assert.Equal(
            ["spec.data.sources[0].weight", "spec.stages[0].type", "spec.stages[0].tokens"],
            ex.Problems.Select(p => p.Path));
        Assert.All(ex.Problems, p => Assert.Equal("required field is missing", p.Message));
        Assert.Equal([7, 11, 11], ex.Problems.Select(p => p.Line));
    }

    [Fact]
    public void Read_document_knows_the_line_of_each_field()
    {
        const string text = """
            apiVersion: llamaoperator.dev/v1alpha1
            kind: LlamaTrainingJob
            metadata: {name: demo}
            spec:
              model: {preset: tiny}
              data:
                sources: [{name: general, uri: /data, weight: 1}]
              cluster: {image: img}
              checkpoint: {storage: {local: {path: /ckpt}}}
              stages:
                - name: pretrain
                  type: Pretrain
                  tokens: 4096
                  sequenceLength: 256
                  batchTokens: 1024
                  parallelism: {tp: 1}
            """;

        var document = ManifestReader.ReadDocument(text, "demo.yaml");

        Assert.Equal("pretrain", document.Job.Spec.Stages[0].Name);
        Assert.Equal(16, document.LineOf("spec.stages[0].parallelism.tp"));
        Assert.Equal(16, document.LineOf("spec.stages[0].parallelism.dp"));
        Assert.Equal(9, document.LineOf("spec.checkpoint.storage"));
    }
}
