using SocialLearning.Intake;

namespace SocialLearning.Tests.Intake;

public sealed class ReplyCommandsTests
{
    [Theory]
    // The word with a signature of name, title and phone (no "-- " line, so nothing strips it before).
    [InlineData("Pass\nGrace Okafor\nIT Service Desk | Northwind\n+31 10 555 0100", "pass")]
    [InlineData("Pause\nKind regards,\nJohn Doe\nPhone: +1 555 0100", "pause")]
    [InlineData("pass pass", "pass")]
    [InlineData("Pause\nJohn Doe | Finance\nThis e-mail and any attachments are confidential and intended solely for the addressee. If you are not the intended recipient, delete it.", "pause")]
    [InlineData("Pause bitte, ich bin bis Januar im Urlaub.", "pause")]
    [InlineData("Pass, merci", "pass")]
    // Refusals in other words.
    [InlineData("I'll pass on this one, sorry.", "pass")]
    [InlineData("I\u2019ll pass", "pass")]
    [InlineData("Not me, sorry.", "pass")]
    [InlineData("Not my area", "pass")]
    [InlineData("Can't help, sorry", "pass")]
    [InlineData("Sorry, I don't know", "pass")]
    [InlineData("I don't know, sorry\n\nSam", "pass")]
    [InlineData("No idea, sorry.", "pass")]
    [InlineData("I'm not the right person for this one.", "pass")]
    [InlineData("Not my area.\nBest regards,\nTom Berger\nFinance | Northwind", "pass")]
    // An away note without the word is a pass on this question, not a pause.
    [InlineData("I'm on vacation until January 4th.", "pass")]
    [InlineData("I am out of the office this week, sorry", "pass")]
    // A greeting line first, "I'm afraid", "with this one", "isn't really my area", "pause until …".
    [InlineData("Hi,\n\nI'm afraid I don't know, sorry.\n\nBest regards,\nDaniel", "pass")]
    [InlineData("Hi team,\n\npass on this one, sorry.\n\nCheers,\nIn\u00e8s", "pass")]
    [InlineData("Sorry, I can't help with this one.", "pass")]
    [InlineData("This isn't really my area, sorry.", "pass")]
    [InlineData("Pause until January please", "pause")]
    [InlineData("Please stop emailing me about this kind of thing.\n\nBenedikt", "stop")]
    [InlineData("Please take me off this list.", "stop")]
    // Plain requests for nothing more.
    [InlineData("Please don't send me any more of these.", "stop")]
    [InlineData("Unsubscribe me please", "stop")]
    [InlineData("Please remove me from this list", "stop")]
    [InlineData("Opt me out", "stop")]
    public void Refusals_in_the_words_people_use_are_commands(string reply, string command) =>
        Assert.Equal(command, ReplyCommands.Classify(reply));

    [Theory]
    [InlineData("Not my area, but restart the router and the drops stop: it is the DHCP lease.")]
    [InlineData("Not my area\nbut the VPN profile for home users is the TCP one on the intranet;\nswitch to it and the drops stop for good.")]
    [InlineData("I don't know the exact rule, but Finance signs off refunds above 500 EUR.")]
    [InlineData("Stop\nThe VPN service has to be stopped before the update:\nrun 'net stop vpnsvc' as admin.\nThen start it again.")]
    [InlineData("Pass\nWhich VPN client do you use?")]
    [InlineData("Pass\nThe confidential salary bands are on the HR portal under Compensation > Bands > 2026 for every grade.")]
    [InlineData("Pass\nSteps:\n1. open settings")]
    [InlineData("Don't send me the logs, send them to the service desk.")]
    [InlineData("Remove the old profile first, then import the new one.")]
    [InlineData("Away from the desk, the phone app is the quickest: Settings > VPN > TCP.")]
    [InlineData("I'm on holiday, but the answer is in the travel policy, section 4.2: economy below six hours?")]
    [InlineData("No idea why it fails for you; it works here with the TCP profile and MFA on.")]
    [InlineData("Stop-gap: use the guest network SSID NW-Guest with today's code from reception.")]
    [InlineData("Pass-through authentication is on; sign in with your normal account.")]
    [InlineData("Stop until the update finishes, then restart the VPN client.")]
    [InlineData("Hello world programs fail too\nthe compiler is missing from the image")]
    public void Answers_that_start_like_a_refusal_stay_answers(string reply) =>
        Assert.Null(ReplyCommands.Classify(reply));

    [Theory]
    [InlineData("pause please", "pause")]
    [InlineData("Pause please, I'm on holiday until January.\n\nGrace", "pause")]
    [InlineData("Please pause my requests", "pause")]
    [InlineData("Sorry, pass.", "pass")]
    [InlineData("OK, stop. Thanks", "stop")]
    [InlineData("pass for now", "pass")]
    [InlineData("I'm away, please pause", "pause")]
    [InlineData("Not my area — pass.\n\nTom", "pass")]
    [InlineData("On leave until March; pause please.", "pause")]
    [InlineData("Sorry, not my field, so pass", "pass")]
    [InlineData("Hit play, then pause.", null)]
    [InlineData("Press pause on the sync client, then sign out.", null)]
    [InlineData("Reinstall the driver, reboot, stop.", null)]
    [InlineData("Pass the --tcp flag to the client and it stays up.", null)]
    [InlineData("Please stop the VPN service first, then start it again.", null)]
    [InlineData("Pause the sync in OneDrive, then sign out and back in.", null)]
    [InlineData("Sorry for the delay: the expense form is on the intranet under Finance.", null)]
    public void Polite_command_replies_are_commands_and_answers_that_start_with_the_word_are_not(string reply, string? command) =>
        Assert.Equal(command, ReplyCommands.Classify(reply));
}
