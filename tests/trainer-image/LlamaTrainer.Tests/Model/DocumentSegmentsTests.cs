using LlamaTrainer.Model;
using static TorchSharp.torch;

namespace LlamaTrainer.Tests.Model;

public class DocumentSegmentsTests
{
    [Theory]
    [InlineData(1, 16)]
    [InlineData(16, 16)]
    [InlineData(17, 20)]
    [InlineData(40, 40)]
    [InlineData(65, 80)]
    [InlineData(131_072, 131_072)]
    [InlineData(65_537, 81_920)]
    public void A_document_is_padded_to_its_call_length(int length, int padded) =>
        Assert.Equal(padded, DocumentSegments.PaddedLength(length));

    [Fact]
    public void Padding_adds_at_most_a_quarter_and_there_are_at_most_four_call_lengths_per_doubling()
    {
        var lengths = Enumerable.Range(17, 4096).Select(DocumentSegments.PaddedLength).ToList();
        Assert.All(Enumerable.Range(17, 4096).Zip(lengths), p => Assert.InRange(p.Second, p.First, p.First * 1.25));
        Assert.Equal(4, lengths.Where(l => l > 1024 && l <= 2048).Distinct().Count());
    }

    [Fact]
    public void Every_token_is_gathered_once_as_a_real_token_and_returns_to_its_place()
    {
        using var ids = tensor(new long[] { 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }).view(2, 10);
        using var documents = DocumentSegments.Of(ids);

        // The concatenated real outputs hold the tokens in bucket order; Order takes each token back to its place.
        var concatenated = documents.Buckets.SelectMany(b => b.Real.data<long>().ToArray().Select(r => b.Gather.view(-1)[r].item<long>())).ToArray();
        var order = documents.Order.data<long>().ToArray();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), order.Select(o => concatenated[o]));
        Assert.Equal(5, documents.Buckets.Sum(b => b.Count));
    }

    [Fact]
    public void A_row_that_returns_to_an_earlier_document_is_refused_naming_the_row_and_position()
    {
        using var ids = tensor(new long[] { 0, 0, 1, 1, 0, 0 }).view(1, 6);
        var error = Assert.Throws<ArgumentException>(() => DocumentSegments.Of(ids));
        Assert.Contains("row 0 returns to document 0 at position 4", error.Message);
    }

    [Fact]
    public void Ids_that_do_not_fill_rows_x_length_are_refused_naming_both()
    {
        var error = Assert.Throws<ArgumentException>(() => DocumentSegments.Of(new int[7], 2, 4, CPU));
        Assert.Contains("7 entries, expected rows x length = 2 x 4", error.Message);
    }
}
