using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace SocialLearning.Intake;

/// <summary>
/// Makes the legacy mail charsets (ISO-2022-JP, Shift_JIS, GB2312, Big5, KOI8-R, windows-125x …) available to MimeKit's
/// decoders: .NET ships them in <see cref="CodePagesEncodingProvider"/> but registers only UTF-8/16/32, ASCII and Latin-1
/// by default, so a header such as <c>=?iso-2022-jp?B?…?=</c> would otherwise be decoded as raw bytes. Runs once when
/// the assembly loads, before any mail is parsed.
/// </summary>
internal static class LegacyCharsets
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "This assembly is the application; every entry point needs the encodings.")]
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
