using System.Security.Cryptography;

namespace LlamaOperator.Runtime.LeaderElection;

public static class LeaderIdentity
{
    /// <summary>
    /// The pod name (POD_NAME, else the host name, which is the pod name in a pod) plus a random suffix, so
    /// a restarted container never mistakes the old holder's lease for its own.
    /// </summary>
    public static string Create()
    {
        var host = Environment.GetEnvironmentVariable("POD_NAME");
        if (string.IsNullOrWhiteSpace(host))
        {
            host = Environment.MachineName;
        }

        return $"{host}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
    }
}
