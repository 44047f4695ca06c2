using System.Net;
using System.Runtime.InteropServices;
using LlamaTrainer.Collectives.Nccl;
using LlamaTrainer.Collectives.Rendezvous;
using TorchSharp;
using static TorchSharp.torch;

namespace LlamaTrainer.Collectives.Tests.Nccl;

/// <summary>The NCCL backend's rendezvous and checks, over a real store on loopback and a scripted library.</summary>
public sealed class NcclBackendTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly TcpStoreServer _server = TcpStoreServer.Start(IPAddress.Loopback, 0, "g1");
    private readonly TcpStoreClient _store;

    public NcclBackendTests()
    {
        _store = Client(Timeout);
    }

    public void Dispose()
    {
        _store.Dispose();
        _server.Dispose();
    }

    [Fact]
    public void Group_rank_0_publishes_its_128_byte_unique_id_under_the_group_name_and_a_member_inits_with_those_bytes()
    {
        var first = new FakeNcclApi(seed: 1);
        using (var rank0 = new NcclBackend(first, _store, globalRank: 2, worldSize: 4, cudaDevice: 2, Timeout))
            rank0.CreateGroup("dp-0", [2, 3]);
        var published = _store.Get("nccl/dp-0/unique-id");
        Assert.Equal(first.NewUniqueId, published);
        Assert.Equal(first.NewUniqueId, first.InitUniqueId);
        Assert.Equal(["require cuda:2", "unique id", "init rank 0 of 2", "destroy"], first.Calls);

        var second = new FakeNcclApi(seed: 2);
        using (var rank1 = new NcclBackend(second, _store, globalRank: 3, worldSize: 4, cudaDevice: 3, Timeout))
            rank1.CreateGroup("dp-0", [2, 3]);
        Assert.Equal(published, second.InitUniqueId);
        Assert.DoesNotContain("unique id", second.Calls);
        Assert.Contains("init rank 1 of 2", second.Calls);
    }

    [Fact]
    public void A_member_whose_group_rank_0_never_publishes_times_out_naming_the_group_and_the_key()
    {
        using var store = Client(TimeSpan.FromMilliseconds(300));
        using var backend = new NcclBackend(new FakeNcclApi(), store, globalRank: 1, worldSize: 2, cudaDevice: 1, Timeout);
        var error = Assert.Throws<CollectiveTimeoutException>(() => backend.CreateGroup("world", [0, 1]));
        Assert.StartsWith("connecting NCCL group world (global ranks 0, 1) at global rank 1: key", error.Message);
        Assert.Contains("nccl/world/unique-id", error.Message);
    }

    [Fact]
    public void A_unique_id_of_the_wrong_size_is_refused_naming_the_key_and_the_store()
    {
        _store.Set("nccl/world/unique-id", [1, 2, 3]);
        using var backend = new NcclBackend(new FakeNcclApi(), _store, globalRank: 1, worldSize: 2, cudaDevice: 1, Timeout);
        var error = Assert.Throws<InvalidOperationException>(() => backend.CreateGroup("world", [0, 1]));
        Assert.Equal($"connecting NCCL group world (global ranks 0, 1) at global rank 1: the unique id under nccl/world/unique-id at the rendezvous store {_store.Address} has 3 bytes, expected 128", error.Message);
    }

    [Fact]
    public void Groups_are_checked_before_anything_is_connected()
    {
        var api = new FakeNcclApi();
        using var backend = new NcclBackend(api, _store, globalRank: 0, worldSize: 2, cudaDevice: 0, Timeout);
        backend.CreateGroup("world", [0, 1]);
        Assert.Contains("already used", Assert.Throws<ArgumentException>(() => backend.CreateGroup("world", [0, 1])).Message);
        Assert.Contains("global rank 0 is not in group other", Assert.Throws<ArgumentException>(() => backend.CreateGroup("other", [1])).Message);
        Assert.Contains("outside the world of 2", Assert.Throws<ArgumentException>(() => backend.CreateGroup("big", [0, 2])).Message);
        Assert.Single(api.Calls, c => c.StartsWith("init"));
    }

    [Fact]
    public void Disposing_the_backend_destroys_every_group()
    {
        var api = new FakeNcclApi();
        var backend = new NcclBackend(api, _store, globalRank: 0, worldSize: 2, cudaDevice: 0, Timeout);
        backend.CreateGroup("a", [0, 1]);
        backend.CreateGroup("b", [0, 1]);
        backend.Dispose();
        Assert.Equal(2, api.Destroys);
    }

    [Fact]
    public void The_communicator_works_on_this_ranks_cuda_device_and_refuses_other_tensors_before_calling_nccl()
    {
        var api = new FakeNcclApi();
        using var backend = new NcclBackend(api, _store, globalRank: 0, worldSize: 2, cudaDevice: 3, Timeout);
        var world = backend.CreateGroup("world", [0, 1]);
        Assert.Equal((DeviceType.CUDA, 3), (world.Device.type, world.Device.index));

        using var cpu = ones(8);
        var where = "in group world (global ranks 0, 1)";
        Assert.Equal($"all-reduce {where}: tensor (Float32) is on cpu; NCCL works on CUDA tensors of this rank's device, cuda:3 (Parameter 'tensor')",
            Assert.Throws<ArgumentException>(() => world.AllReduce(cpu)).Message);
        using var ints = ones(8, ScalarType.Int32);
        Assert.StartsWith($"broadcast {where}: tensor is Int32; NCCL collectives take Float32, Float64, Int64 or BFloat16",
            Assert.Throws<ArgumentException>(() => world.Broadcast(ints, 0)).Message);
        using var square = ones(4, 4);
        using var transposed = square.t();
        Assert.StartsWith($"send {where}: transfers (Float32, shape [4, 4]) is not contiguous; pass tensor.contiguous()",
            Assert.Throws<ArgumentException>(() => world.Send(transposed, 1)).Message);
        using var output = ones(16);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => world.ReduceScatter(cpu, output)).ParamName);
        Assert.DoesNotContain(api.Calls, c => c.StartsWith("all-reduce") || c.StartsWith("broadcast") || c.StartsWith("send") || c.StartsWith("reduce-scatter"));
    }

    [Fact]
    public void A_missing_library_or_device_fails_the_constructor()
    {
        var missing = new DllNotFoundException("libnccl.so.2 is missing");
        var api = new FakeNcclApi { Missing = missing };
        Assert.Same(missing, Assert.Throws<DllNotFoundException>(() => new NcclBackend(api, _store, 0, 2, 0, Timeout)));
    }

    [WithoutNcclFact]
    public void Without_libnccl_the_real_backend_says_which_library_is_missing_and_what_to_install()
    {
        var error = Assert.Throws<DllNotFoundException>(() => new NcclBackend(_store, 0, 2, 0, Timeout));
        Assert.StartsWith("the NCCL engine needs libnccl.so.2 (NCCL 2.17 or later), which could not be loaded", error.Message);
        Assert.Contains("apt-get install libnccl2", error.Message);
        Assert.Contains("Gloo", error.Message);
    }

    private TcpStoreClient Client(TimeSpan timeout) => TcpStoreClient.Connect("127.0.0.1", _server.Port, "g1", timeout, connectTimeout: Timeout);
}

/// <summary>Runs only where libnccl.so.2 cannot be loaded (as on the build machines); elsewhere the library is there to find.</summary>
public sealed class WithoutNcclFactAttribute : FactAttribute
{
    public WithoutNcclFactAttribute()
    {
        if (NativeLibrary.TryLoad(NcclNative.Library, out var handle))
        {
            NativeLibrary.Free(handle);
            Skip = $"{NcclNative.Library} is installed here";
        }
    }
}
