using System.Security.Cryptography;
using System.Text;

namespace SocialLearning.Storage;

/// <summary>
/// Encodes arbitrary strings into Table Storage keys. PartitionKey and RowKey may not contain
/// <c>/ \ # ?</c> or control characters (U+0000–U+001F, U+007F–U+009F) and are at most 1 KiB
/// (source: "Understanding the Table service data model", Azure Storage docs).
/// </summary>
public static class KeyEncoding
{
    /// <summary>
    /// Percent-encodes the forbidden characters and <c>%</c> itself, so the encoding is reversible
    /// and two different inputs never share a key. Other characters pass through unchanged.
    /// </summary>
    /// <param name="value">Any string; null is not allowed.</param>
    /// <returns>A string safe to use as PartitionKey or RowKey.</returns>
    public static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? sb = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var bad = c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
            if (bad)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 16);
                sb.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? value;
    }

    /// <summary>Reverses <see cref="Encode"/>.</summary>
    public static string Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Contains('%')) return key;
        var sb = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '%' && i + 2 < key.Length)
            {
                sb.Append((char)Convert.ToInt32(key.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                sb.Append(key[i]);
            }
        }
        return sb.ToString();
    }

    /// <summary>
    /// Hex SHA-256 of <paramref name="value"/> (UTF-8), lower case, 64 characters. Used to key
    /// inbound mail by Internet Message-ID (RFC 5322 §3.6.4), which may hold any character.
    /// </summary>
    public static string Hash(string value) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}
