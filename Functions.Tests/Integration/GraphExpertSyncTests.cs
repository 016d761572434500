using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SocialLearning.Experts;
using SocialLearning.Matching;
using SocialLearning.Routing;
using SocialLearning.Storage;
using SocialLearning.Tests.Support;

namespace SocialLearning.Tests.Integration;

/// <summary>
/// <see cref="GraphExpertSync"/> end to end: a loopback Graph (WireMock) serving a group's members and their profile
/// properties, the real importer, MiniLM embeddings (counted) and the Experts/Evidence tables in Azurite.
/// </summary>
[Collection("Azurite")]
public sealed class GraphExpertSyncTests(AzuriteFixture azurite) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private const string Group = "0f6c4b0e-5c1a-4d2e-9b7f-000000000001";
    private const string MembersPath = "/groups/" + Group + "/members/graph.user";

    private const string AnnId = "a1111111-0000-4000-8000-000000000001";
    private const string BoId = "b2222222-0000-4000-8000-000000000002";
    private const string CyId = "c3333333-0000-4000-8000-000000000003";
    private const string DiId = "d4444444-0000-4000-8000-000000000004";

    private readonly GraphStub _graph = new();

    public void Dispose() => _graph.Dispose();

    private static JsonObject Member(string id, string name, string? mail, string department, string jobTitle, bool enabled = true) => new()
    {
        ["@odata.type"] = "#microsoft.graph.user", ["id"] = id, ["displayName"] = name, ["mail"] = mail, ["department"] = department,
        ["jobTitle"] = jobTitle, ["officeLocation"] = "HQ 2/114", ["accountEnabled"] = enabled,
    };

    private static JsonObject Profile(string id, string about, string[] skills, string[] responsibilities, string[] projects, string[] interests) => new()
    {
        ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users(id,aboutMe,skills,interests,pastProjects,responsibilities)/$entity",
        ["id"] = id, ["aboutMe"] = about, ["skills"] = Array(skills), ["responsibilities"] = Array(responsibilities),
        ["pastProjects"] = Array(projects), ["interests"] = Array(interests),
    };

    private static JsonArray Array(string[] values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static readonly JsonObject Ann = Member(AnnId, "Ann Berg", "ann.berg@contoso.example", "Finance", "Payroll lead");
    private static readonly JsonObject Bo = Member(BoId, "Bo Lund", "bo.lund@contoso.example", "IT", "Platform engineer");
    private static readonly JsonObject Cy = Member(CyId, "Cy Room", null, "Facilities", "Meeting room 4"); // a room account without mail
    private static readonly JsonObject Di = Member(DiId, "Di Sky", "di.sky@contoso.example", "Legal", "Contracts counsel");

    private static JsonObject AnnProfile() => Profile(AnnId, "I run payroll for the Nordic entities and answer questions about salary slips.",
        ["Payroll", "Income tax withholding"], ["Monthly payroll run", "Expense reimbursement"], ["Migration to the new payroll provider"], ["Pension rules"]);

    private static JsonObject BoProfile(params string[] skills) => Profile(BoId, "<p>I look after our <b>Kubernetes</b> clusters.</p>",
        skills.Length > 0 ? skills : ["Kubernetes", "Helm"], ["Container platform on-call"], ["Cluster upgrade to 1.30"], ["Observability"]);

    private static JsonObject DiProfile() => Profile(DiId, "Contract reviews and NDAs.", ["Contract law", "NDAs"], ["Supplier contracts"], [], []);

    /// <summary>Serves the member list in pages (linked by @odata.nextLink with a $skiptoken) and each member's profile.</summary>
    private void Serve(IReadOnlyList<JsonObject[]> pages, params JsonObject[] profiles)
    {
        _graph.Server.ResetMappings();
        for (var i = 0; i < pages.Count; i++)
        {
            var page = new JsonObject
            {
                ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users",
                ["value"] = new JsonArray(pages[i].Select(m => (JsonNode)m.DeepClone()).ToArray()),
            };
            if (i + 1 < pages.Count) page["@odata.nextLink"] = $"{_graph.BaseUrl}{MembersPath}?$select=id,displayName&$top=999&$skiptoken=page{i + 2}";
            _graph.Get(MembersPath, page.ToJsonString(), priority: i == 0 ? 10 : 1, param: i == 0 ? null : ("$skiptoken", $"page{i + 1}"));
        }
        foreach (var p in profiles) _graph.Get("/users/" + (string)p["id"]!, p.ToJsonString());
    }

    private async Task<(PipelineHarness H, GraphExpertSync Sync, CountingGenerator Embeddings, ListLogger<GraphExpertSync> Log)> StartAsync()
    {
        var h = await PipelineHarness.StartAsync(azurite);
        var embeddings = new CountingGenerator(h.Get<IEmbeddingGenerator<string, Embedding<float>>>());
        var importer = new ExpertImporter(h.Get<StorageClients>(), embeddings, h.Get<ExpertDirectory>(), NullLogger<ExpertImporter>.Instance);
        var log = new ListLogger<GraphExpertSync>();
        var sync = new GraphExpertSync(_graph.Client, importer, h.Get<StorageClients>(), h.Get<ExpertDirectory>(),
            Options.Create(new GraphExpertsOptions { ExpertGroupId = Group }), TimeProvider.System, log);
        return (h, sync, embeddings, log);
    }

    private static async Task<Dictionary<string, ExpertEntity>> ExpertsAsync(PipelineHarness h) =>
        (await ExpertTables.ReadExpertsAsync(h.Get<StorageClients>(), Ct)).ToDictionary(e => e.ExpertId);

    [Fact]
    public async Task Sync_creates_profiles_from_every_page_of_group_members_with_their_profile_properties()
    {
        Serve([[Ann, Bo], [Cy, Di]], AnnProfile(), BoProfile(), DiProfile());
        var (h, sync, embeddings, log) = await StartAsync();
        await using var _ = h;

        var result = await sync.SyncAsync(Ct);

        Assert.Equal((4, 3, 3, 0, 0, 2), (result.Members, result.Profiles, result.Embedded, result.Reactivated, result.Deactivated, result.Pages));
        var skipped = Assert.Single(result.Skipped);
        Assert.Equal(new SkippedMember(CyId, "Cy Room", "no mail address"), skipped);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains(CyId) && e.Message.Contains("no mail address"));

        var experts = await ExpertsAsync(h);
        Assert.Equal(["graph-" + AnnId, "graph-" + BoId, "graph-" + DiId], experts.Keys.Order());
        var ann = experts["graph-" + AnnId];
        Assert.Equal(("Ann Berg", "ann.berg@contoso.example", "Finance", "Payroll lead", "graph", true),
            (ann.Name, ann.Email, ann.Department, ann.JobTitle, ann.Source, ann.Active));
        Assert.Equal("I run payroll for the Nordic entities and answer questions about salary slips.", ann.AboutMe);
        Assert.Equal("Payroll; Income tax withholding", ann.Skills);
        Assert.Equal("I look after our Kubernetes clusters.", experts["graph-" + BoId].AboutMe); // HTML about-me as text
        var evidence = (await ExpertTables.ReadEvidenceOfAsync(h.Get<StorageClients>(), "graph-" + AnnId, false, Ct)).ToDictionary(e => e.RowKey, e => e.Text);
        Assert.Equal("responsibilities: Monthly payroll run, Expense reimbursement", evidence["responsibilities"]);
        Assert.Equal("past projects: Migration to the new payroll provider", evidence["past-projects"]);
        Assert.Equal("interests: Pension rules", evidence["interests"]);
        Assert.Contains("Payroll lead. Finance. Payroll, Income tax withholding. I run payroll", evidence["about"]);
        Assert.Equal(4 + 4 + 2, embeddings.Texts.Count); // Ann 4, Bo 4, Di about + responsibilities

        // What was asked: two member pages with $select and $top, then one profile read per member with a mail address.
        var requests = _graph.Requests;
        Assert.Equal(5, requests.Count);
        Assert.Equal("/v1.0" + MembersPath, requests[0].RequestMessage.Path);
        Assert.Equal("id,displayName,mail,department,jobTitle,officeLocation,accountEnabled", GraphStub.Param(requests[0], "$select"));
        Assert.Equal("999", GraphStub.Param(requests[0], "$top"));
        Assert.Null(GraphStub.Param(requests[0], "$skiptoken"));
        Assert.Equal("page2", GraphStub.Param(requests[1], "$skiptoken"));
        var profileReads = requests.Skip(2).ToList();
        Assert.Equal(["/v1.0/users/" + AnnId, "/v1.0/users/" + BoId, "/v1.0/users/" + DiId], profileReads.Select(r => r.RequestMessage.Path).Order());
        Assert.All(profileReads, r => Assert.Equal("id,aboutMe,skills,interests,pastProjects,responsibilities", GraphStub.Param(r, "$select")));
        Assert.All(requests, r => Assert.Equal("GET", r.RequestMessage.Method));

        // The synced experts are routed to.
        var snapshot = await h.Get<ExpertDirectory>().GetAsync(Ct);
        Assert.True(snapshot.Experts["graph-" + AnnId].Available);
        var ranking = await h.Get<QuestionRouter>().RankAsync("Salary slip", "My payroll salary slip shows the wrong income tax withholding this month.", null, 3, Ct);
        Assert.Equal("graph-" + AnnId, ranking.Candidates[0].ExpertId);
    }

    [Fact]
    public async Task Unchanged_profiles_are_not_embedded_again_and_a_changed_one_is()
    {
        Serve([[Ann, Bo]], AnnProfile(), BoProfile());
        var (h, sync, embeddings, _) = await StartAsync();
        await using var _h = h;
        var first = await sync.SyncAsync(Ct);
        Assert.Equal(2, first.Embedded);
        var textsAfterFirst = embeddings.Texts.Count;

        var again = await sync.SyncAsync(Ct);

        Assert.Equal((2, 0), (again.Profiles, again.Embedded));
        Assert.Equal(textsAfterFirst, embeddings.Texts.Count);

        Serve([[Ann, Bo]], AnnProfile(), BoProfile("Kubernetes", "Helm", "Terraform"));
        var changed = await sync.SyncAsync(Ct);

        Assert.Equal(1, changed.Embedded);
        var embeddedNow = embeddings.Texts.Skip(textsAfterFirst).ToList();
        Assert.Equal(4, embeddedNow.Count); // Bo's about, responsibilities, past projects, interests
        Assert.Contains(embeddedNow, t => t.Contains("Terraform"));
        Assert.DoesNotContain(embeddedNow, t => t.Contains("payroll", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("Kubernetes; Helm; Terraform", (await ExpertsAsync(h))["graph-" + BoId].Skills);
    }

    [Fact]
    public async Task Import_replaces_only_its_own_source_so_synced_experts_stay_active()
    {
        var (h, sync, _, _) = await StartAsync();
        await using var _h = h;
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts().Take(3).ToList(), "sample", replaceDirectory: true, null, Ct);
        Serve([[Ann, Bo]], AnnProfile(), BoProfile());
        await sync.SyncAsync(Ct);

        // The sample again, now with two experts: the third sample expert goes, the synced ones stay.
        var result = await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts().Take(2).ToList(), "sample", replaceDirectory: true, null, Ct);

        Assert.Equal(1, result.Deactivated);
        Assert.EndsWith("; 1 deactivated (not in this import)", SocialLearning.Commands.DemoResults.ImportLine(result));
        var experts = await ExpertsAsync(h);
        Assert.True(experts["graph-" + AnnId].Active);
        Assert.True(experts["graph-" + BoId].Active);
        Assert.Equal(2, experts.Values.Count(e => e.Source == "sample" && e.Active));
        Assert.Equal("not in the latest import (sample)", experts[SampleDirectory.Experts()[2].Id].DeactivatedReason);
    }

    [Fact]
    public async Task Removed_member_is_deactivated_not_deleted_and_not_routed_to_then_reactivated_when_added_again()
    {
        var (h, sync, embeddings, _) = await StartAsync();
        await using var _h = h;
        await h.Get<ExpertImporter>().ImportAsync(SampleDirectory.Experts().Take(2).ToList(), "sample", replaceDirectory: false, null, Ct);
        Serve([[Ann, Bo, Di]], AnnProfile(), BoProfile(), DiProfile());
        await sync.SyncAsync(Ct);
        var texts = embeddings.Texts.Count;

        // Ann leaves the group; Di's account is disabled.
        Serve([[Bo, Member(DiId, "Di Sky", "di.sky@contoso.example", "Legal", "Contracts counsel", enabled: false)]], BoProfile(), DiProfile());
        var before = DateTimeOffset.UtcNow;
        var removed = await sync.SyncAsync(Ct);

        Assert.Equal((1, 0, 2), (removed.Profiles, removed.Embedded, removed.Deactivated));
        var experts = await ExpertsAsync(h);
        Assert.Equal(5, experts.Count); // nobody deleted: 3 from Graph, 2 from the sample
        var ann = experts["graph-" + AnnId];
        Assert.False(ann.Active);
        Assert.Equal($"no longer a member of group {Group}", ann.DeactivatedReason);
        Assert.InRange(ann.DeactivatedAt!.Value, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.NotNull(ann.Vector);
        var di = experts["graph-" + DiId];
        Assert.Equal((false, "account disabled"), (di.Active, di.DeactivatedReason));
        Assert.All(experts.Values.Where(e => e.Source == "sample"), e => Assert.True(e.Active)); // other sources untouched
        Assert.NotEmpty(await ExpertTables.ReadEvidenceOfAsync(h.Get<StorageClients>(), "graph-" + AnnId, false, Ct));

        var snapshot = await h.Get<ExpertDirectory>().GetAsync(Ct);
        Assert.False(snapshot.Experts["graph-" + AnnId].Available);
        Assert.False(snapshot.Experts["graph-" + DiId].Available);
        Assert.True(snapshot.Experts["graph-" + BoId].Available);
        var ranking = await h.Get<QuestionRouter>().RankAsync("Salary slip", "My payroll salary slip shows the wrong income tax withholding this month.", null, 10, Ct);
        Assert.DoesNotContain(ranking.Candidates, c => c.ExpertId == "graph-" + AnnId);

        // Ann is added again with the same profile: reactivated, vectors kept (nothing embedded).
        Serve([[Ann, Bo]], AnnProfile(), BoProfile());
        var back = await sync.SyncAsync(Ct);

        Assert.Equal((2, 0, 1, 0), (back.Profiles, back.Embedded, back.Reactivated, back.Deactivated));
        Assert.Equal(texts, embeddings.Texts.Count);
        ann = (await ExpertsAsync(h))["graph-" + AnnId];
        Assert.Equal((true, null, ""), (ann.Active, ann.DeactivatedAt, ann.DeactivatedReason));
        snapshot = await h.Get<ExpertDirectory>().GetAsync(Ct);
        Assert.True(snapshot.Experts["graph-" + AnnId].Available);
        ranking = await h.Get<QuestionRouter>().RankAsync("Salary slip", "My payroll salary slip shows the wrong income tax withholding this month.", null, 10, Ct);
        Assert.Equal("graph-" + AnnId, ranking.Candidates[0].ExpertId);
    }

    [Fact]
    public async Task Documented_user_shape_without_readable_profile_properties_is_imported_from_the_list_fields()
    {
        // The documentation's GET /users/{id} example (Adele Vance) as a group member; reading her profile properties fails
        // with 404 (as for a user without a SharePoint profile), so the list fields make her profile.
        var adele = JsonNode.Parse(SharedData.RequireGraphExample("user/user-get__02__response.json"))!.AsObject();
        var adeleId = (string)adele["id"]!;
        Serve([[adele, Ann]], AnnProfile());
        _graph.Get("/users/" + adeleId, """{ "error": { "code": "Request_ResourceNotFound", "message": "Resource does not exist." } }""", 404);
        var (h, sync, _, log) = await StartAsync();
        await using var _h = h;

        var result = await sync.SyncAsync(Ct);

        Assert.Equal((2, 2, 2), (result.Members, result.Profiles, result.Embedded));
        var e = (await ExpertsAsync(h))["graph-" + adeleId];
        Assert.Equal(("Adele Vance", "AdeleV@contoso.onmicrosoft.com", "Retail Manager", "", true), (e.Name, e.Email, e.JobTitle, e.AboutMe, e.Active));
        Assert.Contains(log.Entries, l => l.Level == LogLevel.Warning && l.Message.Contains(adeleId) && l.Message.Contains("Request_ResourceNotFound"));
    }

    [Fact]
    public async Task Failing_member_list_changes_nothing_and_surfaces_the_Graph_error()
    {
        Serve([[Ann]], AnnProfile());
        var (h, sync, _, _) = await StartAsync();
        await using var _h = h;
        await sync.SyncAsync(Ct);
        _graph.Server.ResetMappings();
        _graph.Get(MembersPath, """{ "error": { "code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation." } }""", 403);

        var ex = await Assert.ThrowsAsync<Microsoft.Graph.Models.ODataErrors.ODataError>(() => sync.SyncAsync(Ct));

        Assert.Equal(403, ex.ResponseStatusCode);
        Assert.True((await ExpertsAsync(h))["graph-" + AnnId].Active);
    }

    [Fact]
    public async Task Sync_without_a_group_id_stops_naming_the_setting()
    {
        await using var h = await PipelineHarness.StartAsync(azurite);
        var sync = new GraphExpertSync(_graph.Client, h.Get<ExpertImporter>(), h.Get<StorageClients>(), h.Get<ExpertDirectory>(),
            Options.Create(new GraphExpertsOptions()), TimeProvider.System, new ListLogger<GraphExpertSync>());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => sync.SyncAsync(Ct));

        Assert.Contains("Graph:ExpertGroupId", ex.Message);
        Assert.Empty(_graph.Requests);
    }

    /// <summary>Passes through to the real generator and records every text embedded (not the model probe).</summary>
    private sealed class CountingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Texts { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var list = values.ToList();
            if (list is not ["embedding model probe"]) lock (Texts) Texts.AddRange(list);
            return inner.GenerateAsync(list, options, cancellationToken);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose()
        {
        }
    }
}
