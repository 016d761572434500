using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace SocialLearning.Intake;

/// <summary>Converts HTML (mail bodies, Stack Exchange post bodies) to readable plain text.</summary>
/// <remarks>
/// Parsing follows the WHATWG HTML parsing algorithm through AngleSharp, so malformed markup and all named
/// and numeric character references are handled the way a browser would. Output rules:
/// <list type="bullet">
/// <item><c>p</c>, <c>h1</c>–<c>h6</c>, <c>blockquote</c>, <c>pre</c>, <c>ul</c>, <c>ol</c>, <c>dl</c>, <c>table</c>,
/// <c>hr</c> and similar blocks are paragraphs, separated by one blank line;</item>
/// <item><c>div</c>, <c>tr</c>, <c>li</c>, <c>dt</c>, <c>dd</c> and other block containers start a new line,
/// <c>br</c> is a line break; table cells on one row are separated by a tab;</item>
/// <item>list items are prefixed with <c>"- "</c>, indented by two spaces per nesting level;</item>
/// <item>white space inside ordinary text collapses to one space (no-break spaces included);
/// the text of <c>pre</c>, <c>code</c>, <c>textarea</c> and <c>listing</c> is kept verbatim;</item>
/// <item><c>head</c>, <c>script</c>, <c>style</c>, <c>template</c>, <c>noscript</c>, <c>svg</c>, <c>math</c> and
/// embedded objects are dropped; images contribute nothing;</item>
/// <item>no more than one blank line appears in a row outside verbatim text; trailing spaces are removed
/// from lines outside verbatim text; the result is trimmed and uses <c>\n</c> line endings.</item>
/// </list>
/// </remarks>
public static class HtmlText
{
    /// <summary>Elements whose whole subtree is ignored.</summary>
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal)
    {
        "head", "script", "style", "template", "noscript", "title", "meta", "link", "base", "svg", "math",
        "object", "embed", "iframe", "frame", "frameset", "audio", "video", "canvas", "map", "img", "input",
        "select", "button", "datalist",
    };

    /// <summary>Elements rendered as a paragraph: a blank line before and after.</summary>
    private static readonly HashSet<string> Paragraphs = new(StringComparer.Ordinal)
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "listing", "xmp", "ul", "ol", "dl",
        "table", "figure", "address", "fieldset", "menu",
    };

    /// <summary>Elements rendered on lines of their own.</summary>
    private static readonly HashSet<string> Lines = new(StringComparer.Ordinal)
    {
        "div", "tr", "dt", "dd", "section", "article", "header", "footer", "main", "nav", "aside", "center",
        "form", "details", "summary", "caption", "figcaption", "thead", "tbody", "tfoot", "body", "html",
        "legend", "hgroup", "search",
    };

    /// <summary>Elements whose text is kept verbatim (no white-space collapsing).</summary>
    private static readonly HashSet<string> Verbatim = new(StringComparer.Ordinal)
    {
        "pre", "code", "textarea", "listing", "xmp", "plaintext", "samp", "kbd",
    };

    /// <summary>Returns the readable plain text of <paramref name="html"/>.</summary>
    /// <param name="html">An HTML document or fragment (for example a mail's <c>text/html</c> part or a Stack
    /// Exchange <c>Body</c> attribute); <c>null</c>, empty or white space gives <c>""</c>.</param>
    /// <returns>Plain text with <c>\n</c> line endings, paragraphs separated by one blank line, list items
    /// prefixed with <c>"- "</c> and character references decoded; never <c>null</c>.</returns>
    public static string ToText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html)) return string.Empty;
        return ToText(Parse(html));
    }

    /// <summary>Parses <paramref name="html"/> into a detached AngleSharp document (a new parser per call, so
    /// concurrent callers share no state).</summary>
    internal static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    /// <summary>Renders an already parsed (and possibly pruned) document with the rules of <see cref="ToText(string?)"/>.</summary>
    internal static string ToText(IDocument document)
    {
        INode root = (INode?)document.Body ?? document.DocumentElement;
        var writer = new Writer();
        Render(root, writer);
        return writer.ToString();
    }

    /// <summary>Walks the tree iteratively (no recursion, so deeply nested mail HTML cannot overflow the stack).</summary>
    private static void Render(INode root, Writer writer)
    {
        var stack = new Stack<(INode Node, bool Exit)>();
        stack.Push((root, false));
        while (stack.Count > 0)
        {
            var (node, exit) = stack.Pop();
            if (node is IText text)
            {
                writer.Text(text.Data);
                continue;
            }

            if (node is not IElement element)
            {
                continue;
            }

            string name = element.LocalName;
            if (exit)
            {
                Leave(name, writer);
                continue;
            }

            if (Dropped.Contains(name))
            {
                continue;
            }

            Enter(element, name, writer);
            stack.Push((node, true));
            for (int c = node.ChildNodes.Length - 1; c >= 0; c--)
            {
                stack.Push((node.ChildNodes[c], false));
            }
        }
    }

    private static void Enter(IElement element, string name, Writer writer)
    {
        if (Verbatim.Contains(name)) writer.VerbatimDepth++;
        switch (name)
        {
            case "br":
                writer.LineBreak();
                return;
            case "hr":
                writer.Block(2);
                return;
            case "ul":
            case "ol":
            case "menu":
                writer.Block(writer.ListDepth > 0 ? 1 : 2);
                writer.ListDepth++;
                return;
            case "li":
                writer.Block(1);
                writer.Prefix(new string(' ', 2 * Math.Max(0, writer.ListDepth - 1)) + "- ");
                return;
            case "td":
            case "th":
                if (element.PreviousElementSibling is not null) writer.Cell();
                return;
            case "p" when writer.ListDepth > 0:
                writer.Block(1);
                return;
        }

        if (Paragraphs.Contains(name)) writer.Block(2);
        else if (Lines.Contains(name)) writer.Block(1);
    }

    private static void Leave(string name, Writer writer)
    {
        if (Verbatim.Contains(name)) writer.VerbatimDepth--;
        switch (name)
        {
            case "ul":
            case "ol":
            case "menu":
                writer.ListDepth--;
                writer.Block(writer.ListDepth > 0 ? 1 : 2);
                return;
            case "li":
                writer.Block(1);
                return;
            case "p" when writer.ListDepth > 0:
                writer.Block(1);
                return;
        }

        if (Paragraphs.Contains(name)) writer.Block(2);
        else if (Lines.Contains(name)) writer.Block(1);
    }

    /// <summary>Accumulates text, deferring line breaks so that nested blocks never produce runs of blank lines.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder _text = new();
        private int _pendingBreaks;
        private bool _pendingSpace;
        private string? _pendingPrefix;

        public int ListDepth { get; set; }

        public int VerbatimDepth { get; set; }

        /// <summary>Requests <paramref name="breaks"/> line breaks (1 = new line, 2 = blank line) before the next text.</summary>
        public void Block(int breaks)
        {
            _pendingBreaks = Math.Max(_pendingBreaks, breaks);
            _pendingSpace = false;
        }

        public void LineBreak()
        {
            FlushBreaks();
            TrimLineEnd();
            if (TrailingNewlines() < 2) _text.Append('\n');
            _pendingSpace = false;
        }

        public void Prefix(string prefix) => _pendingPrefix = prefix;

        public void Cell()
        {
            if (_text.Length > 0 && _text[^1] != '\n' && _pendingBreaks == 0)
            {
                TrimLineEnd();
                _text.Append('\t');
                _pendingSpace = false;
            }
        }

        public void Text(string data)
        {
            if (data.Length == 0) return;
            if (VerbatimDepth > 0)
            {
                Flush();
                _text.Append(data.Replace("\r\n", "\n").Replace('\r', '\n'));
                return;
            }

            foreach (char c in data)
            {
                if (char.IsWhiteSpace(c))
                {
                    _pendingSpace = true;
                    continue;
                }

                Flush();
                _text.Append(c);
            }
        }

        private void Flush()
        {
            FlushBreaks();
            if (_pendingPrefix is not null)
            {
                _text.Append(_pendingPrefix);
                _pendingPrefix = null;
                _pendingSpace = false;
            }

            if (_pendingSpace)
            {
                if (_text.Length > 0 && _text[^1] != '\n' && _text[^1] != ' ' && _text[^1] != '\t') _text.Append(' ');
                _pendingSpace = false;
            }
        }

        private void FlushBreaks()
        {
            if (_pendingBreaks == 0) return;
            if (_text.Length > 0)
            {
                TrimLineEnd();
                int have = TrailingNewlines();
                for (int k = have; k < _pendingBreaks; k++) _text.Append('\n');
            }

            _pendingBreaks = 0;
            _pendingSpace = false;
        }

        private void TrimLineEnd()
        {
            int end = _text.Length;
            while (end > 0 && (_text[end - 1] == ' ' || _text[end - 1] == '\t')) end--;
            _text.Length = end;
        }

        private int TrailingNewlines()
        {
            int count = 0;
            for (int p = _text.Length - 1; p >= 0 && _text[p] == '\n'; p--) count++;
            return count;
        }

        public override string ToString() => _text.ToString().Trim();
    }
}
