using System.CommandLine;
using LlamaOperator.DevCluster;
using Serilog;

namespace LlamaOperator.Cli.Commands;

/// <summary>`llamaop dev-cluster`: starts the embedded cluster on its own and prints its kubeconfig path until Ctrl+C.</summary>
internal static class DevClusterCommand
{
    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of simulated nodes", DefaultValueFactory = _ => 1 };
        var gpus = new Option<int>("--gpus-per-node") { Description = "Allocatable nvidia.com/gpu per node", DefaultValueFactory = _ => 8 };
        var perBlock = new Option<int>("--nodes-per-block") { Description = $"Nodes per network block (node label {NodeOptions.BlockLabel})", DefaultValueFactory = _ => 4 };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: a free one)", DefaultValueFactory = _ => 0 };
        var crds = new Option<string?>("--crds") { Description = "Folder of CRD YAML files to load (for example crds/)" };
        var images = new Option<string[]>("--image") { Description = "IMAGE=COMMAND: run containers of IMAGE as COMMAND (space-separated words), e.g. ghcr.io/x/trainer=\"dotnet /x/llama-train.dll\"", AllowMultipleArgumentsPerToken = true };
        var workDir = new Option<string?>("--work-dir") { Description = "Folder for the kubeconfig and the pods' working folders (default: a temp folder)" };
        var command = new Command("dev-cluster", "Start the embedded Kubernetes dev cluster (API server, gang scheduler, process kubelet) and print its kubeconfig path");
        foreach (var option in new Option[] { nodes, gpus, perBlock, port, crds, images, workDir })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            var imageMap = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var entry in parse.GetValue(images) ?? [])
            {
                var eq = entry.IndexOf('=');
                if (eq <= 0)
                {
                    parse.InvocationConfiguration.Error.WriteLine($"--image \"{entry}\": expected IMAGE=COMMAND");
                    return 2;
                }
                imageMap[entry[..eq]] = entry[(eq + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            }
            using var logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
            var options = new DevClusterOptions
            {
                Nodes = NodeOptions.Uniform(parse.GetValue(nodes), parse.GetValue(gpus), parse.GetValue(perBlock)),
                Port = parse.GetValue(port),
                CrdDirectory = parse.GetValue(crds),
                ImageMap = imageMap,
                WorkDirectory = parse.GetValue(workDir),
                Logger = logger,
            };
            await using var cluster = await DevCluster.DevCluster.StartAsync(options, cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"API server: {cluster.BaseUrl}");
            output.WriteLine($"kubeconfig: {cluster.KubeconfigPath}");
            output.WriteLine($"try: kubectl --kubeconfig {cluster.KubeconfigPath} get nodes");
            output.WriteLine("Ctrl+C stops it.");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C.
            }
            return 0;
        });
        return command;
    }
}
