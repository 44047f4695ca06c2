using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlamaOperator.DevCluster.Admission;
using LlamaOperator.DevCluster.Audit;
using LlamaOperator.DevCluster.Kubelet;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Selectors;
using LlamaOperator.DevCluster.Store;
using LlamaOperator.DevCluster.Table;
using Microsoft.AspNetCore.Http;

namespace LlamaOperator.DevCluster.Server;

/// <summary>Maps Kubernetes REST requests (discovery, CRUD, watch, subresources) onto the store.</summary>
internal sealed class ApiHandler(ObjectStore store, ResourceRegistry registry, PodLogBook logs, TimeProvider time, TimeSpan watchTimeout, Action<AuditRecord>? audit, ValidatingAdmission admission)
{
    public string ServerAddress { get; set; } = "127.0.0.1";

    public async Task HandleAsync(HttpContext context)
    {
        if (audit is not null)
        {
            var request = context.Request;
            audit(RequestAttributes.Resolve(request.Method, request.Path.Value ?? "/", request.Query["watch"], request.Headers.Authorization));
        }
        try
        {
            await RouteAsync(context);
        }
        catch (ApiException e)
        {
            await HttpResponses.Error(context, e);
        }
        catch (SelectorException e)
        {
            await HttpResponses.Error(context, ApiException.BadRequest(e.Message));
        }
        catch (JsonException e)
        {
            await HttpResponses.Error(context, ApiException.BadRequest($"the request body is not valid JSON: {e.Message}"));
        }
        catch (FormatException e)
        {
            await HttpResponses.Error(context, ApiException.BadRequest(e.Message));
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        switch (path.TrimEnd('/'))
        {
            case "/version":
                await HttpResponses.Json(context, DiscoveryDocuments.Version());
                return;
            case "/healthz" or "/livez" or "/readyz":
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("ok");
                return;
            case "/api":
                await HttpResponses.Json(context, DiscoveryDocuments.CoreVersions(ServerAddress));
                return;
            case "/apis":
                await HttpResponses.Json(context, DiscoveryDocuments.GroupList(registry));
                return;
            case "/openapi/v3":
                await HttpResponses.Json(context, OpenApiDocuments.Root(registry));
                return;
        }
        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var key = path["/openapi/v3/".Length..].Trim('/').Split('/');
            var document = key switch
            {
                ["api", var v] => OpenApiDocuments.GroupVersion(registry, "", v),
                ["apis", var g, var v] => OpenApiDocuments.GroupVersion(registry, g, v),
                _ => null,
            };
            await (document is null ? NotFound(context, path) : HttpResponses.Json(context, document));
            return;
        }
        var segments = path.Trim('/').Split('/');
        if (segments is ["apis", var groupName])
        {
            var group = DiscoveryDocuments.GroupOf(registry, groupName);
            await (group is null ? NotFound(context, path) : HttpResponses.Json(context, group));
            return;
        }
        var request = RequestPath.Parse(path);
        if (request is null)
        {
            await NotFound(context, path);
            return;
        }
        if (request.Resource is null)
        {
            var kinds = registry.InGroupVersion(request.Group, request.Version);
            var groupVersion = request.Group.Length == 0 ? request.Version : $"{request.Group}/{request.Version}";
            await (kinds.Count == 0 ? NotFound(context, path) : HttpResponses.Json(context, DiscoveryDocuments.ResourceList(groupVersion, kinds)));
            return;
        }
        var kind = registry.Find(request.Group, request.Version, request.Resource);
        if (kind is null || (request.Namespace is not null && !kind.Namespaced))
        {
            await NotFound(context, path);
            return;
        }
        if (request.Subresource is { } sub && !kind.Subresources.Contains(sub))
        {
            await NotFound(context, path);
            return;
        }
        await ServeResourceAsync(context, kind, request);
    }

    private static Task NotFound(HttpContext context, string path) =>
        HttpResponses.Error(context, new ApiException(404, "NotFound", $"the server could not find the requested resource ({path})"));

