using System.Text;

namespace LlamaTrainer.Data.Preparation;

/// <summary>Reads the documents of an inspected input file in file order; whitespace-only documents are dropped.</summary>
public static class DocumentReader
{
    public static IEnumerable<string> Read(InputFile file, TextDocumentSplit split, string textField) =>
        file.Format switch
        {
            InputFormat.JsonLines => ReadJsonLines(file.Path, textField),
            _ when split == TextDocumentSplit.BlankLine => ReadParagraphs(file.Path),
            _ => ReadWholeFile(file.Path),
        };

    private static IEnumerable<string> ReadWholeFile(string path)
    {
        var text = File.ReadAllText(path, Encoding.UTF8);
        return string.IsNullOrWhiteSpace(text) ? [] : [text];
    }

    private static IEnumerable<string> ReadParagraphs(string path)
    {
        var document = new StringBuilder();
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (document.Length > 0)
                {
                    yield return document.ToString();
                    document.Clear();
                }

                continue;
            }

            if (document.Length > 0)
            {
                document.Append('\n');
            }

            document.Append(line);
        }

        if (document.Length > 0)
        {
            yield return document.ToString();
        }
    }

    private static IEnumerable<string> ReadJsonLines(string path, string textField)
    {
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (!string.IsNullOrWhiteSpace(line)
                && InputFileInspector.JsonLinesText(line, textField) is { } text
                && !string.IsNullOrWhiteSpace(text))
            {
                yield return text;
            }
        }
    }
}
