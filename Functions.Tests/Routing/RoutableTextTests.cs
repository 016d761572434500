using SocialLearning.Routing;

namespace SocialLearning.Tests.Routing;

public sealed class RoutableTextTests
{
    [Fact]
    public void Quick_question_with_no_body_has_no_content_words_and_too_little_text_to_route()
    {
        Assert.Empty(RoutableText.ContentWords("Quick question", ""));
        Assert.Equal("too little text to route: 0 content words in subject and body (at least 2 needed)",
            RoutableText.TooLittleReason("Quick question", ""));
    }

    [Fact]
    public void One_topic_word_is_too_little_and_the_reason_names_it()
    {
        Assert.Equal(["expense"], RoutableText.ContentWords("Expenses?", "Hi, please help. Thanks!"));
        Assert.Equal("too little text to route: 1 content word in subject and body (expense; at least 2 needed)",
            RoutableText.TooLittleReason("Expenses?", "Hi, please help. Thanks!"));
    }

    [Fact]
    public void A_chinese_question_written_without_spaces_counts_its_character_bigrams()
    {
        // "How do I reset my VPN token?" — runs of Han characters around the Latin "VPN".
        Assert.Null(RoutableText.TooLittleReason("", "如何重置我的VPN令牌？"));
        Assert.Equal(["如何", "何重", "重置", "置我", "我的", "vpn", "令牌"], RoutableText.ContentWords("", "如何重置我的VPN令牌？"));
        // "Reimbursement?" — one two-character word is still too little, as "Expenses?" is.
        Assert.Equal("too little text to route: 1 content word in subject and body (报销; at least 2 needed)", RoutableText.TooLittleReason("报销？", ""));
        // A 46-character sentence without punctuation was once one token, dropped for its length: "0 content words".
        const string longSentence = "我们部门的新员工在使用公司内部报销系统提交差旅费用时总是遇到同一个错误提示请问应该怎么解决这个问题";
        Assert.True(longSentence.Length > SocialLearning.Matching.Bm25Tokenizer.MaxTokenLength);
        Assert.Null(RoutableText.TooLittleReason("", longSentence));
        Assert.Equal(longSentence.Length - 1, RoutableText.ContentWords("", longSentence).Count);
    }

    [Fact]
    public void A_signature_with_the_askers_own_name_is_not_content()
    {
        // Without the asker's name the signature would count as three content words and the mail would be ranked.
        Assert.Equal(3, RoutableText.ContentWords("Help please", "Hi,\n\nThanks,\nPieter de Vries").Count); // pieter, de, vries
        Assert.Empty(RoutableText.ContentWords("Help please", "Hi,\n\nThanks,\nPieter de Vries", "Pieter de Vries", "pieter.devries@northwind.example"));
        Assert.NotNull(RoutableText.TooLittleReason("Help please", "Hi,\n\nThanks,\nPieter de Vries", "Pieter de Vries", "pieter.devries@northwind.example"));
    }

    [Fact]
    public void Short_real_questions_have_enough_text_to_route()
    {
        Assert.Equal(["reset", "vpn", "token"], RoutableText.ContentWords("How do I reset my VPN token?", ""));
        Assert.Null(RoutableText.TooLittleReason("How do I reset my VPN token?", ""));
        Assert.Equal(["parental", "leave"], RoutableText.ContentWords("Parental leave question", ""));
        Assert.Null(RoutableText.TooLittleReason("Parental leave question", ""));
        // Subject empty, the question in the body only.
        Assert.Null(RoutableText.TooLittleReason("", "Who approves refunds for damaged pallets?"));
    }

    [Fact]
    public void Repeated_words_count_once()
    {
        Assert.Equal(["vpn"], RoutableText.ContentWords("VPN", "vpn VPN vpn!!"));
        Assert.NotNull(RoutableText.TooLittleReason("VPN", "vpn VPN vpn!!"));
    }

    [Fact]
    public void Every_question_of_the_built_in_sample_has_enough_text_in_its_subject_alone()
    {
        var questions = SocialLearning.Experts.SampleDirectory.Questions();
        Assert.Equal(33, questions.Count);
        Assert.All(questions, q => Assert.True(RoutableText.ContentWords(q.Subject, "").Count >= RoutableText.MinContentWords, q.Subject));
    }

    [Fact]
    public void A_giant_single_word_is_named_as_not_counted_rather_than_read_as_an_empty_mail()
    {
        var word = string.Concat(Enumerable.Repeat("abcdefghij", 10_000));

        Assert.Equal("too little text to route: 0 content words in subject and body (1 word longer than 40 characters not counted; at least 2 needed)",
            RoutableText.TooLittleReason("", word));
        Assert.Equal("too little text to route: 1 content word in subject and body (invoice; 2 words longer than 40 characters not counted; at least 2 needed)",
            RoutableText.TooLittleReason("Invoice", word + " " + word));
    }

    [Fact]
    public void The_services_note_naming_a_questions_files_is_not_the_askers_text()
    {
        // From a README-only user run: a mail with only a screenshot became a knowledge gap (the note's words counted as
        // content), and "attached" was shown as a matched term.
        var note = SocialLearning.Intake.MailText.AttachmentNotePrefix + "error.png]";
        Assert.Equal("too little text to route: 1 content word in subject and body (screenshot; at least 2 needed)", RoutableText.TooLittleReason("Fw: screenshot", note));
        Assert.Equal("Can we sign this NDA as is?", SocialLearning.Intake.MailText.WithoutAttachmentNote("Can we sign this NDA as is?\n\n" + SocialLearning.Intake.MailText.AttachmentNotePrefix + "nda draft.pdf]"));
        Assert.DoesNotContain("attached", SocialLearning.Routing.QuestionRouter.LexicalText("NDA", "Can we sign it?\n\n" + note), StringComparison.Ordinal);
        Assert.DoesNotContain("attached", SocialLearning.Routing.QuestionRouter.QueryText("NDA", "Can we sign it?\n\n" + note), StringComparison.Ordinal);
    }
}
