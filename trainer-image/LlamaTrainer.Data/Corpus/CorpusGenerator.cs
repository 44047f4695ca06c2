using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlamaTrainer.Data.Corpus;

/// <summary>
/// Generates the shipped demo corpus (examples/corpus/*.jsonl): four sources named like the Llama 3 mix, made of
/// templated text over a small vocabulary, so a tiny model learns it in a few hundred steps. Every source repeats
/// key/value facts later in the same document ("The code of the blue door is 4821. ... The code of the blue door is
/// 4821."), which teaches the copying that needle-in-a-haystack retrieval needs. Deterministic for its seed.
/// </summary>
public static class CorpusGenerator
{
    public const ulong Seed = 20_240_723;

    /// <summary>Source name and approximate size in characters (about 50/25/17/8 %).</summary>
    public static readonly IReadOnlyList<(string Name, int Chars)> Sources =
        [("general", 800_000), ("math", 400_000), ("code", 272_000), ("multilingual", 128_000)];

    // Readable files: no \u escapes for '+', quotes or accents.
    private static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string FileName(string source) => $"{source}.jsonl";

    /// <summary>The JSON Lines text ("text" field) of one source.</summary>
    public static string Generate(string source)
    {
        var (_, chars) = Sources.Single(s => s.Name == source);
        var random = new DeterministicRandom(Seed ^ Sampling.SeededPermutation.HashName(source));
        Func<DeterministicRandom, string> document = source switch
        {
            "general" => GeneralDocument,
            "math" => MathDocument,
            "code" => CodeDocument,
            _ => MultilingualDocument,
        };
        var output = new StringBuilder();
        while (output.Length < chars)
        {
            output.Append(JsonSerializer.Serialize(new { text = document(random) }, Json)).Append('\n');
        }

        return output.ToString();
    }

    public static void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, _) in Sources)
        {
            File.WriteAllText(Path.Combine(directory, FileName(name)), Generate(name), new UTF8Encoding(false));
        }
    }

    private static string GeneralDocument(DeterministicRandom random)
    {
        var facts = Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => (Color: random.Pick(Phrases.Colors), Thing: random.Pick(Phrases.Things), Code: random.Next(1000, 10_000)))
            .DistinctBy(f => (f.Color, f.Thing))
            .ToList();
        var name = random.Pick(Phrases.Names);
        var text = new StringBuilder($"{name} walked to {random.Pick(Phrases.Places)}.");
        foreach (var fact in facts)
        {
            AppendFiller(text, random, random.Next(0, 4));
            text.Append(' ').Append(Phrases.CodeStatement(fact.Color, fact.Thing, fact.Code));
        }

        AppendFiller(text, random, random.Next(1, 6));
        foreach (var fact in facts.OrderBy(_ => random.Next(100)))
        {
            text.Append($" Later, {name} asked about the {fact.Color} {fact.Thing}. ").Append(Phrases.CodeStatement(fact.Color, fact.Thing, fact.Code));
        }

        return text.ToString();
    }

    private static string MathDocument(DeterministicRandom random)
    {
        var text = new StringBuilder();
        for (var i = random.Next(3, 8); i > 0; i--)
        {
            var a = random.Next(0, 50);
            var b = random.Next(0, 50);
            switch (random.Next(4))
            {
                case 0:
                    text.Append($"Question: {a} + {b} = ? Answer: {a + b}.\n");
                    break;
                case 1:
                    text.Append($"Question: {a + b} - {b} = ? Answer: {a}.\n");
                    break;
                case 2:
                    var step = random.Next(1, 6);
                    text.Append("Count by ").Append(step).Append(": ").AppendJoin(", ", Enumerable.Range(0, 6).Select(k => a + (k * step))).Append(".\n");
                    break;
                default:
                    text.Append($"Let x = {a}. Let y = x + {b}. Then y = {a + b}. So x = {a}.\n");
                    break;
            }
        }

        return text.ToString().TrimEnd();
    }

    private static string CodeDocument(DeterministicRandom random)
    {
        var color = random.Pick(Phrases.Colors);
        var thing = random.Pick(Phrases.Things);
        var code = random.Next(1000, 10_000);
        var factor = random.Next(2, 10);
        var value = random.Next(1, 30);
        var numbers = Enumerable.Range(0, random.Next(2, 6)).Select(_ => random.Next(1, 20)).ToList();
        return random.Next(3) switch
        {
            0 => $"def times_{factor}(x):\n    return x * {factor}\n\nvalue = {value}\nprint(times_{factor}(value))  # {value * factor}\n",
            1 => $"codes = {{}}\ncodes[\"{color}_{thing}\"] = {code}\n# look up the {color} {thing}\nprint(codes[\"{color}_{thing}\"])  # {code}\n",
            _ => $"numbers = [{string.Join(", ", numbers)}]\ntotal = 0\nfor n in numbers:\n    total += n\nprint(total)  # {numbers.Sum()}\n",
        };
    }

    private static string MultilingualDocument(DeterministicRandom random)
    {
        var i = random.Next(Phrases.Colors.Length);
        var code = random.Next(1000, 10_000);
        var name = random.Pick(Phrases.Names);
        (string Statement, string[] Fillers)[] languages =
        [
            ($"Le code de la porte {French[i]} est {code}.", ["Il faisait beau ce matin.", $"{name} est allé au marché.", "La rue était calme."]),
            ($"Der Code der {German[i]} Tür ist {code}.", ["Der Himmel war klar.", $"{name} ging zum Bahnhof.", "Es regnete leise."]),
            ($"El código de la puerta {Spanish[i]} es {code}.", ["Hacía sol en la plaza.", $"{name} fue a la escuela.", "El viento era frío."]),
        ];
        var (statement, fillers) = languages[random.Next(languages.Length)];
        return $"{statement} {random.Pick(fillers)} {random.Pick(fillers)} {statement}";
    }

    private static void AppendFiller(StringBuilder text, DeterministicRandom random, int sentences)
    {
        for (var s = 0; s < sentences; s++)
        {
            text.Append(' ').Append(Phrases.FillerSentence(random));
        }
    }

    private static readonly string[] French = ["rouge", "bleue", "verte", "jaune", "blanche", "noire", "orange", "violette", "argentée", "dorée"];
    private static readonly string[] German = ["roten", "blauen", "grünen", "gelben", "weißen", "schwarzen", "orangen", "lila", "silbernen", "goldenen"];
    private static readonly string[] Spanish = ["roja", "azul", "verde", "amarilla", "blanca", "negra", "naranja", "morada", "plateada", "dorada"];
}
