using LlamaOperator.TestSupport;

namespace LlamaTrainer.Data.Tests.Preparation;

/// <summary>Tests in this collection share one Azurite process.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}
