namespace LlamaTrainer.Data.Corpus;

/// <summary>The small closed vocabulary of the generated corpus and of the needle-in-a-haystack filler.</summary>
public static class Phrases
{
    public static readonly string[] Colors = ["red", "blue", "green", "yellow", "white", "black", "orange", "purple", "silver", "golden"];
    public static readonly string[] Things = ["door", "box", "gate", "locker", "chest", "safe", "window", "drawer", "cabinet", "vault"];
    public static readonly string[] Names = ["Mira", "Tom", "Ana", "Leo", "Sara", "Omar", "Ines", "Paul", "Yuki", "Nora"];
    public static readonly string[] Places = ["the old library", "the harbor", "the market", "the north tower", "the garden", "the station", "the school", "the bakery"];
    public static readonly string[] Weather = ["The sky was clear.", "It was raining softly.", "A cold wind came from the sea.", "The sun was warm.", "Fog covered the streets."];

    /// <summary>A sentence with no key/value fact in it, to pad stories and haystacks.</summary>
    public static string FillerSentence(DeterministicRandom random) => random.Next(6) switch
    {
        0 => random.Pick(Weather),
        1 => $"{random.Pick(Names)} walked to {random.Pick(Places)}.",
        2 => $"{random.Pick(Names)} met {random.Pick(Names)} near {random.Pick(Places)}.",
        3 => $"The {random.Pick(Colors)} {random.Pick(Things)} was closed.",
        4 => $"{random.Pick(Names)} counted {random.Next(2, 20)} birds on the roof.",
        _ => $"Nobody remembered the way to {random.Pick(Places)}.",
    };

    /// <summary>The fact the corpus teaches to copy and the needle hides: "The code of the blue door is 4821."</summary>
    public static string CodeStatement(string color, string thing, int code) => $"The code of the {color} {thing} is {code}.";

    /// <summary>The statement without its value: what a model must complete.</summary>
    public static string CodePrompt(string color, string thing) => $"The code of the {color} {thing} is";
}
