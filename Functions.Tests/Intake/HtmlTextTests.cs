using SocialLearning.Intake;
using Xunit;

namespace SocialLearning.Tests.Intake;

public class HtmlTextTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \n\t ")]
    public void Null_or_blank_html_gives_empty_text(string? html) => Assert.Equal("", HtmlText.ToText(html));

    [Fact]
    public void Paragraphs_are_separated_by_one_blank_line()
    {
        string html = "<p>First   paragraph\n spans\tlines.</p><p>Second.</p>\n\n<p></p><p>Third.</p>";
        Assert.Equal("First paragraph spans lines.\n\nSecond.\n\nThird.", HtmlText.ToText(html));
    }

    [Fact]
    public void Divs_and_br_start_new_lines_without_blank_lines()
    {
        string html = "<div>Hi Dana,</div><div>line one<br>line two</div><div><br></div><div>Regards</div>";
        Assert.Equal("Hi Dana,\nline one\nline two\n\nRegards", HtmlText.ToText(html));
    }

    [Fact]
    public void List_items_are_prefixed_and_nested_lists_indented()
    {
        string html = "<p>Steps:</p><ul><li>Open the <b>portal</b></li><li>Pick a team<ol><li>Sales</li><li>Support</li></ol></li></ul><p>Done.</p>";
        Assert.Equal("Steps:\n\n- Open the portal\n- Pick a team\n  - Sales\n  - Support\n\nDone.", HtmlText.ToText(html));
    }

    [Fact]
    public void Entities_are_decoded_and_no_break_spaces_collapse()
    {
        string html = "<p>Tom &amp; Jerry&nbsp;&nbsp;say &lt;hi&gt; &#8212; caf&eacute; &quot;ok&quot; &#x1F600;</p>";
        Assert.Equal("Tom & Jerry say <hi> — café \"ok\" 😀", HtmlText.ToText(html));
    }

    [Fact]
    public void Script_style_and_head_are_dropped()
    {
        string html = "<html><head><title>Mail</title><style>p{color:red}</style></head>" +
                      "<body><script>alert('x')</script><p>Visible</p><noscript>no js</noscript></body></html>";
        Assert.Equal("Visible", HtmlText.ToText(html));
    }

    [Fact]
    public void Pre_and_code_keep_white_space_verbatim()
    {
        string html = "<p>Run <code>git  log   --oneline</code> then:</p><pre><code>for (int i = 0; i &lt; 3; i++)\n    Console.WriteLine(i);\n</code></pre><p>Thanks</p>";
        Assert.Equal("Run git  log   --oneline then:\n\nfor (int i = 0; i < 3; i++)\n    Console.WriteLine(i);\n\nThanks", HtmlText.ToText(html));
    }

    [Fact]
    public void Headings_and_blockquotes_are_paragraphs()
    {
        string html = "<h1>Title</h1>Intro text<blockquote><p>Quoted advice.</p></blockquote><h2>Next</h2>";
        Assert.Equal("Title\n\nIntro text\n\nQuoted advice.\n\nNext", HtmlText.ToText(html));
    }

    [Fact]
    public void Table_rows_are_lines_and_cells_are_tab_separated()
    {
        string html = "<table><tr><th>Region</th><th>Owner</th></tr><tr><td>EMEA</td><td>Ada Fischer</td></tr></table>";
        Assert.Equal("Region\tOwner\nEMEA\tAda Fischer", HtmlText.ToText(html));
    }

    [Fact]
    public void Stack_Exchange_post_body_reads_naturally()
    {
        string html = "<p>How do I merge two <code>Dictionary&lt;string, int&gt;</code> instances?</p>\n\n" +
                      "<p>I tried:</p>\n\n<pre><code>var merged = a.Concat(b);\n</code></pre>\n\n<p>but it throws on duplicate keys.</p>\n";
        Assert.Equal("How do I merge two Dictionary<string, int> instances?\n\nI tried:\n\nvar merged = a.Concat(b);\n\nbut it throws on duplicate keys.",
            HtmlText.ToText(html));
    }

    [Fact]
    public void Deeply_nested_markup_does_not_overflow_the_stack()
    {
        string html = string.Concat(Enumerable.Repeat("<span>", 20_000)) + "deep" + string.Concat(Enumerable.Repeat("</span>", 20_000));
        Assert.Equal("deep", HtmlText.ToText(html));
    }
}
