namespace LlamaOperator.DevCluster.Kubelet;

/// <summary>
/// How a container becomes a host command line. The image (matched with its tag, then without it)
/// gives the entrypoint; a container `command` replaces it, its first word looked up in the command
/// map (so `llama-train` can mean `dotnet /x/llama-train.dll`); `args` follow either.
/// </summary>
public sealed class ImageMap(IReadOnlyDictionary<string, IReadOnlyList<string>> images, IReadOnlyDictionary<string, IReadOnlyList<string>> commands)
{
    /// <summary>The argv to run, or null with the reason when the image has no mapping and the container gives no command.</summary>
    public (IReadOnlyList<string>? Argv, string? Error) Resolve(string image, IReadOnlyList<string> command, IReadOnlyList<string> args)
    {
        if (command.Count > 0)
        {
            var head = commands.TryGetValue(command[0], out var mapped) ? mapped : [command[0]];
            return ([.. head, .. command.Skip(1), .. args], null);
        }
        var entrypoint = Entrypoint(image);
        return entrypoint is null
            ? (null, $"image \"{image}\" is not in the dev cluster's image map and the container has no command")
            : ([.. entrypoint, .. args], null);
    }

    private IReadOnlyList<string>? Entrypoint(string image)
    {
        if (images.TryGetValue(image, out var exact))
        {
            return exact;
        }
        var withoutDigest = image.Split('@')[0];
        var slash = withoutDigest.LastIndexOf('/');
        var colon = withoutDigest.LastIndexOf(':');
        var repository = colon > slash ? withoutDigest[..colon] : withoutDigest;
        return images.TryGetValue(repository, out var untagged) ? untagged : null;
    }
}
