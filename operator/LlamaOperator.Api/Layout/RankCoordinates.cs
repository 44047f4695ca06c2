namespace LlamaOperator.Api.Layout;

/// <summary>A rank's position in the 4D mesh.</summary>
public readonly record struct RankCoordinates(int Tp, int Cp, int Pp, int Dp);
