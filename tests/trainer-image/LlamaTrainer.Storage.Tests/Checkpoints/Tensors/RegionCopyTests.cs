using LlamaTrainer.Storage.Checkpoints.Tensors;
using LlamaTrainer.Storage.Tests.Support;

namespace LlamaTrainer.Storage.Tests.Checkpoints.Tensors;

public sealed class RegionCopyTests
{
    private static TensorRegion Box(long[] start, long[] length) => new(start, length);

    [Fact]
    public void A_1d_piece_fills_the_overlapping_part_of_the_wanted_range_and_leaves_the_rest()
    {
        // Piece holds elements 3..7 (values 3..7); the reader wants 5..9.
        var piece = Box([3], [5]);
        var wanted = Box([5], [5]);
        byte[] source = [3, 4, 5, 6, 7];
        var target = new byte[5];
        Array.Fill(target, (byte)0xEE);

        var copied = RegionCopy.Copy(piece, source, wanted, target, elementSize: 1);

        Assert.Equal(3, copied);
        Assert.Equal([5, 6, 7, 0xEE, 0xEE], target);
    }

    [Fact]
    public void Disjoint_boxes_copy_nothing()
    {
        var target = new byte[8];

        Assert.Equal(0, RegionCopy.Copy(Box([0, 0], [2, 2]), new byte[4], Box([2, 0], [2, 4]), target, 1));
        Assert.Empty(RegionCopy.Runs(Box([0], [4]), Box([4], [4]), 4));
        Assert.All(target, b => Assert.Equal(0, b));
    }

    [Fact]
    public void A_2d_row_block_into_a_column_block_copies_one_run_per_shared_row()
    {
        // A 6x4 tensor: the piece holds rows 2..4, the reader wants columns 1..2 of every row.
        var piece = Box([2, 0], [3, 4]);
        var wanted = Box([0, 1], [6, 2]);

        var target = ReferenceSlicing.Slice(Global([6, 4]), [6, 4], wanted, 1);
        var fromPiece = new byte[12];
        RegionCopy.Copy(piece, ReferenceSlicing.Slice(Global([6, 4]), [6, 4], piece, 1), wanted, fromPiece, 1);

        Assert.Equal([new ByteRun(1, 4, 2), new ByteRun(5, 6, 2), new ByteRun(9, 8, 2)], RegionCopy.Runs(piece, wanted, 1));
        Assert.Equal(target[4..10], fromPiece[4..10]);
        Assert.Equal(new byte[4], fromPiece[..4]);
        Assert.Equal(new byte[2], fromPiece[10..]);
    }

    [Fact]
    public void Complete_trailing_dimensions_merge_into_one_run()
    {
        // Rows 1..2 of a 4x3x5 tensor read by a reader of rows 0..3: one run of 2*3*5 elements of 2 bytes.
        var runs = RegionCopy.Runs(Box([1, 0, 0], [2, 3, 5]), Box([0, 0, 0], [4, 3, 5]), 2).ToList();

        Assert.Equal([new ByteRun(0, 30, 60)], runs);
    }

    [Fact]
    public void A_3d_partial_overlap_matches_element_by_element_copy()
    {
        long[] shape = [5, 6, 7];
        var piece = Box([1, 2, 0], [3, 4, 7]);
        var wanted = Box([2, 0, 3], [3, 5, 4]);

        AssertMatchesReference(shape, [piece], wanted, elementSize: 4);
    }

    [Fact]
    public void Several_pieces_together_assemble_the_wanted_region_exactly()
    {
        long[] shape = [7, 5];
        TensorRegion[] pieces = [Box([0, 0], [4, 5]), Box([4, 0], [3, 2]), Box([4, 2], [3, 3])];

        AssertMatchesReference(shape, pieces, Box([2, 1], [5, 3]), elementSize: 2);
        AssertMatchesReference(shape, pieces, TensorRegion.Whole(shape), elementSize: 8);
    }

    [Fact]
    public void A_scalar_copies_its_one_element()
    {
        var target = new byte[4];

        Assert.Equal(1, RegionCopy.Copy(Box([], []), [1, 2, 3, 4], Box([], []), target, 4));
        Assert.Equal([1, 2, 3, 4], target);
    }

    [Fact]
    public void Random_boxes_in_one_to_four_dimensions_match_element_by_element_copy()
    {
        var random = new Random(42);
        for (var trial = 0; trial < 400; trial++)
        {
            var rank = 1 + (trial % 4);
            var shape = Enumerable.Range(0, rank).Select(_ => (long)random.Next(1, 7)).ToArray();
            AssertMatchesReference(shape, [RandomBox(random, shape)], RandomBox(random, shape), elementSize: 1 + (trial % 3));
        }
    }

    [Fact]
    public void Buffers_of_the_wrong_size_and_boxes_of_different_ranks_are_rejected()
    {
        var small = Assert.Throws<ArgumentException>(() => RegionCopy.Copy(Box([0], [4]), new byte[15], Box([0], [4]), new byte[16], 4));
        var ranks = Assert.Throws<ArgumentException>(() => RegionCopy.Runs(Box([0], [4]), Box([0, 0], [4, 1]), 4).ToList());

        Assert.Contains("buffer has 15 bytes; region [0..4) of 4-byte elements needs 16", small.Message);
        Assert.Contains("2 dimensions", ranks.Message);
    }

    private static TensorRegion RandomBox(Random random, long[] shape)
    {
        var start = shape.Select(s => (long)random.Next(0, (int)s)).ToArray();
        var length = shape.Select((s, d) => (long)random.Next(1, (int)(s - start[d]) + 1)).ToArray();
        return new TensorRegion(start, length);
    }

    /// <summary>Copies every piece (sliced from a global tensor with distinct bytes) into the wanted box and compares with copying element by element.</summary>
    private static void AssertMatchesReference(long[] shape, TensorRegion[] pieces, TensorRegion wanted, int elementSize)
    {
        var global = Global(shape, elementSize);
        var target = new byte[wanted.ElementCount * elementSize];
        var expected = new byte[target.Length];
        foreach (var piece in pieces)
        {
            RegionCopy.Copy(piece, ReferenceSlicing.Slice(global, shape, piece, elementSize), wanted, target, elementSize);
            ReferenceSlicing.CopyShared(global, shape, piece, wanted, expected, elementSize);
        }
        Assert.Equal(expected, target);
    }

    /// <summary>A tensor whose bytes differ from each other (mod 251) in row-major order.</summary>
    private static byte[] Global(long[] shape, int elementSize = 1) =>
        Enumerable.Range(0, (int)(TensorRegion.Whole(shape).ElementCount * elementSize)).Select(i => (byte)((i % 251) + 1)).ToArray();
}
