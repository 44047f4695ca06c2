using LlamaTrainer.Storage.Checkpoints.Tensors;

namespace LlamaTrainer.Storage.Tests.Checkpoints.Tensors;

public sealed class TensorIndexTests
{
    private static readonly string Digest = new('a', 64);

    private static readonly Dictionary<string, long> Shards = new() { ["rank-00000.bin"] = 1_000, ["rank-00001.bin"] = 1_000 };

    private static StoredPiece Piece(string shard, long offset, TensorRegion region, ElementType type = ElementType.Float32) =>
        new(shard, offset, region.ElementCount * type.SizeOf(), region, Digest);

    private static TensorIndex Index(params StoredPiece[] pieces) => new([new StoredTensor("w", ElementType.Float32, [5, 4], pieces)]);

    [Fact]
    public void Row_blocks_that_tile_the_shape_are_a_valid_index()
    {
        var index = Index(Piece("rank-00000.bin", 0, TensorRegion.Rows([5, 4], 0, 3)), Piece("rank-00001.bin", 0, TensorRegion.Rows([5, 4], 3, 2)));

        Assert.Null(index.FindProblem(Shards));
    }

    [Fact]
    public void Overlapping_pieces_are_named_with_the_shared_box()
    {
        var index = Index(Piece("rank-00000.bin", 0, TensorRegion.Rows([5, 4], 0, 3)), Piece("rank-00001.bin", 0, TensorRegion.Rows([5, 4], 2, 3)));

        Assert.Equal("tensor 'w': pieces 0 (rank-00000.bin) and 1 (rank-00001.bin) overlap in [2..3)x[0..4)", index.FindProblem(Shards));
    }

    [Fact]
    public void Overlaps_are_found_whatever_the_split_dimension()
    {
        // Column blocks (a column-parallel split): the sweep runs along columns and must still see the overlap.
        var index = Index(
            Piece("rank-00000.bin", 0, new TensorRegion([0, 0], [5, 2])),
            Piece("rank-00001.bin", 0, new TensorRegion([0, 2], [5, 2])),
            Piece("rank-00001.bin", 40, new TensorRegion([4, 1], [1, 2])));

        Assert.Contains("overlap in [4..5)x[1..2)", index.FindProblem(Shards));
    }

    [Fact]
    public void A_gap_in_coverage_says_how_many_elements_are_held()
    {
        var index = Index(Piece("rank-00000.bin", 0, TensorRegion.Rows([5, 4], 0, 3)));

        Assert.Equal("tensor 'w': the pieces hold 12 of its 20 elements; every element needs exactly one piece", index.FindProblem(Shards));
    }

    [Theory]
    [InlineData(4, 2, "lies outside the shape [5, 4] in dimension 0")]
    [InlineData(-1, 2, "lies outside the shape [5, 4] in dimension 0")]
    [InlineData(0, 0, "is empty")]
    public void Pieces_must_be_non_empty_boxes_inside_the_shape(long first, long rows, string expected)
    {
        var index = Index(Piece("rank-00000.bin", 0, TensorRegion.Rows([5, 4], first, rows)));

        Assert.Contains("tensor 'w': piece 0 (rank-00000.bin)", index.FindProblem(Shards));
        Assert.Contains(expected, index.FindProblem(Shards));
    }

    [Fact]
    public void Pieces_must_match_their_shard_their_byte_count_and_their_rank()
    {
        var whole = TensorRegion.Whole([5, 4]);

        Assert.Contains("shard 'rank-00007.bin', which the checkpoint does not list", Index(Piece("rank-00007.bin", 0, whole)).FindProblem(Shards));
        Assert.Contains("spans bytes [950, 1030) of a shard of 1000 bytes", Index(Piece("rank-00000.bin", 950, whole)).FindProblem(Shards));
        Assert.Contains("has 40 bytes; its region [0..5)x[0..4) of Float32 needs 80", Index(Piece("rank-00000.bin", 0, whole, ElementType.BFloat16)).FindProblem(Shards));
        Assert.Contains("has 1 dimensions; the tensor's shape [5, 4] has 2", Index(Piece("rank-00000.bin", 0, new TensorRegion([0], [20]))).FindProblem(Shards));
        Assert.Contains("expected 64 hex digits", Index(Piece("rank-00000.bin", 0, whole) with { Sha256 = "xyz" }).FindProblem(Shards));
    }

    [Fact]
    public void Tensor_names_must_be_unique_and_types_known()
    {
        var piece = Piece("rank-00000.bin", 0, TensorRegion.Whole([5, 4]));
        var twice = new TensorIndex([new StoredTensor("w", ElementType.Float32, [5, 4], [piece]), new StoredTensor("w", ElementType.Float32, [5, 4], [piece])]);
        var unknown = new TensorIndex([new StoredTensor("w", (ElementType)42, [5, 4], [piece])]);

        Assert.Equal("tensor 'w' appears twice; expected one entry per tensor", twice.FindProblem(Shards));
        Assert.Contains("tensor 'w': type 42 is unknown", unknown.FindProblem(Shards));
    }

    [Fact]
    public void A_scalar_is_covered_by_one_piece_and_overlapped_by_a_second()
    {
        var piece = Piece("rank-00000.bin", 0, TensorRegion.Whole([]), ElementType.Int64);
        TensorIndex Scalar(params StoredPiece[] pieces) => new([new StoredTensor("step", ElementType.Int64, [], pieces)]);

        Assert.Null(Scalar(piece).FindProblem(Shards));
        Assert.Contains("overlap in []", Scalar(piece, piece with { Shard = "rank-00001.bin" }).FindProblem(Shards));
    }

    [Fact]
    public void Finding_a_missing_tensor_lists_the_names_there_are()
    {
        var e = Assert.Throws<ArgumentException>(() => Index().Find("embed"));

        Assert.Contains("no tensor 'embed' in the checkpoint; it has 1: w", e.Message);
    }

    [Fact]
    public void Regions_compare_by_value_and_print_as_half_open_ranges()
    {
        Assert.Equal(new TensorRegion([1, 0], [2, 4]), TensorRegion.Rows([9, 4], 1, 2));
        Assert.Equal("[1..3)x[0..4)", TensorRegion.Rows([9, 4], 1, 2).ToString());
        Assert.Equal(8, TensorRegion.Rows([9, 4], 1, 2).ElementCount);
        Assert.Equal(1, TensorRegion.Whole([]).ElementCount);
    }
}
