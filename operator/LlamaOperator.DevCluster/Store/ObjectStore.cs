using System.Collections.Immutable;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using LlamaOperator.DevCluster.Json;
using LlamaOperator.DevCluster.Resources;
using LlamaOperator.DevCluster.Selectors;
using LlamaOperator.DevCluster.Validation;

namespace LlamaOperator.DevCluster.Store;

/// <summary>
/// The cluster state: every object of every kind, one global resourceVersion counter, a bounded
/// event history per kind and the watchers. All the API semantics a client can observe (conflicts,
/// generation, status subresource, finalizers, graceful deletion) are decided here, so the HTTP
/// server and the in-process controllers go through the same code path.
/// </summary>
public sealed class ObjectStore(TimeProvider time, int historyPerKind = 20_000, IReadOnlyDictionary<string, Action<JsonObject>>? admission = null)
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();
    private readonly Dictionary<string, KindTable> _tables = [];
    private readonly Dictionary<string, ObjectRef> _byUid = [];
    private readonly Dictionary<string, HashSet<ObjectRef>> _dependents = [];
    private ImmutableArray<Channel<StoreChange>> _subscribers = [];
    private long _revision;

    public long Revision
    {
        get
        {
            lock (_gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>A feed of every committed change, for an in-process controller.</summary>
    public ChannelReader<StoreChange> Subscribe()
    {
        var channel = Channel.CreateUnbounded<StoreChange>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            _subscribers = _subscribers.Add(channel);
        }
        return channel.Reader;
    }

    public void CompleteSubscribers()
    {
        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }
            foreach (var watcher in _tables.Values.SelectMany(t => t.Watchers))
            {
                watcher.Complete();
            }
        }
    }

    public StoredObject? Get(ResourceKind kind, string ns, string name)
    {
        lock (_gate)
        {
            return Table(kind).Objects.GetValueOrDefault((ns, name));
        }
    }

    public StoredObject? GetByUid(string uid)
    {
        lock (_gate)
        {
            return _byUid.TryGetValue(uid, out var r) ? Table(r.Kind).Objects.GetValueOrDefault((r.Namespace, r.Name)) : null;
        }
    }

    public IReadOnlyList<ObjectRef> DependentsOf(string ownerUid)
    {
        lock (_gate)
        {
            return _dependents.TryGetValue(ownerUid, out var set) ? set.ToList() : [];
        }
    }

    /// <summary>Objects of a kind, sorted by namespace and name, and the revision the list is current at.</summary>
    public (IReadOnlyList<StoredObject> Items, long Revision) List(ResourceKind kind, string? ns, LabelSelector? labels = null, FieldSelector? fields = null)
    {
        List<StoredObject> items;
        long revision;
        lock (_gate)
        {
            revision = _revision;
            items = Table(kind).Objects.Values
                .Where(o => (ns is null || o.Namespace == ns) && (labels?.Matches(o.Labels) ?? true) && (fields?.Matches(o.Fields) ?? true))
                .ToList();
        }
        items.Sort((a, b) => a.Namespace == b.Namespace ? string.CompareOrdinal(a.Name, b.Name) : string.CompareOrdinal(a.Namespace, b.Namespace));
        return (items, revision);
    }

    /// <param name="dryRun">Check everything and return the object as it would be stored, without storing it (what admission webhooks are shown).</param>
    public StoredObject Create(ResourceKind kind, string ns, JsonObject obj, FieldValidation validation = FieldValidation.Ignore, List<string>? warnings = null, bool dryRun = false)
    {
        CheckTypeMeta(kind, obj);
        var metadata = Meta.Of(obj);
        ns = CheckNamespace(kind, ns, metadata);
        foreach (var field in new[] { "uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields" })
        {
            metadata.Remove(field);
        }
        if (kind.ResetsStatusOnCreate)
        {
            obj.Remove("status");
        }
        kind.PrepareForCreate?.Invoke(obj);
        Admit(kind, obj);
        var name = (string?)metadata["name"] ?? "";
        var generateName = (string?)metadata["generateName"] ?? "";
        if (name.Length == 0 && generateName.Length == 0)
        {
            throw ApiException.Invalid(kind.QualifiedKind, "", [new FieldError("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")]);
        }
        CheckObject(kind, name.Length > 0 ? name : generateName + "x", obj, validation, warnings, checkName: name.Length > 0);
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Meta.Timestamp(time.GetUtcNow());
        if (kind.TracksGeneration)
        {
            metadata["generation"] = 1;
        }
        lock (_gate)
        {
            if (kind.Namespaced)
            {
                var namespaceObject = Table(BuiltInKinds.Namespaces).Objects.GetValueOrDefault(("", ns))
                    ?? throw ApiException.NotFound("namespaces", ns);
                if (namespaceObject.Deleting)
                {
                    throw new ApiException(403, "Forbidden", $"{kind.Plural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
                }
            }
            var table = Table(kind);
            if (name.Length == 0)
            {
                do
                {
                    name = ObjectNames.Generate(generateName);
                }
                while (table.Objects.ContainsKey((ns, name)));
                metadata["name"] = name;
            }
            else if (table.Objects.ContainsKey((ns, name)))
            {
                throw ApiException.AlreadyExists(kind.QualifiedResource, name, kind.Group);
            }
            if (dryRun)
            {
                return Build(kind, obj, _revision, ns, name);
            }
            var stored = Commit(table, obj, ns, name);
            Publish(table, WatchEventType.Added, stored, null);
            return stored;
        }
    }

    /// <summary>PUT of the main resource: status is kept from the stored object when the kind has a status subresource.</summary>
    /// <param name="dryRun">Check everything and return the object as it would be stored (its resourceVersion the current one), without storing it.</param>
    public StoredObject Update(ResourceKind kind, string ns, string name, JsonObject obj, FieldValidation validation = FieldValidation.Ignore, List<string>? warnings = null, bool dryRun = false)
    {
        CheckTypeMeta(kind, obj);
        var metadata = Meta.Of(obj);
        CheckNamespace(kind, ns, metadata);
        if ((string?)metadata["name"] is { } bodyName && bodyName != name)
        {
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        }
        metadata["name"] = name;
        lock (_gate)
        {
            var table = Table(kind);
            var existing = table.Objects.GetValueOrDefault((ns, name)) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            CheckPrecondition(kind, existing, (string?)metadata["resourceVersion"]);
            var old = existing.ToJson();
            if (kind.HasStatus)
            {
                obj["status"] = old["status"]?.DeepClone();
                if (obj["status"] is null)
                {
                    obj.Remove("status");
                }
            }
            CarryImmutableMetadata(Meta.Of(old), metadata);
            kind.PrepareForWrite?.Invoke(obj);
            Admit(kind, obj);
            CheckObject(kind, name, obj, validation, warnings, checkName: false);
            CheckFinalizersWhileDeleting(kind, existing, obj);
            if (kind.TracksGeneration && SpecChanged(old, obj))
            {
                metadata["generation"] = (old["metadata"]?["generation"]?.GetValue<long>() ?? 0) + 1;
            }
            return dryRun ? Build(kind, obj, existing.Revision, ns, name) : CommitUpdate(table, existing, obj);
        }
    }

    /// <summary>PUT of /status: only status changes; everything else stays as stored.</summary>
    public StoredObject UpdateStatus(ResourceKind kind, string ns, string name, JsonObject obj)
    {
        CheckTypeMeta(kind, obj);
        lock (_gate)
        {
            var table = Table(kind);
            var existing = table.Objects.GetValueOrDefault((ns, name)) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            CheckPrecondition(kind, existing, (string?)obj["metadata"]?["resourceVersion"]);
            var updated = existing.ToJson();
            updated["status"] = obj["status"]?.DeepClone();
            if (updated["status"] is null)
            {
                updated.Remove("status");
            }
            CheckObject(kind, name, updated, FieldValidation.Ignore, null, checkName: false);
            return CommitUpdate(table, existing, updated);
        }
    }

    /// <summary>
    /// PATCH (merge, JSON, or strategic merge treated as merge): applied to the current object; a
    /// resourceVersion in the patch is a precondition, as on the real server.
    /// </summary>
    /// <param name="dryRun">Apply the patch to the current object and return the result as it would be stored, without storing it.</param>
    public StoredObject Patch(ResourceKind kind, string ns, string name, string contentType, JsonNode? patch, bool status,
        FieldValidation validation = FieldValidation.Ignore, List<string>? warnings = null, bool dryRun = false)
    {
        var patchRv = (string?)(patch as JsonObject)?["metadata"]?["resourceVersion"];
        for (var attempt = 0; ; attempt++)
        {
            var current = Get(kind, ns, name) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            JsonNode? patched;
            try
            {
                patched = contentType switch
                {
                    "application/json-patch+json" => JsonPatch.Apply(current.ToJson(), patch),
                    "application/merge-patch+json" or "application/strategic-merge-patch+json" => MergePatch.Apply(current.ToJson(), patch),
                    _ => throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got {contentType})"),
                };
            }
            catch (JsonPatchException e)
            {
                throw new ApiException(422, "Invalid", $"the server rejected our request due to an error in our request: {e.Message}");
            }
            if (patched is not JsonObject patchedObject)
            {
                throw ApiException.BadRequest("the patch does not produce an object");
            }
            // A patch without a resourceVersion applies to whatever is current: it is retried when
            // another write lands between the read and the commit, so no write is lost.
            if (patchRv is null)
            {
                Meta.Of(patchedObject)["resourceVersion"] = Rv(current);
            }
            try
            {
                return status ? UpdateStatus(kind, ns, name, patchedObject) : Update(kind, ns, name, patchedObject, validation, warnings, dryRun);
            }
            catch (ApiException e) when (e.Code == 409 && e.Reason == "Conflict" && patchRv is null && attempt < 10)
            {
                continue;
            }
        }
    }

    /// <summary>
    /// A read-modify-write of the whole object in one commit, for subresources whose meaning touches
    /// spec and status together (pods/binding). <paramref name="change"/> may throw an ApiException.
    /// </summary>
    public StoredObject Replace(ResourceKind kind, string ns, string name, Func<JsonObject, JsonObject> change)
    {
        lock (_gate)
        {
            var table = Table(kind);
            var existing = table.Objects.GetValueOrDefault((ns, name)) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            return CommitUpdate(table, existing, change(existing.ToJson()));
        }
    }

    public DeleteOutcome Delete(ResourceKind kind, string ns, string name, DeleteOptions options)
    {
        lock (_gate)
        {
            var table = Table(kind);
            var existing = table.Objects.GetValueOrDefault((ns, name)) ?? throw ApiException.NotFound(kind.QualifiedResource, name, kind.Group);
            if (options.PreconditionUid is { } uid && uid != existing.Uid)
            {
                throw ApiException.Conflict(kind.QualifiedResource, name, kind.Group, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");
            }
            if (options.PreconditionResourceVersion is { } rv && rv != Rv(existing))
            {
                throw ApiException.Conflict(kind.QualifiedResource, name, kind.Group, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {Rv(existing)}");
            }
            var obj = existing.ToJson();
            var metadata = Meta.Of(obj);
            var grace = GracePeriod(kind, obj, options);
            var finalizers = Meta.Finalizers(obj).ToList();
            if (!existing.Deleting)
            {
                switch (options.PropagationPolicy)
                {
                    case "Foreground" when DependentsExist(existing.Uid):
                        finalizers.Add("foregroundDeletion");
                        break;
                    case "Orphan" when DependentsExist(existing.Uid):
                        finalizers.Add("orphan");
                        break;
                    case null or "" or "Background" or "Foreground" or "Orphan":
                        break;
                    default:
                        throw ApiException.BadRequest($"propagationPolicy \"{options.PropagationPolicy}\" is not one of Orphan, Background, Foreground");
                }
            }
            if (finalizers.Count > 0)
            {
                metadata["finalizers"] = new JsonArray(finalizers.Distinct().Select(f => (JsonNode)f).ToArray());
            }
            var pendingNamespace = kind == BuiltInKinds.Namespaces;
            if (finalizers.Count == 0 && grace == 0 && !pendingNamespace)
            {
                return new DeleteOutcome(Remove(table, existing), true);
            }
            if (existing.Deleting && (metadata["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0) <= grace)
            {
                return new DeleteOutcome(existing, false);
            }
            metadata["deletionTimestamp"] = Meta.Timestamp(time.GetUtcNow().AddSeconds(grace));
            metadata["deletionGracePeriodSeconds"] = grace;
            if (pendingNamespace)
            {
                obj["status"] = new JsonObject { ["phase"] = "Terminating" };
            }
            return new DeleteOutcome(CommitUpdate(table, existing, obj), false);
        }
    }

    /// <summary>Finishes a terminating namespace once the namespace controller has emptied it.</summary>
    public void RemoveNamespace(string name)
    {
        lock (_gate)
        {
            var table = Table(BuiltInKinds.Namespaces);
            if (table.Objects.GetValueOrDefault(("", name)) is { Deleting: true, Finalizers.Count: 0 } existing)
            {
                Remove(table, existing);
            }
        }
    }

    /// <summary>
    /// Starts a watch. Without a resourceVersion (or "0") it first sends the current objects as ADDED;
    /// with one it replays the history after it, or fails with 410 Gone when that history is gone.
    /// </summary>
    public Watcher Watch(ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields, string? resourceVersion)
    {
        lock (_gate)
        {
            var table = Table(kind);
            Watcher? watcher = null;
            watcher = new Watcher(ns, labels, fields, w =>
            {
                lock (_gate)
                {
                    table.Watchers = table.Watchers.Remove(w);
                }
            });
            if (string.IsNullOrEmpty(resourceVersion) || resourceVersion == "0")
            {
                foreach (var obj in table.Objects.Values.Where(watcher.Matches).OrderBy(o => o.Revision))
                {
                    watcher.OfferInitial(obj, new WatchRecord(obj.Revision, WatchEventType.Added, obj, null).Line(WatchEventType.Added));
                }
            }
            else
            {
                if (!long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw ApiException.BadRequest($"invalid resource version \"{resourceVersion}\"");
                }
                if (from < table.CompactedRevision)
                {
                    throw ApiException.Gone($"too old resource version: {from} ({table.CompactedRevision})");
                }
                foreach (var record in table.History.Where(r => r.Revision > from))
                {
                    watcher.Offer(record);
                }
            }
            table.Watchers = table.Watchers.Add(watcher);
            return watcher;
        }
    }

    public static string Rv(StoredObject obj) => obj.Revision.ToString(CultureInfo.InvariantCulture);

    private KindTable Table(ResourceKind kind)
    {
        if (!_tables.TryGetValue(kind.StorageId, out var table))
        {
            table = new KindTable(kind, historyPerKind);
            _tables[kind.StorageId] = table;
        }
        return table;
    }

    private bool DependentsExist(string uid) => _dependents.TryGetValue(uid, out var set) && set.Count > 0;

    private static long GracePeriod(ResourceKind kind, JsonObject obj, DeleteOptions options)
    {
        if (kind != BuiltInKinds.Pods)
        {
            return 0;
        }
        // Only a pod a kubelet runs needs a graceful stop; an unscheduled or finished pod goes at once.
        var bound = !string.IsNullOrEmpty((string?)obj["spec"]?["nodeName"]);
        var finished = (string?)obj["status"]?["phase"] is "Succeeded" or "Failed";
        if (!bound || finished)
        {
            return 0;
        }
        return Math.Max(0, options.GracePeriodSeconds ?? obj["spec"]?["terminationGracePeriodSeconds"]?.GetValue<long>() ?? 30);
    }

    private static void CheckTypeMeta(ResourceKind kind, JsonObject obj)
    {
        var givenKind = (string?)obj["kind"];
        var givenApiVersion = (string?)obj["apiVersion"];
        if ((givenKind is not null && givenKind != kind.Kind) || (givenApiVersion is not null && givenApiVersion != kind.ApiVersion))
        {
            throw ApiException.BadRequest($"the API version in the data ({givenApiVersion}) and kind ({givenKind}) do not match the request ({kind.ApiVersion}, {kind.Kind})");
        }
        obj["apiVersion"] = kind.ApiVersion;
        obj["kind"] = kind.Kind;
        // Keep apiVersion and kind first, as the real server writes them.
        var metadata = obj["metadata"];
        if (metadata is not null)
        {
            obj.Remove("metadata");
            var rest = obj.Where(p => p.Key is not ("apiVersion" or "kind")).ToList();
            foreach (var (key, _) in rest)
            {
                obj.Remove(key);
            }
            obj["metadata"] = metadata;
            foreach (var (key, value) in rest)
            {
                obj[key] = value;
            }
        }
    }

    private static string CheckNamespace(ResourceKind kind, string ns, JsonObject metadata)
    {
        if (!kind.Namespaced)
        {
            metadata.Remove("namespace");
            return "";
        }
        if ((string?)metadata["namespace"] is { Length: > 0 } given && given != ns)
        {
            throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }
        metadata["namespace"] = ns;
        return ns;
    }

    /// <summary>The mutating admission of <paramref name="kind"/>'s resource, if any (<see cref="DevClusterOptions.Admission"/>).</summary>
    private void Admit(ResourceKind kind, JsonObject obj)
    {
        if (admission?.GetValueOrDefault(kind.StorageId) is not { } admit)
        {
            return;
        }
        admit(obj);
        // The store holds JSON as parsed from requests: what the admission built in process is parsed back from its text.
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            obj[key] = obj[key] is { } node ? JsonNode.Parse(node.ToJsonString()) : null;
        }
    }

    private static void CheckObject(ResourceKind kind, string name, JsonObject obj, FieldValidation validation, List<string>? warnings, bool checkName)
    {
        var errors = new List<FieldError>();
        if (checkName && ObjectNames.CheckName(name) is { } nameError)
        {
            errors.Add(nameError);
        }
        if (kind.Schema is { } schema)
        {
            var result = schema.Check(obj);
            if (result.UnknownFields.Count > 0)
            {
                if (validation == FieldValidation.Strict)
                {
                    throw ApiException.BadRequest($"{kind.QualifiedKind} in version \"{kind.Version}\" cannot be handled as a {kind.Kind}: strict decoding error: {string.Join(", ", result.UnknownFields.Select(f => $"unknown field \"{f}\""))}");
                }
                if (validation == FieldValidation.Warn)
                {
                    warnings?.AddRange(result.UnknownFields.Select(f => $"unknown field \"{f}\""));
                }
            }
            errors.AddRange(result.Errors);
        }
        if (kind.Validate is { } validate)
        {
            errors.AddRange(validate(obj));
        }
        if (errors.Count > 0)
        {
            throw ApiException.Invalid(kind.QualifiedKind, name, errors);
        }
    }

    private static void CheckPrecondition(ResourceKind kind, StoredObject existing, string? resourceVersion)
    {
        if (!string.IsNullOrEmpty(resourceVersion) && resourceVersion != Rv(existing))
        {
            throw ApiException.Conflict(kind.QualifiedResource, existing.Name, kind.Group);
        }
    }

    private static void CheckFinalizersWhileDeleting(ResourceKind kind, StoredObject existing, JsonObject updated)
    {
        if (existing.Deleting && Meta.Finalizers(updated).Except(existing.Finalizers).FirstOrDefault() is { } added)
        {
            throw ApiException.Invalid(kind.QualifiedKind, existing.Name,
                [new FieldError("FieldValueForbidden", "metadata.finalizers", $"Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{{\"{added}\"}}")]);
        }
    }

    private static void CarryImmutableMetadata(JsonObject from, JsonObject to)
    {
        foreach (var field in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "generateName" })
        {
            if (from[field] is { } value)
            {
                to[field] = value.DeepClone();
            }
            else
            {
                to.Remove(field);
            }
        }
    }

    private static bool SpecChanged(JsonObject old, JsonObject updated)
    {
        static string Body(JsonObject o) =>
            new JsonObject(o.Where(p => p.Key is not ("metadata" or "status" or "apiVersion" or "kind"))
                .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString();
        return Body(old) != Body(updated);
    }

    /// <summary>Commits an update, or removes the object when a deleting object lost its last finalizer.</summary>
    private StoredObject CommitUpdate(KindTable table, StoredObject existing, JsonObject updated)
    {
        var metadata = Meta.Of(updated);
        var finalizers = Meta.Finalizers(updated);
        if (finalizers.Count == 0)
        {
            metadata.Remove("finalizers");
        }
        var kind = table.Kind;
        if (existing.Deleting && finalizers.Count == 0 && kind != BuiltInKinds.Namespaces
            && (metadata["deletionGracePeriodSeconds"]?.GetValue<long>() ?? 0) == 0)
        {
            return Remove(table, existing, updated);
        }
        // A write that changes nothing keeps the resourceVersion and sends no event, as on a real server.
        metadata["resourceVersion"] = Rv(existing);
        if (JsonNode.DeepEquals(updated, existing.ToJson()))
        {
            return existing;
        }
        var stored = Commit(table, updated, existing.Namespace, existing.Name);
        Publish(table, WatchEventType.Modified, stored, existing);
        return stored;
    }

    private StoredObject Remove(KindTable table, StoredObject existing, JsonObject? finalState = null)
    {
        var obj = finalState ?? existing.ToJson();
        var stored = Build(table.Kind, obj, ++_revision, existing.Namespace, existing.Name);
        table.Objects.Remove((existing.Namespace, existing.Name));
        Unindex(existing);
        Publish(table, WatchEventType.Deleted, stored, existing);
        return stored;
    }

    private StoredObject Commit(KindTable table, JsonObject obj, string ns, string name)
    {
        var stored = Build(table.Kind, obj, ++_revision, ns, name);
        if (table.Objects.TryGetValue((ns, name), out var previous))
        {
            Unindex(previous);
        }
        table.Objects[(ns, name)] = stored;
        _byUid[stored.Uid] = stored.Ref;
        foreach (var owner in stored.Owners)
        {
            if (!_dependents.TryGetValue(owner.Uid, out var set))
            {
                set = [];
                _dependents[owner.Uid] = set;
            }
            set.Add(stored.Ref);
        }
        return stored;
    }

    private void Unindex(StoredObject obj)
    {
        _byUid.Remove(obj.Uid);
        foreach (var owner in obj.Owners)
        {
            if (_dependents.TryGetValue(owner.Uid, out var set))
            {
                set.Remove(obj.Ref);
                if (set.Count == 0)
                {
                    _dependents.Remove(owner.Uid);
                }
            }
        }
    }

    private static StoredObject Build(ResourceKind kind, JsonObject obj, long revision, string ns, string name)
    {
        var metadata = Meta.Of(obj);
        metadata["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
        var fields = new Dictionary<string, string>(kind.SelectableFields.Count + 2)
        {
            ["metadata.name"] = name,
            ["metadata.namespace"] = ns,
        };
        foreach (var path in kind.SelectableFields)
        {
            fields[path] = JsonPathLite.ScalarText(JsonPathLite.Evaluate(obj, "." + path)) ?? "";
        }
        return new StoredObject
        {
            Ref = new ObjectRef(kind, ns, name),
            Uid = (string?)metadata["uid"] ?? "",
            Revision = revision,
            Json = JsonSerializer.SerializeToUtf8Bytes(obj, Compact),
            Labels = Meta.Labels(obj),
            Fields = fields,
            Owners = Meta.Owners(obj),
            Finalizers = Meta.Finalizers(obj),
            Deleting = metadata["deletionTimestamp"] is not null,
        };
    }

    private void Publish(KindTable table, WatchEventType type, StoredObject obj, StoredObject? previous)
    {
        var record = new WatchRecord(obj.Revision, type, obj, previous);
        table.Record(record);
        foreach (var watcher in table.Watchers)
        {
            watcher.Offer(record);
        }
        var change = new StoreChange(type, obj, previous);
        foreach (var subscriber in _subscribers)
        {
            subscriber.Writer.TryWrite(change);
        }
    }
}
