using System.Text.Json;
using System.Text.RegularExpressions;
using LlamaOperator.TestSupport;
using LlamaTrainer.Data.Corpus;
using LlamaTrainer.Data.Preparation;
using LlamaTrainer.Data.Sampling;
using LlamaTrainer.Data.Tests.TestDoubles;

namespace LlamaTrainer.Data.Tests.Corpus;

public sealed partial class CorpusGeneratorTests
{
    private static string ShippedCorpus => Path.Combine(RepoRoot.Find(), "examples", "corpus");

    [Fact]
    public void Shipped_corpus_is_what_the_generator_writes()
    {
        // REGENERATE_CORPUS=1 dotnet test --filter CorpusGeneratorTests rewrites examples/corpus after a generator change.
        if (Environment.GetEnvironmentVariable("REGENERATE_CORPUS") == "1")
        {
            CorpusGenerator.WriteTo(ShippedCorpus);
        }

        foreach (var (name, _) in CorpusGenerator.Sources)
        {
            var shipped = File.ReadAllText(Path.Combine(ShippedCorpus, CorpusGenerator.FileName(name)));
            Assert.True(shipped == CorpusGenerator.Generate(name), $"examples/corpus/{name}.jsonl differs from the generator; regenerate it");
        }
    }

    [Fact]
    public void Corpus_is_small_and_split_like_the_llama3_mix()
    {
        var sizes = CorpusGenerator.Sources.ToDictionary(s => s.Name, s => new FileInfo(Path.Combine(ShippedCorpus, CorpusGenerator.FileName(s.Name))).Length);
        var total = (double)sizes.Values.Sum();

        Assert.True(total < 3_000_000, $"corpus is {total} bytes");
        Assert.InRange(sizes["general"] / total, 0.45, 0.55);
        Assert.InRange(sizes["math"] / total, 0.20, 0.30);
        Assert.InRange(sizes["code"] / total, 0.12, 0.22);
        Assert.InRange(sizes["multilingual"] / total, 0.05, 0.11);
    }

    [Fact]
    public void General_documents_repeat_their_facts_for_copying()
    {
        var documents = File.ReadLines(Path.Combine(ShippedCorpus, "general.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("text").GetString()!)
            .Take(200)
            .ToList();

        Assert.All(documents, text =>
        {
            var facts = FactPattern().Matches(text).Select(m => m.Value).ToList();
            Assert.NotEmpty(facts);
            Assert.All(facts.Distinct(), f => Assert.True(facts.Count(x => x == f) >= 2, $"fact '{f}' is not repeated in: {text}"));
        });
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Shipped_corpus_prepares_into_sources_the_sampler_mixes()
    {
        var store = new InMemoryObjectStore();
        var log = new CapturingLogger();
        var options = new PrepareDataOptions
        {
            Sources = [.. CorpusGenerator.Sources.Select(s => new SourceInput(s.Name, [Path.Combine(ShippedCorpus, CorpusGenerator.FileName(s.Name))]))],
            Output = store,
            HeldOutDocuments = 20,
        };

        Assert.Equal(PrepareDataCommand.Success, await PrepareDataCommand.RunAsync(options, log.Logger));

        var sampler = await MixedSequenceSampler.OpenAsync(
            [new("general", store.Under("general"), 0.5), new("math", store.Under("math"), 0.25), new("code", store.Under("code"), 0.17), new("multilingual", store.Under("multilingual"), 0.08)],
            seed: 1, log.Logger);
        var batch = sampler.Next(4, 256);
        Assert.Equal(LlamaTrainer.Data.Tokenization.TextTokenizer.Cl100kBase().VocabSize, sampler.VocabSize);
        Assert.Contains(sampler.BosId, batch.Inputs);
        Assert.Equal(20, (await HeldOutSet.LoadAsync(store.Under("math"))).DocumentCount);
    }

    [GeneratedRegex(@"The code of the \w+ \w+ is \d{4}\.")]
    private static partial Regex FactPattern();
}
