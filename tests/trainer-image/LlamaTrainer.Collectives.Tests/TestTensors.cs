using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests;

/// <summary>Known per-rank inputs and the results computed from them here, independently of any engine.</summary>
internal static class TestTensors
{
    public static readonly ScalarType[] Types = [ScalarType.Float32, ScalarType.Float64, ScalarType.Int64, ScalarType.BFloat16];

    /// <summary>One rounding of a Float32 result to BFloat16 (8 significant bits), plus Float32 noise.</summary>
    public const double BFloat16RelativeTolerance = 1.0 / 256;

    /// <summary>
    /// Rank <paramref name="rank"/>'s input: small integers (exact in every type; max and min differ by rank), or
    /// fractions for BFloat16 so that its rounding is exercised.
    /// </summary>
    public static Tensor Input(int rank, long count, ScalarType dtype, long offset = 0)
    {
        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            var k = i + offset;
            values[i] = dtype == ScalarType.BFloat16 ? 0.1 * (rank + 1) + 0.013 * k : ((rank * 31) + (k * 17)) % 23 - 11;
        }
        return tensor(values).to(dtype);
    }

    /// <summary>The input's values as the engine sees them (after rounding to its type), read back from any device.</summary>
    public static double[] Values(Tensor tensor) => tensor.cpu().to(ScalarType.Float64).data<double>().ToArray();

    /// <summary>The element-wise reduction over all ranks' inputs, computed in double.</summary>
    public static double[] Reduced(int size, long count, ScalarType dtype, ReduceOp op, long offset = 0)
    {
        var result = Values(Input(0, count, dtype, offset));
        for (var rank = 1; rank < size; rank++)
        {
            var values = Values(Input(rank, count, dtype, offset));
            for (var i = 0; i < count; i++)
            {
                result[i] = op switch
                {
                    ReduceOp.Sum => result[i] + values[i],
                    ReduceOp.Max => Math.Max(result[i], values[i]),
                    _ => Math.Min(result[i], values[i]),
                };
            }
        }
        return result;
    }

    /// <summary>Same type, shape and values.</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.allclose(b, rtol: 0, atol: 0);

    /// <summary>Exact equality, except for BFloat16 sums, which may be off by one rounding.</summary>
    public static void AssertMatches(double[] expected, Tensor actual, string what)
    {
        var got = Values(actual);
        Assert.Equal(expected.Length, got.Length);
        var tolerance = actual.dtype == ScalarType.BFloat16 ? BFloat16RelativeTolerance : 0;
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(got[i] - expected[i]) <= tolerance * Math.Abs(expected[i]),
                $"{what} ({actual.dtype}) element {i}: expected {expected[i]}, got {got[i]}");
        }
    }
}
