using LlamaTrainer.Storage.Checkpoints;

namespace LlamaTrainer.Storage.Tests.Checkpoints;

public sealed class CheckpointIdTests
{
    [Theory]
    [InlineData(0, "step-0000000000")]
    [InlineData(1200, "step-0000001200")]
    [InlineData(9_999_999_999, "step-9999999999")]
    public void Ids_are_the_zero_padded_step_and_parse_back(long step, string id)
    {
        Assert.Equal(id, CheckpointId.ForStep(step));
        Assert.True(CheckpointId.TryParseStep(id, out var parsed));
        Assert.Equal(step, parsed);
    }

    [Theory]
    [InlineData("step-12")]
    [InlineData("step-00000001x0")]
    [InlineData("final")]
    [InlineData("step--000000001")]
    [InlineData("STEP-0000000001")]
    public void Other_names_are_not_ids(string name) => Assert.False(CheckpointId.TryParseStep(name, out _));

    [Fact]
    public void Ordinal_order_of_ids_is_step_order()
    {
        var ids = new long[] { 10, 9, 1000, 100 }.Select(CheckpointId.ForStep).Order(StringComparer.Ordinal);

        Assert.Equal(["step-0000000009", "step-0000000010", "step-0000000100", "step-0000001000"], ids);
    }

    [Fact]
    public void A_negative_step_is_rejected() => Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointId.ForStep(-1));
}
