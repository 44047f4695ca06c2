namespace LlamaOperator.DevCluster.Scheduling;

/// <summary>A pod toleration (operator Equal or Exists; empty key with Exists tolerates everything).</summary>
public sealed record Toleration(string Key, string Operator, string Value, string Effect)
{
    public bool Tolerates(NodeTaint taint) =>
        (Effect.Length == 0 || Effect == taint.Effect)
        && (Key.Length == 0 ? Operator == "Exists" : Key == taint.Key)
        && (Operator == "Exists" || Value == taint.Value);
}
