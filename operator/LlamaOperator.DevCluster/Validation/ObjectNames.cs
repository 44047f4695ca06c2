using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace LlamaOperator.DevCluster.Validation;

/// <summary>Name rules of metadata.name (DNS-1123 subdomain) and generateName suffixes, as the real server applies them.</summary>
public static partial class ObjectNames
{
    private const string SuffixAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    public static FieldError? CheckName(string name)
    {
        if (name.Length > 253)
        {
            return FieldError.Invalid("metadata.name", $"\"{name}\"", "must be no more than 253 characters");
        }
        return Subdomain().IsMatch(name)
            ? null
            : FieldError.Invalid("metadata.name", $"\"{name}\"",
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
    }

    /// <summary>generateName + 5 random characters from the same alphabet the real server uses.</summary>
    public static string Generate(string prefix)
    {
        var trimmed = prefix.Length > 58 ? prefix[..58] : prefix;
        Span<char> suffix = stackalloc char[5];
        for (var i = 0; i < suffix.Length; i++)
        {
            suffix[i] = SuffixAlphabet[RandomNumberGenerator.GetInt32(SuffixAlphabet.Length)];
        }
        return trimmed + new string(suffix);
    }
}
