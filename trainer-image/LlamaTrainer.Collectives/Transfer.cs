using static TorchSharp.torch;

namespace LlamaTrainer.Collectives;

/// <summary>One half of a point-to-point transfer in <see cref="ICommunicator.Exchange"/>: send <see cref="Tensor"/> to, or receive it from, group member <see cref="Peer"/>.</summary>
public readonly record struct Transfer(Tensor Tensor, int Peer, bool Sends)
{
    public static Transfer Send(Tensor tensor, int peer) => new(tensor, peer, Sends: true);

    public static Transfer Receive(Tensor tensor, int peer) => new(tensor, peer, Sends: false);
}

/// <summary>Blocking point-to-point calls: transfers started and waited for at once.</summary>
public static class PointToPoint
{
    /// <summary>Starts every transfer, then waits for all: members that send to each other in one exchange never wait on each other.</summary>
    public static void Exchange(this ICommunicator group, IReadOnlyList<Transfer> transfers)
    {
        var pending = group.Start(transfers);
        for (var i = 0; i < transfers.Count; i++)
        {
            pending.Wait(i);
        }
    }

    /// <summary>Sends to group member <paramref name="peer"/>, which must receive a tensor of the same size and type.</summary>
    public static void Send(this ICommunicator group, Tensor tensor, int peer) => group.Exchange([Transfer.Send(tensor, peer)]);

    /// <summary>Receives into <paramref name="tensor"/> what group member <paramref name="peer"/> sends.</summary>
    public static void Receive(this ICommunicator group, Tensor tensor, int peer) => group.Exchange([Transfer.Receive(tensor, peer)]);
}
