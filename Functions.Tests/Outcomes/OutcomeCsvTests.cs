using SocialLearning.Outcomes;
using SocialLearning.Storage;

namespace SocialLearning.Tests.Outcomes;

public sealed class OutcomeCsvTests
{
    [Fact]
    public void Csv_quotes_commas_and_quotes_and_neutralises_formulas()
    {
        var csv = OutcomeCsv.Write([
            new OutcomeEntity { Kind = "routed", QuestionId = "Q-7KX2PD", At = new DateTimeOffset(2026, 11, 20, 9, 30, 5, TimeSpan.FromHours(1)),
                ExpertId = "e-anna", Department = "IT", AskerEmail = "pieter@northwind.example", Detail = "score 0.71: said \"VPN\", twice" },
            new OutcomeEntity { Kind = "gap", QuestionId = "Q-AAAAAA", At = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), Detail = "=HYPERLINK(\"x\")" },
        ]);
        var lines = csv.Split("\r\n");
        Assert.Equal("at_utc,event,question_id,expert_id,department,asker,detail", lines[0]);
        Assert.Equal("2026-11-20T08:30:05Z,routed,Q-7KX2PD,e-anna,IT,pieter@northwind.example,\"score 0.71: said \"\"VPN\"\", twice\"", lines[1]);
        Assert.Equal("2026-11-21T00:00:00Z,gap,Q-AAAAAA,,,,\"'=HYPERLINK(\"\"x\"\")\"", lines[2]);
    }
}
