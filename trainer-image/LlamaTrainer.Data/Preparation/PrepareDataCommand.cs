using System.Diagnostics;
using LlamaTrainer.Data.Tokenization;
using Serilog;

namespace LlamaTrainer.Data.Preparation;

/// <summary>
/// The `prepare-data` command: inspects every input file, then tokenizes each source into token shards and an
/// index.json under "&lt;output&gt;/&lt;source&gt;/". Exit codes: 0 done, 1 bad input files (or a source left empty),
/// 2 invalid options (source names, tokenizer file).
/// </summary>
public static class PrepareDataCommand
{
    public const int Success = 0;
    public const int BadInput = 1;
    public const int InvalidOptions = 2;

    public static async Task<int> RunAsync(PrepareDataOptions options, ILogger logger, CancellationToken cancellationToken = default)
    {
        if (OptionErrors(options) is { Count: > 0 } errors)
        {
            foreach (var error in errors)
            {
                logger.Error("prepare-data: {Error:l}", error);
            }

            return InvalidOptions;
        }

        TextTokenizer tokenizer;
        try
        {
            tokenizer = options.TokenizerName is { } name ? TextTokenizer.Named(name, options.TokenizerModelPath) : TextTokenizer.Load(options.TokenizerModelPath);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
        {
            logger.Error("prepare-data: {Error:l}", e.Message);
            return InvalidOptions;
        }

        var filesBySource = options.Sources.ToDictionary(s => s.Name, InputFile.Expand, StringComparer.Ordinal);
        var goodFiles = InspectAll(filesBySource, options, logger, out var badCount);
        if (badCount > 0 && !options.SkipBadFiles)
        {
            logger.Error("prepare-data: {BadFiles} bad input file(s); fix or remove them, or pass --skip-bad-files to go on without them", badCount);
            return BadInput;
        }

        if (options.Sources.FirstOrDefault(s => goodFiles[s.Name].Count == 0) is { } empty)
        {
            logger.Error("prepare-data: source {Source} has no usable input files", empty.Name);
            return BadInput;
        }

        logger.Information("Tokenizing {Sources} source(s) with {Tokenizer} ({VocabSize} ids) on {Threads} thread(s) into {Output}",
            options.Sources.Count, tokenizer.Name, tokenizer.VocabSize, options.MaxDegreeOfParallelism, options.Output.Location);
        var preparer = new SourcePreparer(tokenizer, options);
        foreach (var source in options.Sources)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var index = await preparer.PrepareAsync(source.Name, goodFiles[source.Name], cancellationToken).ConfigureAwait(false);
                var tokens = index.Train.Tokens + index.HeldOut.Tokens;
                logger.Information(
                    "Source {Source}: {Files} file(s), {TrainDocuments} train documents ({TrainTokens} tokens, {Shards} shard(s)), {HeldOutDocuments} held-out documents ({HeldOutTokens} tokens), {TokensPerSecond:F0} tokens/s",
                    source.Name, goodFiles[source.Name].Count, index.Train.Documents, index.Train.Tokens, index.Train.Shards.Count,
                    index.HeldOut.Documents, index.HeldOut.Tokens, tokens / Math.Max(clock.Elapsed.TotalSeconds, 1e-6));
            }
            catch (InvalidDataException e)
            {
                logger.Error("prepare-data: {Error:l}", e.Message);
                return BadInput;
            }
        }

        return Success;
    }

    private static List<string> OptionErrors(PrepareDataOptions options)
    {
        var errors = new List<string>();
        if (options.Sources.Count == 0)
        {
            errors.Add("no sources given; pass --source name=path at least once");
        }

        errors.AddRange(options.Sources.Select(s => s.NameError()).OfType<string>());
        errors.AddRange(options.Sources.Where(s => s.Paths.Count == 0).Select(s => $"source '{s.Name}' has no input paths"));
        errors.AddRange(options.Sources.GroupBy(s => s.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => $"source '{g.Key}' is given more than once"));
        if (string.IsNullOrWhiteSpace(options.TextField))
        {
            errors.Add("the JSON Lines text field name is empty");
        }

        if (options.HeldOutDocuments < 0)
        {
            errors.Add($"held-out documents is {options.HeldOutDocuments}; expected 0 or more");
        }

        if (options.MaxShardBytes < 1024)
        {
            errors.Add($"max shard bytes is {options.MaxShardBytes}; expected at least 1024");
        }

        return errors;
    }

    private static Dictionary<string, List<InputFile>> InspectAll(
        Dictionary<string, IReadOnlyList<InputFile>> filesBySource, PrepareDataOptions options, ILogger logger, out int badCount)
    {
        var all = filesBySource.SelectMany(s => s.Value.Select(f => (Source: s.Key, File: f))).ToList();
        var problems = new string?[all.Count];
        Parallel.For(0, all.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism) },
            i => problems[i] = InputFileInspector.FindProblem(all[i].File, options.TextField));

        badCount = 0;
        var good = filesBySource.Keys.ToDictionary(k => k, _ => new List<InputFile>(), StringComparer.Ordinal);
        for (var i = 0; i < all.Count; i++)
        {
            if (problems[i] is { } problem)
            {
                badCount++;
                if (options.SkipBadFiles)
                {
                    logger.Warning("Skipping input file {Path} (source {Source}): it {Problem:l}", all[i].File.Path, all[i].Source, problem);
                }
                else
                {
                    logger.Error("Input file {Path} (source {Source}) {Problem:l}", all[i].File.Path, all[i].Source, problem);
                }
            }
            else
            {
                good[all[i].Source].Add(all[i].File);
            }
        }

        return good;
    }
}
