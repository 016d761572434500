using System.Globalization;
using MimeKit;
using SocialLearning.Experts.StackExchange;

namespace SocialLearning.Commands;

/// <summary>
/// A Stack Exchange data-dump site as a demo scenario: the profile period (first 80% of questions by time) builds the
/// directory; each test-period question answered by at least one candidate expert is mailed in, from its asker, and
/// scored against the candidates who really answered it (DESIGN.md, "Evaluation protocol").
/// </summary>
public static class DumpScenario
{
    /// <summary>Loads <paramref name="siteFolder"/> (the folder with Posts.xml and Users.xml, or the site folder holding them in
    /// <c>raw/</c>, as <c>evaluate</c> takes it); throws <see cref="DirectoryNotFoundException"/> or <see cref="FileNotFoundException"/> naming what is missing,
    /// and <see cref="InvalidOperationException"/> when the dump gives no candidate experts (importing it would empty the directory).</summary>
    public static DemoScenario Load(string siteFolder)
    {
        var site = StackExchangeDump.Load(siteFolder);
        var split = DumpSplit.Create(site);
        var profiles = ExpertProfileBuilder.Build(site, split);
        // Importing no one would deactivate the experts imported before (demo: the whole directory): refuse, with the reason
        // evaluate gives and what the loader left out, which is often why.
        if (profiles.Count == 0)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The dump gives no candidate experts: no user has {split.MinProfileAnswers} or more answers before the cutoff ({split.Cutoff:yyyy-MM-dd}; " +
                $"{site.Answers.Count(split.IsProfileAnswer)} of the site's {site.Answers.Count} answers are from before it). Nothing was imported; the directory is left as it is.") +
                string.Concat(site.Warnings().Select(w => " " + w)));
        var run = Guid.NewGuid().ToString("N")[..8];
        var mails = new List<DemoMail>();
        foreach (var item in split.TestItems)
        {
            var m = new MimeMessage();
            m.From.Add(Asker(site, item.AskerUserId, item.QuestionId));
            m.To.Add(new MailboxAddress("Ask", "ask@northwind.example"));
            m.Subject = item.Title;
            m.Date = item.Created;
            m.MessageId = $"se-q{item.QuestionId.ToString(CultureInfo.InvariantCulture)}.{run}@{ExpertProfileBuilder.EmailDomain}";
            var tags = item.Tags.Count > 0 ? "\n\nTags: " + string.Join(", ", item.Tags) : "";
            m.Body = new TextPart("plain") { Text = item.BodyText + tags };
            mails.Add(new DemoMail(item.QuestionId.ToString(CultureInfo.InvariantCulture), m,
                item.GoldAnswererIds.Select(ExpertProfileBuilder.ExpertId).ToList(),
                item.AcceptedAnswererId is int a ? ExpertProfileBuilder.ExpertId(a) : null));
        }
        var name = EvaluateCommand.SiteName(siteFolder);
        return new DemoScenario($"Stack Exchange dump {name}: {profiles.Count} candidate experts, {mails.Count} test questions (cutoff {split.Cutoff:yyyy-MM-dd})",
            "stackexchange", profiles, mails, ReportQuality: true) { Warnings = site.Warnings() };
    }

    private static MailboxAddress Asker(DumpSite site, int? userId, int questionId)
    {
        if (userId is not int id)
            return new MailboxAddress("Former user", $"deleted-user.q{questionId.ToString(CultureInfo.InvariantCulture)}@{ExpertProfileBuilder.EmailDomain}");
        var user = site.FindUser(id);
        var name = string.IsNullOrWhiteSpace(user?.DisplayName) ? $"user {id.ToString(CultureInfo.InvariantCulture)}" : user.DisplayName;
        return new MailboxAddress(name, $"{ExpertProfileBuilder.Slug(name)}.{id.ToString(CultureInfo.InvariantCulture)}@{ExpertProfileBuilder.EmailDomain}");
    }
}
