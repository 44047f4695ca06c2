using LlamaOperator.DevCluster.Kubelet;

namespace LlamaOperator.DevCluster.Tests.Kubelet;

public class PodAddressesTests
{
    [Fact]
    public void A_pod_keeps_its_address_and_a_freed_address_is_not_handed_out_again_at_once()
    {
        var pool = new PodAddresses(0);

        var a = pool.For("uid-a");
        var b = pool.For("uid-b");
        pool.Release("uid-a");
        var c = pool.For("uid-c");

        Assert.Equal(("127.1.0.1", "127.1.0.2", "127.1.0.3"), (a, b, c));
        Assert.Equal(b, pool.For("uid-b"));
    }

    [Fact]
    public void Addresses_run_through_the_third_octet_and_wrap_around_to_free_ones()
    {
        var pool = new PodAddresses(253);

        Assert.Equal("127.1.0.254", pool.For("last-of-block-0"));
        Assert.Equal("127.1.1.1", pool.For("first-of-block-1"));
        Assert.Equal("127.1.0.1", new PodAddresses((256 * 254) + 0).For("wrapped"));
    }
}
