using k8s.Models;
using LlamaOperator.Api.Resolution;
using LlamaOperator.Api.Serialization;
using LlamaOperator.Api.V1Alpha1;
using LlamaOperator.Core.Planning;
using LlamaOperator.Core.Rendering;

namespace LlamaOperator.Core.Tests.Rendering;

public class StageRendererTests
{
    private static RenderedStage Render(LlamaTrainingJob job)
    {
        var resolved = JobResolver.Resolve(job);
        return StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, 0));
    }

    private static LlamaTrainingJob SmallJob(int gpusPerNode = 8, GangScheduler gang = GangScheduler.Coscheduling)
    {
        // PP2 DP2 with TP filling a node: 4 nodes (32 GPUs with 8 per node, 4 with 1).
        var job = TestJobs.Job("llama3-8b", gpusPerNode, TestJobs.Stage("pretrain", StageType.Pretrain, gpusPerNode, 1, 2, 2, 8192, 4 * 8192));
        job.Spec.Cluster.Scheduling = new SchedulingSpec { Gang = gang };
        return job;
    }

    private static Dictionary<string, string> Env(V1Pod pod) => pod.Spec.Containers[0].Env.ToDictionary(e => e.Name, e => e.Value ?? "");

    [Fact]
    public void Table4_long_context_stage_renders_one_pod_per_node()
    {
        var stage = Render(TestJobs.Llama405BLongContext());

        Assert.Equal(2048, stage.Pods.Count);
        Assert.Equal("llama-long-context-0", stage.Pods[0].Metadata.Name);
        Assert.Equal("llama-long-context-2047", stage.Pods[^1].Metadata.Name);
        Assert.Equal(2048, stage.Pods.Select(p => p.Metadata.Name).Distinct().Count());
        Assert.Equal(2048, stage.PodGroup!.Spec.MinMember);
        Assert.Equal(16_384m, stage.PodGroup.Spec.MinResources![TrainerPodTemplate.GpuResource].ToDecimal());
    }

    [Fact]
    public void Every_pod_of_a_dp_replica_gets_the_same_placement_domain_constraint()
    {
        var job = TestJobs.Llama405BLongContext();
        job.Spec.Cluster.Scheduling = new SchedulingSpec { TopologyKey = "network.example.com/block" };
        var stage = Render(job);

        var replicas = stage.Pods.GroupBy(p => p.Metadata.Labels[TrainerLabels.DpReplica]).ToList();
        Assert.Equal(8, replicas.Count);
        foreach (var replica in replicas)
        {
            Assert.Equal(256, replica.Count());
            var terms = replica.Select(p => Assert.Single(p.Spec.Affinity.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution)).ToList();
            Assert.All(terms, term =>
            {
                Assert.Equal("network.example.com/block", term.TopologyKey);
                Assert.Equal(replica.Key, term.LabelSelector.MatchLabels[TrainerLabels.DpReplica]);
                Assert.Equal("llama", term.LabelSelector.MatchLabels[TrainerLabels.Job]);
                Assert.Equal("long-context", term.LabelSelector.MatchLabels[TrainerLabels.Stage]);
            });
        }
    }

    [Fact]
    public void Without_a_topology_key_pods_have_no_affinity()
    {
        Assert.All(Render(SmallJob()).Pods, pod => Assert.Null(pod.Spec.Affinity));
    }

    [Fact]
    public void Pods_resolve_through_the_headless_service()
    {
        var stage = Render(SmallJob());

        Assert.Equal("None", stage.Service.Spec.ClusterIP);
        Assert.Equal("llama-pretrain", stage.Service.Metadata.Name);
        Assert.Equal(29500, Assert.Single(stage.Service.Spec.Ports).Port);
        Assert.Equal("pretrain", stage.Service.Spec.Selector[TrainerLabels.Stage]);
        Assert.All(stage.Pods, pod =>
        {
            Assert.Equal(pod.Metadata.Name, pod.Spec.Hostname);
            Assert.Equal(stage.Service.Metadata.Name, pod.Spec.Subdomain);
            Assert.Equal("llama-pretrain-0.llama-pretrain.research.svc", Env(pod)["MASTER_ADDR"]);
        });
    }

    [Fact]
    public void Env_carries_the_4d_layout_and_node_rank_but_no_rank_for_multi_process_pods()
    {
        var stage = Render(SmallJob());
        var env = Env(stage.Pods[3]);

        Assert.Equal("32", env["WORLD_SIZE"]);
        Assert.Equal("4", env["NNODES"]);
        Assert.Equal("3", env["NODE_RANK"]);
        Assert.Equal("8", env["NPROC_PER_NODE"]);
        Assert.Equal(("8", "1", "2", "2"), (env["LLAMA_TP"], env["LLAMA_CP"], env["LLAMA_PP"], env["LLAMA_DP"]));
        Assert.Equal("pretrain", env["LLAMA_STAGE"]);
        Assert.Equal("/ckpt", env["LLAMA_CHECKPOINT_URI"]);
        Assert.Equal("600", env["LLAMA_COLLECTIVE_TIMEOUT_SECONDS"]);
        Assert.Equal("/dev/termination-log", env["LLAMA_TERMINATION_MESSAGE_PATH"]);
        Assert.False(env.ContainsKey("RANK"));
        Assert.False(env.ContainsKey("LOCAL_RANK"));
    }

    [Fact]
    public void Env_carries_the_gang_generation_and_the_pod_ip_from_the_downward_api()
    {
        var job = SmallJob();
        var resolved = JobResolver.Resolve(job);
        var stage = StageRenderer.Render(job, resolved, StagePlanner.Plan(resolved, "pretrain"), gangGeneration: 7);

        Assert.All(stage.Pods, pod =>
        {
            Assert.Equal("7", Env(pod)["LLAMA_GANG_GENERATION"]);
            var podIp = pod.Spec.Containers[0].Env.Single(e => e.Name == "POD_IP");
            Assert.Equal((null, "status.podIP"), (podIp.Value, podIp.ValueFrom.FieldRef.FieldPath));
        });
    }

    [Fact]
    public void One_process_pods_get_rank_and_local_rank()
    {
        var stage = Render(SmallJob(gpusPerNode: 1));
        var env = Env(stage.Pods[2]);
        Assert.Equal("2", env["RANK"]);
        Assert.Equal("0", env["LOCAL_RANK"]);
        Assert.Equal("2", env["NODE_RANK"]);
    }

    [Fact]
    public void Nccl_settings_and_user_env_are_passed_through()
    {
        var job = SmallJob();
        job.Spec.Cluster.Nccl = new NcclSpec { SocketInterface = "eth0", IbHca = "mlx5_0,mlx5_1", Debug = "WARN", ExtraEnv = new() { ["NCCL_IB_GID_INDEX"] = "3" } };
        job.Spec.Cluster.Env = [new V1EnvVar { Name = "HF_HOME", Value = "/cache" }];
        var env = Env(Render(job).Pods[0]);

        Assert.Equal("eth0", env["NCCL_SOCKET_IFNAME"]);
        Assert.Equal("mlx5_0,mlx5_1", env["NCCL_IB_HCA"]);
        Assert.Equal("WARN", env["NCCL_DEBUG"]);
        Assert.Equal("3", env["NCCL_IB_GID_INDEX"]);
        Assert.Equal("/cache", env["HF_HOME"]);
    }

    [Fact]
    public void Azure_checkpoint_uri_defaults_its_prefix_to_namespace_and_job()
    {
        var job = SmallJob();
        job.Spec.Checkpoint.Storage = new CheckpointStorageSpec { AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://acct.blob.core.windows.net/", Container = "ckpt" } };
        Assert.Equal("https://acct.blob.core.windows.net/ckpt/research/llama", Env(Render(job).Pods[0])["LLAMA_CHECKPOINT_URI"]);
    }

    [Theory]
    [InlineData(null, "AZURE_STORAGE_CONNECTION_STRING", "connectionString")]
    [InlineData("sasToken", "AZURE_STORAGE_SAS_TOKEN", "sasToken")]
    public void Blob_credentials_come_from_the_secret_by_reference(string? key, string variable, string expectedKey)
    {
        var job = SmallJob();
        job.Spec.Checkpoint.Storage = new CheckpointStorageSpec
        {
            AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://acct.blob.core.windows.net", Container = "ckpt", SecretRef = new SecretReference { Name = "blob-creds", Key = key } },
        };

        var env = Render(job).Pods[0].Spec.Containers[0].Env.Single(e => e.Name == variable);

        Assert.Null(env.Value);
        Assert.Equal(("blob-creds", expectedKey), (env.ValueFrom.SecretKeyRef.Name, env.ValueFrom.SecretKeyRef.Key));
    }

    [Fact]
    public void Workload_identity_needs_no_credential_variable()
    {
        var job = SmallJob();
        job.Spec.Checkpoint.Storage = new CheckpointStorageSpec { AzureBlob = new AzureBlobStorageSpec { AccountUrl = "https://acct.blob.core.windows.net", Container = "ckpt" } };
        Assert.DoesNotContain(Render(job).Pods[0].Spec.Containers[0].Env, e => e.Name.StartsWith("AZURE_", StringComparison.Ordinal));
    }

    [Fact]
    public void Pod_spec_runs_the_trainer_with_gpus_shm_and_the_job_config()
    {
        var job = SmallJob();
        job.Spec.Cluster.Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("90"), ["memory"] = new("1000Gi") } };
        job.Spec.Cluster.ShmSize = "128Gi";
        job.Spec.Cluster.Scheduling = new SchedulingSpec
        {
            PriorityClassName = "training",
            NodeSelector = new() { ["gpu"] = "h100" },
            Tolerations = [new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" }],
        };
        var stage = Render(job);
        var pod = stage.Pods[1];
        var container = Assert.Single(pod.Spec.Containers);

        Assert.Equal(["llama-train", "train", "--job", "/etc/llamaop/job.json", "--stage", "pretrain"], container.Command);
        Assert.Equal("8", container.Resources.Limits[TrainerPodTemplate.GpuResource].ToString());
        Assert.Equal("8", container.Resources.Requests[TrainerPodTemplate.GpuResource].ToString());
        Assert.Equal("90", container.Resources.Requests["cpu"].ToString());
        Assert.Equal("Never", pod.Spec.RestartPolicy);
        Assert.True(pod.Spec.TerminationGracePeriodSeconds >= 120);
        // The trainer's cause of a failure (or the end of its log) becomes the container's terminated message.
        Assert.Equal(("/dev/termination-log", "FallbackToLogsOnError"), (container.TerminationMessagePath, container.TerminationMessagePolicy));
        Assert.Equal("scheduler-plugins-scheduler", pod.Spec.SchedulerName);
        Assert.Equal("training", pod.Spec.PriorityClassName);
        Assert.Equal("h100", pod.Spec.NodeSelector["gpu"]);
        Assert.Equal("nvidia.com/gpu", Assert.Single(pod.Spec.Tolerations).Key);
        var shm = pod.Spec.Volumes.Single(v => v.EmptyDir is not null);
        Assert.Equal("Memory", shm.EmptyDir.Medium);
        Assert.Equal("128Gi", shm.EmptyDir.SizeLimit.ToString());
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/dev/shm" && m.Name == shm.Name);
        var config = pod.Spec.Volumes.Single(v => v.ConfigMap is not null);
        Assert.Equal(stage.ConfigMap.Metadata.Name, config.ConfigMap.Name);
        Assert.Equal("1", pod.Metadata.Labels[TrainerLabels.NodeRank]);
        Assert.Equal("4000Gi", stage.PodGroup!.Spec.MinResources!["memory"].ToString());
        Assert.Equal(360m, stage.PodGroup.Spec.MinResources["cpu"].ToDecimal());
    }

    [Fact]
    public void Config_map_holds_the_job_the_trainer_can_read_back()
    {
        var job = SmallJob();
        var text = Render(job).ConfigMap.Data[TrainerPodTemplate.JobConfigFile];
        var read = ManifestReader.Read(text, "job.json");
        Assert.Equal("llama", read.Metadata.Name);
        Assert.Equal("pretrain", Assert.Single(read.Spec.Stages).Name);
        Assert.Equal(8, read.Spec.Cluster.GpusPerNode);
    }

    [Fact]
    public void Every_object_is_owned_by_the_job_as_controller()
    {
        var stage = Render(SmallJob());
        Assert.All(stage.Objects(), o =>
        {
            var owner = Assert.Single(o.Metadata.OwnerReferences);
            Assert.Equal(("LlamaTrainingJob", "llama", "0f6c2b8e-1111-4a4a-9e9e-123456789abc"), (owner.Kind, owner.Name, owner.Uid));
            Assert.True(owner.Controller);
            Assert.True(owner.BlockOwnerDeletion);
        });
    }

    [Fact]
    public void A_job_without_uid_renders_without_owner()
    {
        var job = SmallJob();
        job.Metadata.Uid = null;
        Assert.All(Render(job).Objects(), o => Assert.Null(o.Metadata.OwnerReferences));
    }

    [Fact]
    public void Coscheduling_pod_group_is_joined_by_label()
    {
        var job = SmallJob();
        job.Spec.Cluster.Scheduling!.ScheduleTimeoutSeconds = 900;
        var stage = Render(job);

        Assert.Equal("scheduling.x-k8s.io/v1alpha1", stage.PodGroup!.ApiVersion);
        Assert.Equal(4, stage.PodGroup.Spec.MinMember);
        Assert.Equal(900, stage.PodGroup.Spec.ScheduleTimeoutSeconds);
        Assert.All(stage.Pods, pod => Assert.Equal("llama-pretrain", pod.Metadata.Labels[TrainerLabels.CoschedulingPodGroup]));
    }

    [Fact]
    public void Volcano_pod_group_is_joined_by_annotation_and_takes_the_queue()
    {
        var job = SmallJob(gang: GangScheduler.Volcano);
        job.Spec.Cluster.Scheduling!.Queue = "research";
        var stage = Render(job);

        Assert.Equal("scheduling.volcano.sh/v1beta1", stage.PodGroup!.ApiVersion);
        Assert.Equal("research", stage.PodGroup.Spec.Queue);
        Assert.All(stage.Pods, pod =>
        {
            Assert.Equal("llama-pretrain", pod.Metadata.Annotations[TrainerLabels.VolcanoGroupName]);
            Assert.Equal("volcano", pod.Spec.SchedulerName);
            Assert.False(pod.Metadata.Labels.ContainsKey(TrainerLabels.KueueQueueName));
            Assert.False(pod.Metadata.Labels.ContainsKey(TrainerLabels.CoschedulingPodGroup));
        });
    }

    [Fact]
    public void No_gang_scheduler_means_no_pod_group_and_the_default_scheduler()
    {
        var stage = Render(SmallJob(gang: GangScheduler.None));
        Assert.Null(stage.PodGroup);
        Assert.All(stage.Pods, pod => Assert.Null(pod.Spec.SchedulerName));
    }

    [Fact]
    public void Kueue_queue_labels_the_pods_as_one_pod_group()
    {
        var job = SmallJob();
        job.Spec.Cluster.Scheduling!.Queue = "team-a";
        Assert.All(Render(job).Pods, pod =>
        {
            Assert.Equal("team-a", pod.Metadata.Labels[TrainerLabels.KueueQueueName]);
            Assert.Equal("llama-pretrain", pod.Metadata.Labels[TrainerLabels.KueuePodGroupName]);
            Assert.Equal("4", pod.Metadata.Annotations[TrainerLabels.KueuePodGroupTotalCount]);
        });
    }
}
