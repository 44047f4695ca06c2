using System.CommandLine;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Storage;
using DataPreparation = LlamaTrainer.Data.Preparation.PrepareDataCommand;

namespace LlamaTrainer.Cli;

/// <summary>`llama-train prepare-data`: flags to <see cref="PrepareDataOptions"/>, then the data component's handler.</summary>
internal static class PrepareDataCommand
{
    public static Command Create()
    {
        var sources = new Option<string[]>("--source") { Description = "name=path[,path...] (files or folders of .txt/.jsonl); repeat per source", Required = true, AllowMultipleArgumentsPerToken = false };
        var output = new Option<string>("--output") { Description = "Folder or blob container URL that receives <source>/index.json and shards", Required = true };
        var tokenizerName = new Option<string?>("--tokenizer") { Description = "cl100k_base, bytes or llama3 (default: llama3 with --tokenizer-model, else cl100k_base)" };
        var tokenizer = new Option<string?>("--tokenizer-model") { Description = "A Llama 3 tokenizer.model; default cl100k_base" };
        var textField = new Option<string>("--text-field") { Description = "JSON Lines field holding the text", DefaultValueFactory = _ => "text" };
        var split = new Option<TextDocumentSplit>("--text-split") { Description = "How .txt files split into documents", DefaultValueFactory = _ => TextDocumentSplit.WholeFile };
        var heldOut = new Option<int>("--held-out-documents") { Description = "Last N documents of each source kept apart for evaluation", DefaultValueFactory = _ => 0 };
        var skipBad = new Option<bool>("--skip-bad-files") { Description = "Report bad files and continue without them" };

        var command = new Command("prepare-data", "Tokenize text sources into token shards for training");
        foreach (var option in new Option[] { sources, output, tokenizerName, tokenizer, textField, split, heldOut, skipBad })
        {
            command.Options.Add(option);
        }
        command.SetAction((parse, cancellationToken) =>
        {
            var log = Logging.Create();
            return ExitCodes.GuardAsync(log, () =>
            {
                List<SourceInput> inputs;
                try
                {
                    inputs = [.. parse.GetValue(sources)!.Select(SourceInput.Parse)];
                }
                catch (FormatException e)
                {
                    throw new ArgumentException(e.Message, e);
                }
                var options = new PrepareDataOptions
                {
                    Sources = inputs,
                    Output = ObjectStores.Open(parse.GetValue(output)!),
                    TokenizerName = parse.GetValue(tokenizerName),
                    TokenizerModelPath = parse.GetValue(tokenizer),
                    TextField = parse.GetValue(textField)!,
                    TextSplit = parse.GetValue(split),
                    HeldOutDocuments = parse.GetValue(heldOut),
                    SkipBadFiles = parse.GetValue(skipBad),
                };
                return DataPreparation.RunAsync(options, log, cancellationToken);
            });
        });
        return command;
    }
}
