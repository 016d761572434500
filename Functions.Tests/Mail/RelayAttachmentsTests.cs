using System.Buffers.Binary;
using MimeKit;
using SocialLearning.Mail;

namespace SocialLearning.Tests.Mail;

public sealed class RelayAttachmentsTests
{
    /// <summary>A PNG of <paramref name="width"/> × <paramref name="height"/>: signature, IHDR, then filler up to <paramref name="bytes"/>.</summary>
    private static byte[] Png(int width, int height, int bytes)
    {
        var png = new byte[Math.Max(bytes, 33)];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(png, 0);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        return png;
    }

    [Fact]
    public void Pixel_sizes_are_read_from_png_gif_and_jpeg_headers()
    {
        Assert.Equal((640, 82), RelayAttachments.PixelSize(Png(640, 82, 100)));
        var gif = "GIF89a"u8.ToArray().Concat(new byte[] { 0x2C, 0x01, 0x50, 0x00, 0, 0, 0 }).ToArray();
        Assert.Equal((300, 80), RelayAttachments.PixelSize(gif));
        // SOI, an APP0 segment of 16 bytes, then SOF0: length 17, precision 8, height 0x01E0 (480), width 0x0280 (640).
        var jpeg = new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10 }.Concat(new byte[14]).Concat(new byte[] { 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0xE0, 0x02, 0x80, 0x03 }).ToArray();
        Assert.Equal((640, 480), RelayAttachments.PixelSize(jpeg));
        Assert.Null(RelayAttachments.PixelSize("%PDF-1.4"u8));
    }

    [Fact]
    public void A_small_pasted_screenshot_is_relayed_and_a_signature_logo_is_not()
    {
        var builder = new BodyBuilder { TextBody = "This is the field to set in the PO:" };
        builder.LinkedResources.Add("image003.png", Png(520, 64, 12 * 1024), new ContentType("image", "png")).ContentId = "image003@northwind";
        builder.LinkedResources.Add("image004.png", Png(180, 48, 5 * 1024), new ContentType("image", "png")).ContentId = "image004@northwind";
        builder.HtmlBody = "<p>This is the field to set in the PO:</p><img src=\"cid:image003@northwind\"><p>Marcus<img src=\"cid:image004@northwind\"></p>";
        var mail = new MimeMessage { Body = builder.ToMessageBody() };

        var file = Assert.Single(RelayAttachments.Files(mail));
        Assert.Equal(("image003.png", 12 * 1024L), (RelayAttachments.Name(file.Part), file.Bytes));
    }
}