    private async Task ServeResourceAsync(HttpContext context, ResourceKind kind, RequestPath request)
    {
        var query = context.Request.Query;
        var ns = kind.Namespaced ? request.Namespace ?? "" : "";
        if (query.ContainsKey("dryRun"))
        {
            throw ApiException.BadRequest("dryRun is not supported by the dev cluster");
        }
        var validation = (string?)query["fieldValidation"] switch
        {
            "Strict" => FieldValidation.Strict,
            "Ignore" => FieldValidation.Ignore,
            _ => FieldValidation.Warn,
        };
        var warnings = new List<string>();
        switch (context.Request.Method)
        {
            case "GET" when request.Name is null:
                await ListOrWatchAsync(context, kind, request.Namespace);
                return;
            case "GET" when request.Subresource == "log":
                await LogAsync(context, ns, request.Name);
                return;
            case "GET":
                {
                    var obj = store.Get(kind, ns, request.Name) ?? throw ApiException.NotFound(kind.QualifiedResource, request.Name, kind.Group);
                    await WriteObject(context, kind, obj, 200);
                    return;
                }
            case "POST" when request.Name is null:
                {
                    var createIn = RequireNamespace(kind, request);
                    var body = await ReadObject(context, kind);
                    if (admission.Candidates(kind, "CREATE") is { Count: > 0 } webhooks)
                    {
                        // The webhooks see the object as it would be stored (defaulted, validated), as on a real server.
                        var candidate = store.Create(kind, createIn, (JsonObject)body.DeepClone(), validation, null, dryRun: true);
                        await admission.ValidateAsync(webhooks, kind, "CREATE", createIn, candidate.ToJson(), null, UserOf(context), warnings, context.RequestAborted);
                    }
                    var created = store.Create(kind, createIn, body, validation, warnings);
                    Warn(context, warnings);
                    await HttpResponses.Bytes(context, created.Json, 201);
                    return;
                }
            case "POST" when request.Subresource == "binding":
                {
                    var binding = await ReadObject(context);
                    var node = (string?)binding["target"]?["name"] ?? throw ApiException.Invalid("Binding", request.Name, [Validation.FieldError.Required("target.name")]);
                    PodBinding.Bind(store, ns, request.Name, node, time.GetUtcNow());
                    await HttpResponses.Json(context, HttpResponses.Success(request.Name, "pods", ""), 201);
                    return;
                }
            case "PUT" when request.Name is not null:
                {
                    var body = await ReadObject(context, request.Subresource is null ? kind : null);
                    var name = request.Name;
                    var updated = request.Subresource == "status"
                        ? store.UpdateStatus(kind, ns, name, body)
                        : await AdmittedUpdateAsync(context, kind, ns, name, (string?)body["metadata"]?["resourceVersion"], warnings,
                            dryRun => store.Update(kind, ns, name, dryRun ? (JsonObject)body.DeepClone() : body, validation, warnings, dryRun));
                    Warn(context, warnings);
                    await HttpResponses.Bytes(context, updated.Json);
                    return;
                }
            case "PATCH" when request.Name is not null:
                {
                    var contentType = (context.Request.ContentType ?? "").Split(';')[0].Trim();
                    var patch = await JsonNode.ParseAsync(context.Request.Body);
                    var name = request.Name;
                    var patched = request.Subresource == "status"
                        ? store.Patch(kind, ns, name, contentType, patch, true, validation, warnings)
                        : await AdmittedUpdateAsync(context, kind, ns, name, (string?)(patch as JsonObject)?["metadata"]?["resourceVersion"], warnings,
                            dryRun => store.Patch(kind, ns, name, contentType, patch, false, validation, warnings, dryRun));
                    Warn(context, warnings);
                    await HttpResponses.Bytes(context, patched.Json);
                    return;
                }
            case "DELETE" when request.Name is not null:
                {
                    var outcome = store.Delete(kind, ns, request.Name, await ReadDeleteOptions(context));
                    await HttpResponses.Bytes(context, outcome.Object.Json, outcome.Removed ? 200 : 202);
                    return;
                }
            case "DELETE":
                {
                    var options = await ReadDeleteOptions(context);
                    var (items, _) = store.List(kind, request.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"], kind.AllSelectableFields.ToList(), kind.QualifiedResource));
                    foreach (var item in items)
                    {
                        try
                        {
                            store.Delete(kind, item.Namespace, item.Name, options);
                        }
                        catch (ApiException e) when (e.Code == 404)
                        {
                            // Already gone: deletecollection is best effort per item.
                        }
                    }
                    await HttpResponses.Json(context, HttpResponses.Success(null, kind.Plural, kind.Group));
                    return;
                }
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource ({context.Request.Method} {context.Request.Path})");
        }
    }

    /// <summary>
    /// An update of the main resource through the matching validating webhooks: the result is computed on the current
    /// object without storing it, shown to the webhooks, and stored only if that object is still current (otherwise the
    /// update is computed and admitted again, unless the client gave a resourceVersion: then it gets the 409).
    /// </summary>
    private async Task<StoredObject> AdmittedUpdateAsync(HttpContext context, ResourceKind kind, string ns, string name, string? clientResourceVersion, List<string> warnings, Func<bool, StoredObject> write)
    {
        if (admission.Candidates(kind, "UPDATE") is not { Count: > 0 } webhooks)
        {
            return write(false);
        }
        for (var attempt = 0; ; attempt++)
        {
            var old = store.Get(kind, ns, name) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            var candidate = write(true);
            if (candidate.Revision != old.Revision && attempt < 10)
            {
                continue; // changed between the read and the dry run
            }
            await admission.ValidateAsync(webhooks, kind, "UPDATE", ns, candidate.ToJson(), old.ToJson(), UserOf(context), warnings, context.RequestAborted);
            try
            {
                return store.Update(kind, ns, name, candidate.ToJson());
            }
            catch (ApiException e) when (e.Code == 409 && e.Reason == "Conflict" && string.IsNullOrEmpty(clientResourceVersion) && attempt < 10)
            {
                // Another write landed while the webhooks ran: admit the update of the new current object.
            }
        }
    }

    private static string UserOf(HttpContext context) =>
        RequestAttributes.Resolve(context.Request.Method, context.Request.Path.Value ?? "/", null, context.Request.Headers.Authorization).User;

    private static string RequireNamespace(ResourceKind kind, RequestPath request) =>
        !kind.Namespaced ? "" : request.Namespace ?? throw ApiException.BadRequest($"the namespace is required to create {kind.Plural} (POST to /namespaces/NS/{kind.Plural})");

    private static void Warn(HttpContext context, List<string> warnings)
    {
        foreach (var warning in warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\"", "\\\"")}\"");
        }
    }

    private async Task ListOrWatchAsync(HttpContext context, ResourceKind kind, string? ns)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], kind.AllSelectableFields.ToList(), kind.QualifiedResource);
        var asTable = AcceptsTable(context);
        if ((string?)query["watch"] is "true" or "1")
        {
            Watcher watcher;
            try
            {
                watcher = store.Watch(kind, ns, labels, fields, query["resourceVersion"]);
            }
            catch (ApiException e) when (e.Code == 410)
            {
                await WatchStreamer.ErrorEventAsync(context, e);
                return;
            }
            var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                ? TimeSpan.FromSeconds(seconds)
                : watchTimeout;
            await WatchStreamer.StreamAsync(context, kind, watcher, timeout, asTable, time);
            return;
        }
        var (items, revision) = store.List(kind, ns, labels, fields);
        var rv = revision.ToString(CultureInfo.InvariantCulture);
        if (asTable)
        {
            var include = (string?)query["includeObject"] ?? "Metadata";
            await HttpResponses.Json(context, TableRenderer.Render(kind, items.Select(i => i.ToJson()), rv, include, time.GetUtcNow()));
            return;
        }
        // The list is assembled from the stored bytes: no object is re-serialized.
        var head = Encoding.UTF8.GetBytes($"{{\"kind\":\"{kind.ListKind}\",\"apiVersion\":\"{kind.ApiVersion}\",\"metadata\":{{\"resourceVersion\":\"{rv}\"}},\"items\":[");
        var length = head.Length + 2 + items.Sum(i => i.Json.Length + 1);
        var body = new byte[length];
        head.CopyTo(body, 0);
        var at = head.Length;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body[at++] = (byte)',';
            }
            items[i].Json.CopyTo(body, at);
            at += items[i].Json.Length;
        }
        body[at++] = (byte)']';
        body[at++] = (byte)'}';
        await HttpResponses.Bytes(context, body.AsMemory(0, at));
    }

    private async Task WriteObject(HttpContext context, ResourceKind kind, StoredObject obj, int code)
    {
        if (AcceptsTable(context))
        {
            var include = (string?)context.Request.Query["includeObject"] ?? "Metadata";
            await HttpResponses.Json(context, TableRenderer.Render(kind, [obj.ToJson()], ObjectStore.Rv(obj), include, time.GetUtcNow()), code);
            return;
        }
        await HttpResponses.Bytes(context, obj.Json, code);
    }

    private async Task LogAsync(HttpContext context, string ns, string pod)
    {
        var stored = store.Get(BuiltInKinds.Pods, ns, pod) ?? throw ApiException.NotFound("pods", pod);
        var containers = (stored.ToJson()["spec"]?["containers"] as JsonArray)?.Select(c => (string?)c?["name"] ?? "").ToList() ?? [];
        var container = (string?)context.Request.Query["container"];
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count != 1)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {pod}, choose one of: [{string.Join(" ", containers)}]");
            }
            container = containers[0];
        }
        if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {pod}");
        }
        var log = logs.Find(ns, pod, container)
            ?? throw ApiException.BadRequest($"container \"{container}\" in pod \"{pod}\" is waiting to start: ContainerCreating");
        var follow = (string?)context.Request.Query["follow"] is "true" or "1";
        int? tail = int.TryParse(context.Request.Query["tailLines"], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
        await LogStreamer.WriteAsync(context, log, follow, tail);
    }

    private static bool AcceptsTable(HttpContext context) =>
        context.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal);

    private static async Task<JsonObject> ReadObject(HttpContext context, ResourceKind? kind = null)
    {
        if (context.Request.ContentType?.StartsWith(ProtobufBodies.ContentType, StringComparison.Ordinal) == true)
        {
            if (kind is null)
            {
                throw new ApiException(415, "UnsupportedMediaType", "the dev cluster accepts protobuf only to create or update namespaces, configmaps and secrets; send application/json");
            }
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            return ProtobufBodies.Decode(buffer.ToArray(), kind);
        }
        return await JsonNode.ParseAsync(context.Request.Body) as JsonObject ?? throw ApiException.BadRequest("the request body must be a JSON object");
    }

    private static async Task<DeleteOptions> ReadDeleteOptions(HttpContext context)
    {
        var query = context.Request.Query;
        JsonObject? body = null;
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            if (context.Request.ContentType?.StartsWith(ProtobufBodies.ContentType, StringComparison.Ordinal) == true)
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer);
                body = ProtobufBodies.DecodeDeleteOptions(buffer.ToArray());
            }
            else
            {
                var text = await new StreamReader(context.Request.Body).ReadToEndAsync();
                body = text.Length > 0 ? JsonNode.Parse(text) as JsonObject : null;
            }
        }
        long? grace = long.TryParse(query["gracePeriodSeconds"], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var g) ? g : null;
        grace ??= body?["gracePeriodSeconds"]?.GetValue<long>();
        var policy = (string?)query["propagationPolicy"] ?? (string?)body?["propagationPolicy"];
        if (policy is null && body?["orphanDependents"] is JsonValue orphan && orphan.GetValue<bool>())
        {
            policy = "Orphan";
        }
        return new DeleteOptions
        {
            PropagationPolicy = policy,
            GracePeriodSeconds = grace,
            PreconditionUid = (string?)body?["preconditions"]?["uid"],
            PreconditionResourceVersion = (string?)body?["preconditions"]?["resourceVersion"],
        };
    }
}
