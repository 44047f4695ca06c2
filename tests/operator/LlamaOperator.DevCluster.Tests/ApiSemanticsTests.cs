using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace LlamaOperator.DevCluster.Tests;

/// <summary>
/// The API semantics an operator depends on, checked through KubernetesClient over HTTP. Where a
/// test cites "API conventions" it checks the behaviour as that Kubernetes document states it.
/// </summary>
public class ApiSemanticsTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private Kubernetes Client => fixture.Client;

    private static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? data = null, Dictionary<string, string>? labels = null) =>
        new() { Metadata = new V1ObjectMeta { Name = name, Labels = labels }, Data = data ?? new() { ["k"] = "v" } };

    [Fact]
    public async Task Create_fills_uid_creation_timestamp_and_resource_version()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a"), ns);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.True(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Equal(ns, created.Metadata.NamespaceProperty);
    }

    [Fact]
    public async Task Create_of_an_existing_name_is_409_AlreadyExists()
    {
        // API conventions: "AlreadyExists ... HTTP status code: 409".
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns);
        var status = await ApiErrors.Expect(HttpStatusCode.Conflict, () => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dup"), ns));
        Assert.Equal("AlreadyExists", (string?)status["reason"]);
        Assert.Equal("configmaps \"dup\" already exists", (string?)status["message"]);
    }

    [Fact]
    public async Task Update_with_a_stale_resource_version_is_409_Conflict()
    {
        // API conventions (concurrency control): an update with an out-of-date resourceVersion fails with 409 Conflict.
        var ns = await fixture.NewNamespaceAsync();
        var original = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), ns);
        original.Data["k"] = "first";
        var first = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "c", ns);
        Assert.NotEqual(original.Metadata.ResourceVersion, first.Metadata.ResourceVersion);
        original.Data["k"] = "second";
        var status = await ApiErrors.Expect(HttpStatusCode.Conflict, () => Client.CoreV1.ReplaceNamespacedConfigMapAsync(original, "c", ns));
        Assert.Equal("Conflict", (string?)status["reason"]);
        Assert.Contains("the object has been modified", (string?)status["message"]);
        Assert.Equal("first", (await Client.CoreV1.ReadNamespacedConfigMapAsync("c", ns)).Data["k"]);
    }

    [Fact]
    public async Task Patch_carrying_a_stale_resource_version_is_409_and_without_one_applies()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("p"), ns);
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"k":"v2"}}""", V1Patch.PatchType.MergePatch), "p", ns);
        var stale = $$$"""{"metadata":{"resourceVersion":"{{{created.Metadata.ResourceVersion}}}"},"data":{"k":"v3"}}""";
        await ApiErrors.Expect(HttpStatusCode.Conflict, () => Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(stale, V1Patch.PatchType.MergePatch), "p", ns));
        var jsonPatch = """[{"op":"add","path":"/data/extra","value":"x"},{"op":"remove","path":"/data/k"}]""";
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(jsonPatch, V1Patch.PatchType.JsonPatch), "p", ns);
        Assert.Equal(new Dictionary<string, string> { ["extra"] = "x" }, patched.Data);
    }

    [Fact]
    public async Task Concurrent_patches_without_resource_version_all_apply()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("many", new Dictionary<string, string>()), ns);
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Client.CoreV1.PatchNamespacedConfigMapAsync(
            new V1Patch($$$"""{"data":{"k{{{i}}}":"v"}}""", V1Patch.PatchType.MergePatch), "many", ns)));
        Assert.Equal(20, (await Client.CoreV1.ReadNamespacedConfigMapAsync("many", ns)).Data.Count);
    }

    [Fact]
    public async Task Write_that_changes_nothing_keeps_the_resource_version()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("same"), ns);
        var again = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "same", ns);
        Assert.Equal(created.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Generate_name_gives_distinct_names_with_the_prefix()
    {
        var ns = await fixture.NewNamespaceAsync();
        var names = new HashSet<string>();
        for (var i = 0; i < 5; i++)
        {
            var created = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "job-" } }, ns);
            Assert.Matches("^job-[a-z0-9]{5}$", created.Metadata.Name);
            names.Add(created.Metadata.Name);
        }
        Assert.Equal(5, names.Count);
    }

    [Fact]
    public async Task Missing_object_is_404_NotFound_and_missing_namespace_too()
    {
        var ns = await fixture.NewNamespaceAsync();
        var status = await ApiErrors.Expect(HttpStatusCode.NotFound, () => Client.CoreV1.ReadNamespacedConfigMapAsync("nope", ns));
        Assert.Equal("NotFound", (string?)status["reason"]);
        var noNamespace = await ApiErrors.Expect(HttpStatusCode.NotFound, () => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "no-such-ns"));
        Assert.Equal("namespaces \"no-such-ns\" not found", (string?)noNamespace["message"]);
    }

    [Fact]
    public async Task Invalid_name_is_422_with_the_field_path()
    {
        var ns = await fixture.NewNamespaceAsync();
        var status = await ApiErrors.Expect(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("Bad_Name"), ns));
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.Equal("metadata.name", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task Pod_without_containers_is_invalid()
    {
        var ns = await fixture.NewNamespaceAsync();
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = "empty" }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "c" }] } };
        var status = await ApiErrors.Expect(HttpStatusCode.UnprocessableEntity, () => Client.CoreV1.CreateNamespacedPodAsync(pod, ns));
        Assert.Equal("spec.containers[0].image", (string?)status["details"]!["causes"]![0]!["field"]);
    }

    [Fact]
    public async Task List_filters_by_label_selector_and_metadata_name_field_selector()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", labels: new() { ["tier"] = "gpu" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", labels: new() { ["tier"] = "cpu" }), ns);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c"), ns);
        Assert.Equal(["a"], (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier=gpu")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["a", "b"], (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "tier")).Items.Select(i => i.Metadata.Name));
        Assert.Equal(["b"], (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "metadata.name=b")).Items.Select(i => i.Metadata.Name));
        var status = await ApiErrors.Expect(HttpStatusCode.BadRequest, () => Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "data.k=v"));
        Assert.Contains("field label not supported: data.k", (string?)status["message"]);
    }

    [Fact]
    public async Task Generation_bumps_on_spec_changes_only()
    {
        // API conventions: metadata.generation is "a sequence number representing a specific generation of the desired state".
        var ns = await fixture.NewNamespaceAsync();
        var widget = await Widgets.CreateAsync(Client, ns, "g", size: 2);
        Assert.Equal(1, (long)widget["metadata"]!["generation"]!);
        var labeled = await Widgets.PatchAsync(Client, ns, "g", """{"metadata":{"labels":{"x":"y"}}}""");
        Assert.Equal(1, (long)labeled["metadata"]!["generation"]!);
        var resized = await Widgets.PatchAsync(Client, ns, "g", """{"spec":{"size":3}}""");
        Assert.Equal(2, (long)resized["metadata"]!["generation"]!);
        var status = await Widgets.PatchAsync(Client, ns, "g", """{"status":{"phase":"Ready"}}""", status: true);
        Assert.Equal(2, (long)status["metadata"]!["generation"]!);
    }

    [Fact]
    public async Task Status_subresource_separates_status_writes_from_spec_writes()
    {
        // API conventions: "PUT and POST verbs on objects MUST ignore the status values"; /status writes change only status.
        var ns = await fixture.NewNamespaceAsync();
        await Widgets.CreateAsync(Client, ns, "s", size: 2, status: """{"phase":"Ignored"}""");
        var created = await Widgets.GetAsync(Client, ns, "s");
        Assert.Null(created["status"]);
        var mainWrite = await Widgets.PatchAsync(Client, ns, "s", """{"spec":{"size":4},"status":{"phase":"FromMain"}}""");
        Assert.Null(mainWrite["status"]);
        Assert.Equal(4, (int)mainWrite["spec"]!["size"]!);
        var statusWrite = await Widgets.PatchAsync(Client, ns, "s", """{"spec":{"size":9},"status":{"phase":"Ready"}}""", status: true);
        Assert.Equal("Ready", (string?)statusWrite["status"]!["phase"]);
        Assert.Equal(4, (int)statusWrite["spec"]!["size"]!);
    }

    [Fact]
    public async Task Custom_resource_failing_its_schema_is_422_Invalid_with_field_paths()
    {
        var ns = await fixture.NewNamespaceAsync();
        var body = JsonNode.Parse("""{"apiVersion":"example.dev/v1","kind":"Widget","metadata":{"name":"bad"},"spec":{"size":20,"color":"pink"}}""")!;
        var status = await ApiErrors.Expect(HttpStatusCode.UnprocessableEntity,
            () => Client.CustomObjects.CreateNamespacedCustomObjectAsync(body, "example.dev", "v1", ns, "widgets"));
        Assert.Equal("Invalid", (string?)status["reason"]);
        Assert.StartsWith("Widget.example.dev \"bad\" is invalid: [", (string?)status["message"]);
        var causes = status["details"]!["causes"]!.AsArray().Select(c => ((string?)c!["field"], (string?)c["reason"])).Order().ToList();
        Assert.Equal([("spec.color", "FieldValueNotSupported"), ("spec.size", "FieldValueInvalid")], causes);
    }

    [Fact]
    public async Task Custom_resource_gets_schema_defaults_and_unknown_fields_pruned()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Widgets.CreateAsync(Client, ns, "d", size: 1, extraSpec: ",\"bogus\":true");
        var stored = await Widgets.GetAsync(Client, ns, "d");
        Assert.Equal("red", (string?)stored["spec"]!["color"]);
        Assert.Null(stored["spec"]!["bogus"]);
    }

    [Fact]
    public async Task Crd_created_over_http_is_established_and_served()
    {
        var crd = KubernetesJson.Deserialize<V1CustomResourceDefinition>("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.dev"},
             "spec":{"group":"example.dev","scope":"Cluster","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},
             "versions":[{"name":"v1alpha1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """);
        await Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        var established = await Eventually.Get(() => Client.ApiextensionsV1.ReadCustomResourceDefinitionAsync("gadgets.example.dev"),
            c => c.Status?.Conditions?.Any(x => x.Type == "Established" && x.Status == "True") == true, what: "CRD Established");
        Assert.Equal("Gadget", established.Status.AcceptedNames.Kind);
        var body = JsonNode.Parse("""{"apiVersion":"example.dev/v1alpha1","kind":"Gadget","metadata":{"name":"g1"},"anything":{"goes":1}}""")!;
        await Client.CustomObjects.CreateClusterCustomObjectAsync(body, "example.dev", "v1alpha1", "gadgets");
        var discovered = await fixture.Client.CustomObjects.ListClusterCustomObjectAsync("example.dev", "v1alpha1", "gadgets");
        Assert.Contains("\"g1\"", JsonSerializer.Serialize(discovered));
    }

    [Fact]
    public async Task Table_form_renders_the_crd_printer_columns()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Widgets.CreateAsync(Client, ns, "t", size: 7);
        using var http = new HttpClient { BaseAddress = fixture.Cluster.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/apis/example.dev/v1/namespaces/{ns}/widgets");
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        using var response = await http.SendAsync(request);
        var table = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("Table", (string?)table["kind"]);
        Assert.Equal(["Name", "Size", "Color", "Phase", "Age"], table["columnDefinitions"]!.AsArray().Select(c => (string?)c!["name"]));
        var cells = table["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("t", (string?)cells[0]);
        Assert.Equal(7, (int)cells[1]!);
        Assert.Equal("red", (string?)cells[2]);
    }

    [Fact]
    public async Task Discovery_lists_builtin_and_custom_resources()
    {
        var core = await Client.CoreV1.GetAPIResourcesAsync();
        Assert.Contains(core.Resources, r => r.Name == "pods/log");
        Assert.Contains(core.Resources, r => r.Name == "pods" && r.Namespaced);
        var groups = await Client.Apis.GetAPIVersionsAsync();
        Assert.Contains(groups.Groups, g => g.Name == "scheduling.x-k8s.io");
        Assert.Contains(groups.Groups, g => g.Name == "coordination.k8s.io");
        var version = await Client.Version.GetCodeAsync();
        Assert.Equal("1", version.Major);
    }

    [Fact]
    public async Task Kubeconfig_file_works_with_kubernetes_client()
    {
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Cluster.KubeconfigPath));
        Assert.Equal(4, (await client.CoreV1.ListNodeAsync()).Items.Count);
    }

    [Fact]
    public async Task Secret_string_data_is_stored_as_base64_data_on_create_and_update()
    {
        var ns = await fixture.NewNamespaceAsync();
        var secret = new V1Secret { Metadata = new V1ObjectMeta { Name = "s" }, StringData = new Dictionary<string, string> { ["token"] = "abc" } };
        var created = await Client.CoreV1.CreateNamespacedSecretAsync(secret, ns);
        Assert.Equal("abc", System.Text.Encoding.UTF8.GetString(created.Data["token"]));
        Assert.Null(created.StringData);
        Assert.Equal("Opaque", created.Type);
        created.StringData = new Dictionary<string, string> { ["other"] = "xyz" };
        var updated = await Client.CoreV1.ReplaceNamespacedSecretAsync(created, "s", ns);
        Assert.Equal(["other", "token"], updated.Data.Keys.Order());
    }

    [Fact]
    public async Task Lease_works_for_leader_election()
    {
        var ns = await fixture.NewNamespaceAsync();
        var lease = new V1Lease { Metadata = new V1ObjectMeta { Name = "leader" }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15 } };
        var created = await Client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns);
        created.Spec.HolderIdentity = "b";
        await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "leader", ns);
        created.Spec.HolderIdentity = "c";
        await ApiErrors.Expect(HttpStatusCode.Conflict, () => Client.CoordinationV1.ReplaceNamespacedLeaseAsync(created, "leader", ns));
    }
}
