using System.CommandLine;
using System.Text.Json.Nodes;
using LlamaOperator.Cli.Local;
using LlamaOperator.DevCluster;
using Serilog;

namespace LlamaOperator.Cli.Commands;

/// <summary>
/// `llamaop dev-cluster`: starts the embedded cluster on its own and prints its kubeconfig path until Ctrl+C. From a
/// checkout it stands in for a cluster the operator can run on, as the local mode's does: the checkout's CRDs are
/// served, the pods' `llama-train` command runs the checkout's trainer (built first when missing or stale) and the
/// relative local paths of an applied job are made absolute against the manifests' folder (the checkout's examples/
/// by default), so `llamaop run` beside it trains `kubectl apply -f examples/tiny-local.yaml` as `llamaop local` does.
/// </summary>
internal static class DevClusterCommand
{
    /// <summary>The checkout's folder of example manifests, whose relative paths the dev cluster resolves by default.</summary>
    public const string ExamplesFolder = "examples";

    public static Command Create()
    {
        var nodes = new Option<int>("--nodes") { Description = "Number of simulated nodes", DefaultValueFactory = _ => 1 };
        var gpus = new Option<int>("--gpus-per-node") { Description = "Allocatable nvidia.com/gpu per node", DefaultValueFactory = _ => 8 };
        var perBlock = new Option<int>("--nodes-per-block") { Description = $"Nodes per network block (node label {NodeOptions.BlockLabel})", DefaultValueFactory = _ => 4 };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0: a free one)", DefaultValueFactory = _ => 0 };
        var crds = new Option<string?>("--crds") { Description = $"Folder of CRD YAML files to load (default: the checkout's {TrainerLocator.CrdFolder}/)" };
        var images = new Option<string[]>("--image") { Description = "IMAGE=COMMAND: run containers of IMAGE as COMMAND (space-separated words), e.g. ghcr.io/x/trainer=\"dotnet /x/llama-train.dll\"", AllowMultipleArgumentsPerToken = true };
        var manifestFolder = new Option<string?>("--manifest-folder") { Description = $"The folder relative local paths of an applied LlamaTrainingJob (checkpoint, data, tokenizer) are relative to, as `llamaop local FILE` takes FILE's folder (default: the checkout's {ExamplesFolder}/, else the current folder)" };
        var workDir = new Option<string?>("--work-dir") { Description = "Folder for the kubeconfig and the pods' working folders (default: a temp folder)" };
        var command = new Command("dev-cluster", "Start the embedded Kubernetes dev cluster (API server, gang scheduler, process kubelet) with the checkout's CRDs and trainer, and print its kubeconfig path");
        foreach (var option in new Option[] { nodes, gpus, perBlock, port, crds, images, manifestFolder, workDir })
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
            var output = parse.InvocationConfiguration.Output;
            var root = TrainerLocator.FindRepositoryRoot();
            var commandMap = new Dictionary<string, IReadOnlyList<string>>();
            if (root is null)
            {
                output.WriteLine($"Not in a checkout (no {TrainerLocator.SolutionFile} above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}): only the CRDs of --crds, and no trainer for `{LocalClusterLayout.TrainerCommand}`.");
            }
            else
            {
                try
                {
                    commandMap = new(LocalClusterLayout.TrainerCommands(await TrainerLocator.EnsureBuiltAsync(root, TrainerLocator.Configuration, output, cancellationToken)));
                }
                catch (InvalidOperationException e)
                {
                    parse.InvocationConfiguration.Error.WriteLine(e.Message);
                    return 2;
                }
            }

            var manifests = Path.GetFullPath(parse.GetValue(manifestFolder) ?? (root is null ? Environment.CurrentDirectory : Path.Combine(root, ExamplesFolder)));
            using var logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
            var options = new DevClusterOptions
            {
                Nodes = NodeOptions.Uniform(parse.GetValue(nodes), parse.GetValue(gpus), parse.GetValue(perBlock)),
                Port = parse.GetValue(port),
                CrdDirectory = parse.GetValue(crds) ?? (root is null ? null : Path.Combine(root, TrainerLocator.CrdFolder)),
                ImageMap = imageMap,
                CommandMap = commandMap,
                Admission = new Dictionary<string, Action<JsonObject>> { [LocalPathsAdmission.Resource] = job => LocalPathsAdmission.MakeAbsolute(job, manifests) },
                WorkDirectory = parse.GetValue(workDir),
                Logger = logger,
            };
            await using var cluster = await DevCluster.DevCluster.StartAsync(options, cancellationToken);
            output.WriteLine($"API server: {cluster.BaseUrl}");
            output.WriteLine($"kubeconfig: {cluster.KubeconfigPath}");
            output.WriteLine($"CRDs: {options.CrdDirectory ?? "none"}");
            output.WriteLine($"relative local paths of jobs: against {manifests}");
            foreach (var (name, argv) in commandMap)
            {
                output.WriteLine($"command {name}: {string.Join(' ', argv)}");
            }
            output.WriteLine($"try: kubectl --kubeconfig {cluster.KubeconfigPath} get nodes,crds");
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
