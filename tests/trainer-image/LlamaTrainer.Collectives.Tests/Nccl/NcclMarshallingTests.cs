using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LlamaTrainer.Collectives.Nccl;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>What crosses into libnccl: enum values and struct layouts as nccl.h has them, and the type mappings.</summary>
public class NcclMarshallingTests
{
    // ncclConfig_v21700's fields in order; nccl.h puts netName (a pointer) at 32 and splitShare at 40.
    private static readonly string[] ConfigFields = ["Size", "Magic", "Version", "Blocking", "CgaClusterSize", "MinCtas", "MaxCtas", "NetName", "SplitShare"];

    [Fact]
    public void Result_codes_are_those_of_nccl_h()
    {
        int[] codes = [.. new[]
        {
            NcclNative.Result.Success, NcclNative.Result.UnhandledCudaError, NcclNative.Result.SystemError, NcclNative.Result.InternalError,
            NcclNative.Result.InvalidArgument, NcclNative.Result.InvalidUsage, NcclNative.Result.RemoteError, NcclNative.Result.InProgress,
            NcclNative.Result.Timeout,
        }.Select(r => (int)r)];
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8], codes);
    }

    [Fact]
    public void Data_types_and_reductions_are_those_of_nccl_h()
    {
        Assert.Equal((4, 7, 8, 9), ((int)NcclNative.DataType.Int64, (int)NcclNative.DataType.Float32, (int)NcclNative.DataType.Float64, (int)NcclNative.DataType.BFloat16));
        Assert.Equal((0, 1, 2, 3), ((int)NcclNative.RedOp.Sum, (int)NcclNative.RedOp.Prod, (int)NcclNative.RedOp.Max, (int)NcclNative.RedOp.Min));
        Assert.Equal(4, Unsafe.SizeOf<NcclNative.DataType>());
        Assert.Equal(4, Unsafe.SizeOf<NcclNative.RedOp>());
    }

    [Theory]
    [InlineData(ReduceOp.Sum, 0)]
    [InlineData(ReduceOp.Max, 2)]
    [InlineData(ReduceOp.Min, 3)]
    public void Every_reduce_op_maps_to_its_nccl_reduction(ReduceOp op, int ncclRedOp) =>
        Assert.Equal(ncclRedOp, (int)NcclTypes.RedOp(op));

    [Theory]
    [InlineData(ScalarType.Float32, 7)]
    [InlineData(ScalarType.Float64, 8)]
    [InlineData(ScalarType.Int64, 4)]
    [InlineData(ScalarType.BFloat16, 9)]
    public void The_collectives_element_types_map_to_ncclDataType(ScalarType type, int ncclDataType) =>
        Assert.Equal(ncclDataType, (int?)NcclTypes.DataType(type));

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Bool)]
    public void Other_element_types_have_no_mapping(ScalarType type) => Assert.Null(NcclTypes.DataType(type));

    [Fact]
    public void The_unique_id_is_128_bytes()
    {
        Assert.Equal(128, NcclNative.UniqueIdBytes);
        Assert.Equal(128, Marshal.SizeOf<NcclNative.UniqueId>());
    }

    [Fact]
    public void The_config_has_the_nccl_2_17_layout_and_asks_for_a_non_blocking_communicator()
    {
        var config = NcclNative.Config.NonBlocking;
        Assert.Equal(48, Marshal.SizeOf<NcclNative.Config>());
        Assert.Equal((nuint)48, config.Size);
        Assert.Equal(0xcafebeef, config.Magic);
        Assert.Equal(21700u, config.Version);
        Assert.Equal(0, config.Blocking);
        Assert.Equal([0, 8, 12, 16, 20, 24, 28, 32, 40], ConfigFields.Select(f => (int)Marshal.OffsetOf<NcclNative.Config>(f)));
        Assert.Equal((int.MinValue, int.MinValue, int.MinValue, int.MinValue), (config.CgaClusterSize, config.MinCtas, config.MaxCtas, config.SplitShare));
        Assert.Equal(IntPtr.Zero, config.NetName);
    }
}
