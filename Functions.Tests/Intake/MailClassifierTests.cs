using MimeKit;
using SocialLearning.Intake;
using Xunit;

namespace SocialLearning.Tests.Intake;

public class MailClassifierTests
{
    private const string Shared = "ask@contoso.example";

    private static MimeMessage Mail(string from = "Priya Raman <priya.raman@contoso.example>", string subject = "How do we price multi-year renewals?",
        string body = "Hi all,\n\nWho knows how multi-year renewals are priced for public-sector customers?\n\nThanks,\nPriya")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(Shared));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }

    [Fact]
    public void Plain_question_from_a_person_is_a_question()
    {
        var verdict = MailClassifier.Classify(Mail(), Shared);
        Assert.Equal(MailKind.Question, verdict.Kind);
        Assert.Contains("visible text", verdict.Reason);
    }

    [Theory]
    [InlineData("ask@contoso.example")]
    [InlineData("ASK@Contoso.Example")]
    public void Mail_from_the_shared_mailbox_is_own_mail_case_insensitively(string from)
    {
        var verdict = MailClassifier.Classify(Mail(from: $"Ask L&D <{from}>"), Shared);
        Assert.Equal(MailKind.OwnMail, verdict.Kind);
        Assert.Contains(from, verdict.Reason);
    }

    [Theory]
    [InlineData("auto-replied", "Auto-Submitted: auto-replied")]
    [InlineData("auto-generated", "Auto-Submitted: auto-generated")]
    [InlineData("auto-notified; owner-email=\"ops@fabrikam.example\"", "Auto-Submitted: auto-notified")]
    public void Auto_submitted_other_than_no_is_an_auto_reply(string value, string reason)
    {
        var message = Mail();
        message.Headers.Add("Auto-Submitted", value);
        Assert.Equal(new MailClassification(MailKind.AutoReply, reason), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void Auto_submitted_no_is_a_person()
    {
        var message = Mail();
        message.Headers.Add("Auto-Submitted", "no");
        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);
    }

    [Theory]
    [InlineData("X-Autoreply", "yes")]
    [InlineData("X-Autorespond", "Out of office until Monday")]
    public void Autoreply_headers_mark_an_auto_reply(string header, string value)
    {
        var message = Mail();
        message.Headers.Add(header, value);
        var verdict = MailClassifier.Classify(message, Shared);
        Assert.Equal(MailKind.AutoReply, verdict.Kind);
        Assert.Equal($"{header}: {value}", verdict.Reason);
    }

    [Theory]
    [InlineData("bulk")]
    [InlineData("list")]
    [InlineData("Bulk")]
    public void Bulk_and_list_precedence_is_bulk_mail(string precedence)
    {
        var message = Mail();
        message.Headers.Add("Precedence", precedence);
        Assert.Equal(new MailClassification(MailKind.Bulk, $"Precedence: {precedence}"), MailClassifier.Classify(message, Shared));
    }

    [Theory]
    [InlineData("junk")]
    [InlineData("auto_reply")]
    public void Junk_and_auto_reply_precedence_is_an_auto_reply(string precedence)
    {
        var message = Mail();
        message.Headers.Add("Precedence", precedence);
        Assert.Equal(new MailClassification(MailKind.AutoReply, $"Precedence: {precedence}"), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void List_id_marks_bulk_mail()
    {
        var message = Mail(from: "Northwind Weekly <weekly@news.contoso.example>", subject: "Your weekly round-up");
        message.Headers.Add("List-Id", "Contoso Weekly <weekly.news.contoso.example>");
        Assert.Equal(new MailClassification(MailKind.Bulk, "List-Id: Contoso Weekly <weekly.news.contoso.example>"), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void List_unsubscribe_alone_marks_bulk_mail()
    {
        var message = Mail(from: "Fabrikam Events <events@fabrikam.example>", subject: "Join our webinar on Thursday");
        message.Headers.Add("List-Unsubscribe", "<mailto:unsubscribe@fabrikam.example>, <https://fabrikam.example/unsubscribe?u=42>");
        Assert.Equal(new MailClassification(MailKind.Bulk, "List-Unsubscribe header (list or newsletter mail, RFC 2369)."), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void Auto_generated_newsletter_with_list_headers_is_bulk_not_an_auto_reply()
    {
        var message = Mail(from: "Contoso News <news@contoso.example>", subject: "This week at Contoso");
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("List-Unsubscribe", "<mailto:leave-news@contoso.example>");
        Assert.Equal(MailKind.Bulk, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void Vacation_reply_that_also_says_precedence_bulk_is_an_auto_reply()
    {
        // Vacation responders (RFC 5230 implementations, the Unix vacation program) often add Precedence: bulk.
        var message = Mail(subject: "Away: How do we price multi-year renewals?");
        message.Headers.Add("Auto-Submitted", "auto-replied");
        message.Headers.Add("Precedence", "bulk");
        Assert.Equal(new MailClassification(MailKind.AutoReply, "Auto-Submitted: auto-replied"), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void Built_in_sample_non_questions_get_their_declared_kind_and_the_newsletter_is_bulk()
    {
        var verdicts = global::SocialLearning.Experts.SampleDirectory.NonQuestions()
            .Select(n => (n.Kind, Verdict: MailClassifier.Classify(MimeMessage.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(n.Mime))), "ask@northwind.example")))
            .ToList();
        Assert.Equal(["AutoReply", "Bounce", "Bulk"], verdicts.Select(v => v.Kind));
        Assert.All(verdicts, v => Assert.Equal(v.Kind, v.Verdict.Kind.ToString()));
        Assert.Equal(new MailClassification(MailKind.Bulk, "Precedence: bulk"), verdicts[2].Verdict);
    }

    [Fact]
    public void Precedence_first_class_is_not_evidence()
    {
        var message = Mail();
        message.Headers.Add("Precedence", "first-class");
        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void Auto_response_suppress_alone_does_not_count()
    {
        var message = Mail();
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);
    }

    [Theory]
    [InlineData("Automatic reply: How do we price multi-year renewals?")]
    [InlineData("Out of Office: back on 12 May")]
    [InlineData("Réponse automatique : Question")]
    public void Automatic_reply_subjects_are_auto_replies(string subject)
    {
        Assert.Equal(MailKind.AutoReply, MailClassifier.Classify(Mail(subject: subject), Shared).Kind);
    }

    [Theory]
    [InlineData("MAILER-DAEMON@mx1.fabrikam.example")]
    [InlineData("postmaster@contoso.example")]
    public void Mail_delivery_system_senders_are_bounces(string from)
    {
        var verdict = MailClassifier.Classify(Mail(from: from, subject: "Your message"), Shared);
        Assert.Equal(MailKind.Bounce, verdict.Kind);
        Assert.Contains(from, verdict.Reason);
    }

    [Theory]
    [InlineData("Undeliverable: How do we price multi-year renewals?", "Undeliverable:")]
    [InlineData("Delivery Status Notification (Failure)", "Delivery Status Notification")]
    [InlineData("Mail delivery failed: returning message to sender", "Mail delivery failed")]
    public void Non_delivery_subjects_are_bounces(string subject, string prefix)
    {
        var verdict = MailClassifier.Classify(Mail(subject: subject), Shared);
        Assert.Equal(new MailClassification(MailKind.Bounce, $"Subject starts with \"{prefix}\"."), verdict);
    }

    [Fact]
    public void Reply_about_a_bounce_is_still_a_question()
    {
        Assert.Equal(MailKind.Question, MailClassifier.Classify(Mail(subject: "RE: Undeliverable: renewals"), Shared).Kind);
    }

    [Fact]
    public void Delivery_status_report_is_a_bounce_even_with_auto_submitted()
    {
        var message = Mail(from: "Mail Delivery System <mx@fabrikam.example>", subject: "Returned");
        message.Headers.Add("Auto-Submitted", "auto-replied");
        var report = new MultipartReport("delivery-status")
        {
            new TextPart("plain") { Text = "Your message could not be delivered." },
            new MessageDeliveryStatus(),
        };
        message.Body = report;
        Assert.Equal(new MailClassification(MailKind.Bounce, "multipart/report; report-type=delivery-status"), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void Delivery_status_part_inside_mixed_is_a_bounce()
    {
        var message = Mail(from: "gateway@fabrikam.example", subject: "Notice");
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "See report." }, new MessageDeliveryStatus() };
        Assert.Equal(MailKind.Bounce, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void Read_receipt_is_an_auto_reply()
    {
        var message = Mail(subject: "Read: How do we price multi-year renewals?");
        message.Body = new MultipartReport("disposition-notification")
        {
            new TextPart("plain") { Text = "Your message was displayed." },
            new MessageDispositionNotification(),
        };
        var verdict = MailClassifier.Classify(message, Shared);
        Assert.Equal(MailKind.AutoReply, verdict.Kind);
        Assert.Contains("disposition-notification", verdict.Reason);
    }

    [Fact]
    public void Abuse_feedback_report_is_an_auto_reply()
    {
        var message = Mail(from: "abuse@fabrikam.example", subject: "FW: report");
        message.Body = new MultipartReport("feedback-report") { new TextPart("plain") { Text = "Abuse report." }, new MessageFeedbackReport() };
        Assert.Equal(MailKind.AutoReply, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void Forwarded_bounce_attached_to_a_question_is_a_question()
    {
        var bounce = Mail(from: "MAILER-DAEMON@mx1.fabrikam.example", subject: "Undeliverable: renewals");
        bounce.Body = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "failed" }, new MessageDeliveryStatus() };
        var message = Mail(subject: "Why did my mail to Fabrikam bounce?");
        message.Body = new Multipart("mixed")
        {
            new TextPart("plain") { Text = "Can someone explain the attached bounce?" },
            new MessagePart { Message = bounce },
        };
        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void No_visible_text_and_no_subject_is_empty()
    {
        var verdict = MailClassifier.Classify(Mail(subject: "", body: "\n\n-- \nPriya Raman\nSales Operations"), Shared);
        Assert.Equal(new MailClassification(MailKind.Empty, "No visible text and no subject."), verdict);
    }

    [Fact]
    public void Subject_only_mail_is_still_a_question()
    {
        var verdict = MailClassifier.Classify(Mail(subject: "Who owns the EMEA price book?", body: "Sent from my iPhone"), Shared);
        Assert.Equal(MailKind.Question, verdict.Kind);
        Assert.Contains("Subject only", verdict.Reason);
    }

    [Fact]
    public void Blank_shared_address_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MailClassifier.Classify(Mail(), " "));
    }
    [Theory]
    [InlineData("REQUEST", "A text/calendar part with METHOD=REQUEST (a meeting invitation or update, RFC 5546), not a question.")]
    [InlineData("CANCEL", "A text/calendar part with METHOD=CANCEL (a meeting cancellation, RFC 5546), not a question.")]
    [InlineData("reply", "A text/calendar part with METHOD=REPLY (a meeting answer (accepted, declined or tentative), RFC 5546), not a question.")]
    public void Meeting_invitation_to_the_shared_address_is_calendar_mail_not_a_question(string method, string reason)
    {
        // As Outlook and Google Calendar send it: a text and an HTML alternative, and the iCalendar part with its method.
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("Priya Raman <priya.raman@contoso.example>"));
        message.To.Add(MailboxAddress.Parse(Shared));
        message.Subject = "Invitation: Renewals pricing review @ Thu 10:00";
        var calendar = new TextPart("calendar") { Text = "BEGIN:VCALENDAR\r\nMETHOD:" + method.ToUpperInvariant() + "\r\nBEGIN:VEVENT\r\nSUMMARY:Renewals pricing review\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" };
        calendar.ContentType.Parameters.Add("method", method);
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = "Can we go through the multi-year renewal prices? Agenda to follow." },
            new TextPart("html") { Text = "<p>Can we go through the multi-year renewal prices? Agenda to follow.</p>" },
            calendar,
        };

        Assert.Equal(new MailClassification(MailKind.Calendar, reason), MailClassifier.Classify(message, Shared));
    }

    [Fact]
    public void Question_with_an_ics_file_attached_is_still_a_question()
    {
        // A calendar file without an iTIP method is data the asker attached ("why does this invite show the wrong time?").
        var message = Mail(subject: "Why does this invite show the wrong time zone?");
        var ics = new MimePart("text", "calendar") { Content = new MimeContent(new MemoryStream("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"u8.ToArray())), FileName = "standup.ics" };
        message.Body = new Multipart("mixed") { new TextPart("plain") { Text = "The attached invite shows 09:00 UTC instead of CET for everyone in Oslo." }, ics };

        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);

        // Also when the attached invitation carries a method (an invite forwarded as a file): attached, so the asker's material.
        ics.ContentType.Parameters.Add("method", "REQUEST");
        ics.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = "standup.ics" };
        Assert.Equal(MailKind.Question, MailClassifier.Classify(message, Shared).Kind);
    }

    [Fact]
    public void Invitation_whose_method_is_only_in_the_calendar_text_is_calendar_mail()
    {
        var message = Mail(subject: "Invitation: VPN troubleshooting @ Thu 10 Dec 2026");
        message.Body = new MultipartAlternative
        {
            new TextPart("plain") { Text = "VPN troubleshooting session." },
            new TextPart("calendar") { Text = "BEGIN:VCALENDAR\r\nPRODID:-//Northwind//Calendar//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" },
        };

        Assert.Equal(new MailClassification(MailKind.Calendar, "A text/calendar part with METHOD=REQUEST (a meeting invitation or update, RFC 5546), not a question."),
            MailClassifier.Classify(message, Shared));
    }
}
