namespace LlamaOperator.Runtime.Informers;

/// <summary>The server no longer has the requested resourceVersion (HTTP 410 Gone): the informer must relist.</summary>
public sealed class ResourceVersionExpiredException : Exception
{
    public ResourceVersionExpiredException()
        : base("The resourceVersion is too old (410 Gone).")
    {
    }

    public ResourceVersionExpiredException(string message)
        : base(message)
    {
    }

    public ResourceVersionExpiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
