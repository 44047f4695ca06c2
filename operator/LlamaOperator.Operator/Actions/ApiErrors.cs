using System.Net;
using k8s.Autorest;

namespace LlamaOperator.Operator.Actions;

/// <summary>The API answers that make a create-if-missing or delete-if-present a success.</summary>
internal static class ApiErrors
{
    public static bool IsAlreadyExists(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    public static bool IsNotFound(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };

    public static bool IsConflict(Exception e) => e is HttpOperationException { Response.StatusCode: HttpStatusCode.Conflict };

    public static async Task IgnoreAsync(Func<Task> call, Func<Exception, bool> harmless)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (harmless(e))
        {
        }
    }
}
