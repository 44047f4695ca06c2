namespace LlamaOperator.TestSupport;

/// <summary>Small manifests shared by the tests of the reader, the validator and the CLI.</summary>
public static class SampleManifests
{
    /// <summary>The smallest valid job: one Pretrain stage, TP 2 on one 2-GPU node.</summary>
    public const string Minimal = """
        apiVersion: llamaoperator.dev/v1alpha1
        kind: LlamaTrainingJob
        metadata: {name: demo}
        spec:
          model: {preset: tiny}
          data:
            sources: [{name: general, uri: /data, weight: 1}]
          cluster: {image: img, gpusPerNode: 2}
          checkpoint: {storage: {local: {path: /ckpt}}}
          stages:
            - name: pretrain
              type: Pretrain
              tokens: 65536
              sequenceLength: 256
              batchTokens: 4096
              parallelism: {tp: 2}
        """;
}
