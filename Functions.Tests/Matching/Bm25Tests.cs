using SocialLearning.Matching;

namespace SocialLearning.Tests.Matching;

public class Bm25Tests
{
    // Corpus: d0 "qubit gate" (2 tokens), d1 "qubit qubit noise" (3), d2 "error correction" (2); N = 3, avgdl = 7/3.
    private static readonly string[] Corpus = ["Qubit gate", "qubits, qubit; noise!", "error correction"];

    [Fact]
    public void Tokenizer_lowercases_splits_on_punctuation_drops_stop_words_and_folds_plurals()
    {
        Assert.Equal(["quantum", "gate", "qubit", "entangle"],
            Bm25Tokenizer.Tokenize("What is the quantum-gate for Qubits that entangles?"));
        Assert.Equal(["q#", "vs", "c++", "2", "matrice", "query", "gas"], Bm25Tokenizer.Tokenize("Q# vs C++ in 2 matrices, queries, gas"));
        Assert.Empty(Bm25Tokenizer.Tokenize("a I x"));
        Assert.Empty(Bm25Tokenizer.Tokenize(null));
    }

    [Theory]
    [InlineData("qubits", "qubit")]
    [InlineData("queries", "query")]
    [InlineData("eies", "eie")]
    [InlineData("gates", "gate")]
    [InlineData("does", "doe")]
    [InlineData("shoes", "shoe")]
    [InlineData("status", "status")]
    [InlineData("class", "class")]
    [InlineData("gas", "gas")]
    public void S_stemmer_follows_Harman_1991(string token, string stem) => Assert.Equal(stem, Bm25Tokenizer.Stem(token));

    [Fact]
    public void Scripts_written_without_spaces_split_from_latin_words_and_digits_into_character_bigrams()
    {
        Assert.Equal(["如何重置我的", "vpn", "令牌"], Bm25Tokenizer.Words("如何重置我的VPN令牌？", joinApostrophes: false));
        Assert.Equal(["如何", "何重", "重置", "置我", "我的", "vpn", "令牌"], Bm25Tokenizer.Tokenize("如何重置我的VPN令牌？"));
        Assert.Equal(["excel", "のマ", "マク", "クロ", "ロが", "2016", "で動", "動か", "かな", "ない"], Bm25Tokenizer.Tokenize("Excelのマクロが2016で動かない"));
        Assert.Equal(["税", "报销"], Bm25Tokenizer.Tokenize("税？报销"));
        Assert.Equal(["grovers", "algorithm"], Bm25Tokenizer.Words("Grover's algorithm", joinApostrophes: true));
        Assert.Equal(["café", "crème"], Bm25Tokenizer.Tokenize("café crème"));
    }

    [Fact]
    public void A_chinese_question_and_answer_share_bigrams_so_bm25_matches_them()
    {
        // "How do I submit a travel reimbursement?" against an answer about the reimbursement system and one about VPN.
        var index = new Bm25Index(["差旅报销需要在系统里先填写申请单", "VPN令牌可以在门户网站重置"]);
        var scores = new double[2];

        index.Score(index.QueryTerms("怎么提交差旅报销"), scores);

        Assert.True(scores[0] > 0, "the reimbursement answer shares 差旅, 旅报, 报销");
        Assert.Equal(0, scores[1]);
    }

    [Fact]
    public void Idf_is_the_non_negative_Lucene_form()
    {
        var index = new Bm25Index(Corpus);
        Assert.Equal(3, index.Count);
        Assert.Equal(7.0 / 3, index.AverageLength, 12);
        // ln(1 + (3 − 2 + 0.5) / (2 + 0.5)) = ln 1.6
        Assert.Equal(Math.Log(1.6), index.Idf("qubit"), 12);
        Assert.Equal(0.470004, index.Idf("qubit"), 6);
        // ln(1 + (3 − 1 + 0.5) / (1 + 0.5)) = ln(8/3)
        Assert.Equal(0.980829, index.Idf("noise"), 6);
    }

    [Fact]
    public void Scores_match_the_hand_computed_Okapi_values()
    {
        var index = new Bm25Index(Corpus);

        // d0: 0.470004 · 1 · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 2 / (7/3))) = 0.499176
        // d1: 0.470004 · 2 · 2.2 / (2 + 1.2 · (0.25 + 0.75 · 3 / (7/3))) = 0.598186
        var qubit = index.Score("qubit");
        Assert.Equal(0.499176, qubit[0], 5);
        Assert.Equal(0.598186, qubit[1], 5);
        Assert.Equal(0, qubit[2]);

        // d1 for "qubit noise": 0.598186 + 0.980829 · 2.2 / (1 + 1.457143) = 0.598186 + 0.878184 = 1.476371
        var both = index.Score("Qubits and noise?");
        Assert.Equal(1.476371, both[1], 5);
        Assert.Equal(qubit[0], both[0], 12);
    }

    [Fact]
    public void A_query_term_counts_once_however_often_the_question_repeats_it()
    {
        var index = new Bm25Index(Corpus);
        Assert.Equal(index.Score("qubit")[1], index.Score("qubit qubit qubits")[1], 12);
    }

    [Fact]
    public void Explain_lists_contributing_terms_largest_first_and_they_add_up_to_the_score()
    {
        var index = new Bm25Index(Corpus);
        var terms = index.QueryTerms("qubit noise correction");
        Assert.Equal(["qubit", "noise", "correction"], terms);

        var parts = index.Explain(terms, 1, 5);

        Assert.Equal(["noise", "qubit"], parts.Select(p => p.Term));
        Assert.Equal(index.Score("qubit noise correction")[1], parts.Sum(p => p.Contribution), 12);
        Assert.Single(index.Explain(terms, 1, 1));
    }

    [Fact]
    public void Unknown_terms_and_empty_documents_score_zero()
    {
        var index = new Bm25Index(["", null, "qubit"]);
        Assert.Equal(new double[3], index.Score("photonics"));
        Assert.Empty(index.QueryTerms("photonics"));
        Assert.True(index.Score("qubit")[2] > 0);
    }
}
