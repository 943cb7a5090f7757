using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CongressVote.Server.Delegates;

/// <summary>
/// Badge tokens: 128 random bits, written as 22 base64url characters so they fit a URL and a small QR code.
/// Only the SHA-256 of a token is stored (docs/architecture.md §5).
/// </summary>
public static class BadgeTokens
{
    public const int Length = 22;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    public static bool IsWellFormed(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
