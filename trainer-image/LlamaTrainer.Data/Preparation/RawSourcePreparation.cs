using System.Diagnostics;
using LlamaTrainer.Data.Shards;
using LlamaTrainer.Data.Tokenization;
using LlamaTrainer.Storage;
using LlamaTrainer.Storage.Local;
using Serilog;

namespace LlamaTrainer.Data.Preparation;

/// <summary>
/// Tokenizes a <see cref="RawSource"/> into its shard folder the first time a process needs it (no index.json yet).
/// The output is deterministic, so processes that race (ranks of one job, train and eval) write the same bytes, and
/// nobody sees a half-written source: a local folder is written under a temporary name and renamed into place; in blob
/// storage index.json is written after every shard.
/// </summary>
public static class RawSourcePreparation
{
    /// <param name="credentials">for blob locations; null: the environment's (see <see cref="ObjectStores.Open"/>)</param>
    /// <returns>the source's index, and whether this call prepared it (false: it was already there)</returns>
    public static Task<(ShardIndex Index, bool Prepared)> EnsurePreparedAsync(
        RawSource source, TextTokenizer tokenizer, int heldOutDocuments, ILogger log, BlobCredentials? credentials = null, CancellationToken cancellationToken = default) =>
        EnsurePreparedAsync(source, ObjectStores.Open(source.ShardLocation, credentials), tokenizer, heldOutDocuments, log, credentials, cancellationToken);

    /// <param name="store">the source's shard folder (a <see cref="LocalFolderStore"/> is published by a rename)</param>
    public static async Task<(ShardIndex Index, bool Prepared)> EnsurePreparedAsync(
        RawSource source, IObjectStore store, TextTokenizer tokenizer, int heldOutDocuments, ILogger log, BlobCredentials? credentials = null, CancellationToken cancellationToken = default)
    {
        if (await store.ExistsAsync(ShardIndex.FileName, cancellationToken).ConfigureAwait(false))
        {
            return (await ShardIndex.LoadAsync(store, cancellationToken).ConfigureAwait(false), false);
        }

        var clock = Stopwatch.StartNew();
        log.Information("Source {Source} has no {Index} at {Location}: tokenizing {PrepareFrom} with {Tokenizer}",
            source.Name, ShardIndex.FileName, store.Location, source.PrepareFrom, tokenizer.Name);
        var download = IsUrl(source.PrepareFrom) ? await DownloadAsync(source, credentials, cancellationToken).ConfigureAwait(false) : null;
        try
        {
            var input = new InputFile(download ?? LocalPath(source.PrepareFrom), InputFormat.JsonLines);
            var options = new PrepareDataOptions
            {
                Sources = [new SourceInput(source.Name, [input.Path])],
                Output = store,
                TokenizerName = tokenizer.Name,
                HeldOutDocuments = heldOutDocuments,
            };
            if (InputFileInspector.FindProblem(input, options.TextField) is { } problem)
            {
                throw new InvalidDataException($"{source.PrepareFromField} '{source.PrepareFrom}' {problem}; expected a JSON Lines file with a string \"{options.TextField}\" field on every line");
            }

            var preparer = new SourcePreparer(tokenizer, options);
            var index = store is LocalFolderStore local
                ? await PrepareLocalAsync(preparer, source, local.Root, input, cancellationToken).ConfigureAwait(false)
                : await PrepareAsync(preparer, store, source, input, cancellationToken).ConfigureAwait(false);
            log.Information(
                "Source {Source}: {TrainDocuments} train documents ({TrainTokens} tokens), {HeldOutDocuments} held-out documents ({HeldOutTokens} tokens) in {Seconds:F1} s",
                source.Name, index.Train.Documents, index.Train.Tokens, index.HeldOut.Documents, index.HeldOut.Tokens, clock.Elapsed.TotalSeconds);
            return (index, true);
        }
        finally
        {
            if (download is not null)
            {
                File.Delete(download);
            }
        }
    }

    private static async Task<ShardIndex> PrepareAsync(SourcePreparer preparer, IObjectStore store, RawSource source, InputFile input, CancellationToken cancellationToken)
    {
        try
        {
            return await preparer.PrepareAsync(store, source.Name, [input], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source.PrepareFromField} '{source.PrepareFrom}': {e.Message}", e);
        }
    }

    private static async Task<ShardIndex> PrepareLocalAsync(SourcePreparer preparer, RawSource source, string target, InputFile input, CancellationToken cancellationToken)
    {
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target))!;
        Directory.CreateDirectory(parent);
        var temp = Path.Combine(parent, $".{Path.GetFileName(Path.TrimEndingDirectorySeparator(target))}.preparing-{Guid.NewGuid():N}");
        try
        {
            var index = await PrepareAsync(preparer, new LocalFolderStore(temp), source, input, cancellationToken).ConfigureAwait(false);
            PreparedFolder.Publish(temp, target);
            return index;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    /// <summary>Copies a blob to a local temp file: the preparation code reads local files.</summary>
    private static async Task<string> DownloadAsync(RawSource source, BlobCredentials? credentials, CancellationToken cancellationToken)
    {
        var url = source.PrepareFrom.Split('?')[0].TrimEnd('/');
        var slash = url.LastIndexOf('/');
        var path = Path.Combine(Path.GetTempPath(), $"llama-prepare-{Guid.NewGuid():N}.jsonl");
        try
        {
            var folder = ObjectStores.Open(url[..slash], credentials);
            await using var blob = await folder.OpenReadAsync(url[(slash + 1)..], cancellationToken).ConfigureAwait(false);
            await using var file = File.Create(path);
            await blob.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            return path;
        }
        catch (Exception e) when (e is ArgumentException or ObjectNotFoundException)
        {
            File.Delete(path);
            throw new InvalidDataException($"{source.PrepareFromField} '{source.PrepareFrom}' cannot be read: {e.Message}", e);
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    private static bool IsUrl(string location) =>
        location.Contains("://", StringComparison.Ordinal) && !location.StartsWith("file://", StringComparison.Ordinal);

    private static string LocalPath(string location) =>
        location.StartsWith("file://", StringComparison.Ordinal) ? new Uri(location).LocalPath : location;
}
