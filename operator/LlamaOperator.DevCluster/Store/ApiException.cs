using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Store;

/// <summary>
/// A request the API server refuses; becomes a meta/v1 Status with the code, reason and message the
/// real server uses (clients such as KubernetesClient and kubectl show and branch on these).
/// </summary>
public sealed class ApiException(int code, string reason, string message) : Exception(message)
{
    public int Code { get; } = code;
    public string Reason { get; } = reason;
    public string? Name { get; init; }
    public string? Group { get; init; }
    public string? Kind { get; init; }
    public IReadOnlyList<FieldError> Causes { get; init; } = [];

    public static ApiException NotFound(string resource, string name, string group = "") =>
        new(404, "NotFound", $"{resource} \"{name}\" not found") { Name = name, Kind = resource.Split('.')[0], Group = group };

    public static ApiException AlreadyExists(string resource, string name, string group = "") =>
        new(409, "AlreadyExists", $"{resource} \"{name}\" already exists") { Name = name, Kind = resource.Split('.')[0], Group = group };

    public static ApiException Conflict(string resource, string name, string group = "", string? detail = null) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource} \"{name}\": {detail ?? "the object has been modified; please apply your changes to the latest version and try again"}")
        { Name = name, Kind = resource.Split('.')[0], Group = group };

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException Invalid(string qualifiedKind, string name, IReadOnlyList<FieldError> errors)
    {
        var detail = errors.Count == 1 ? errors[0].Message : $"[{string.Join(", ", errors.Select(e => e.Message))}]";
        var dot = qualifiedKind.IndexOf('.');
        return new ApiException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {detail}")
        {
            Name = name,
            Kind = dot < 0 ? qualifiedKind : qualifiedKind[..dot],
            Group = dot < 0 ? "" : qualifiedKind[(dot + 1)..],
            Causes = errors,
        };
    }

    public static ApiException Gone(string message) => new(410, "Expired", message);

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
            ["code"] = Code,
        };
        if (Name is not null || Causes.Count > 0)
        {
            var details = new JsonObject();
            if (Name is not null)
            {
                details["name"] = Name;
            }
            if (!string.IsNullOrEmpty(Group))
            {
                details["group"] = Group;
            }
            if (Kind is not null)
            {
                details["kind"] = Kind;
            }
            if (Causes.Count > 0)
            {
                details["causes"] = new JsonArray(Causes.Select(c => (JsonNode)new JsonObject
                {
                    ["reason"] = c.Reason,
                    ["message"] = c.Detail,
                    ["field"] = c.Field,
                }).ToArray());
            }
            status["details"] = details;
        }
        return status;
    }
}
