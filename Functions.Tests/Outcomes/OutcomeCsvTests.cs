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
        Assert.Equal("at_utc,event,question_id,expert_id,department,asker,detail,minutes_since_received,first_answer,asker_department", lines[0]);
        Assert.Equal("2026-11-20T08:30:05Z,routed,Q-7KX2PD,e-anna,IT,pieter@northwind.example,\"score 0.71: said \"\"VPN\"\", twice\",,,", lines[1]);
        Assert.Equal("2026-11-21T00:00:00Z,gap,Q-AAAAAA,,,,\"'=HYPERLINK(\"\"x\"\")\",,,", lines[2]);
    }

    [Fact]
    public void Minutes_since_received_give_the_time_to_each_answer_as_a_number()
    {
        var received = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        var csv = OutcomeCsv.Write([
            new OutcomeEntity { Kind = OutcomeKinds.Received, QuestionId = "Q-1", At = received, AskerEmail = "pieter@northwind.example" },
            new OutcomeEntity { Kind = OutcomeKinds.Routed, QuestionId = "Q-1", At = received.AddSeconds(2), ExpertId = "e-anna" },
            new OutcomeEntity { Kind = OutcomeKinds.Answered, QuestionId = "Q-1", At = received.AddMinutes(95).AddSeconds(30), ExpertId = "e-anna" },
            new OutcomeEntity { Kind = OutcomeKinds.Answered, QuestionId = "Q-1", At = received.AddDays(2), ExpertId = "e-ben" },
            new OutcomeEntity { Kind = OutcomeKinds.Answered, QuestionId = "Q-2", At = received.AddHours(1), ExpertId = "e-ben" },
        ]);

        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();

        // Q-2's received event is not in this export: no number rather than a wrong one.
        Assert.Equal(["0.0", "0.0", "95.5", "2880.0", ""], rows.Select(r => r[7]));
        // The first answer of each question is marked, so an average of first answers counts Anna's, not Ben's later one.
        Assert.Equal(["", "", "1", "", "1"], rows.Select(r => r[8]));
    }

    [Fact]
    public void The_askers_department_comes_from_the_directory_so_knowledge_flow_between_departments_shows()
    {
        var at = new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
        var csv = OutcomeCsv.Write([
            new OutcomeEntity { Kind = OutcomeKinds.Received, QuestionId = "Q-1", At = at, AskerEmail = "Pieter@Northwind.example" },
            new OutcomeEntity { Kind = OutcomeKinds.Answered, QuestionId = "Q-1", At = at.AddHours(1), ExpertId = "e-anna", Department = "IT", AskerEmail = "pieter@northwind.example" },
            new OutcomeEntity { Kind = OutcomeKinds.Received, QuestionId = "Q-2", At = at, AskerEmail = "visitor@partner.example" },
        ], email => email.Equals("pieter@northwind.example", StringComparison.OrdinalIgnoreCase) ? "Sales" : null);

        var rows = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(',')).ToList();

        Assert.Equal(["Sales", "Sales", ""], rows.Select(r => r[9]));
        Assert.Equal(("IT", "Sales"), (rows[1][4], rows[1][9])); // Sales asked, IT answered
    }
}
