using System.Text;
using System.Text.Json;
using CongressVote.Shared;

namespace CongressVote.LoadGen;

/// <summary>
/// The SignalR JSON hub protocol as <see cref="LeanTablets"/> speak it: text records ended by 0x1E, a handshake,
/// invocations (type 1), completions (type 3), pings (type 6), close (type 7). The server's payloads are camelCase
/// with enums as names (CongressJsonContext), so a cast's answer reads {"status":"Recorded",...}.
/// </summary>
internal static class HubWire
{
    public const byte RecordSeparator = 0x1e;
    public const int Completion = 3;

    public static readonly byte[] Handshake = "{\"protocol\":\"json\",\"version\":1}\u001e"u8.ToArray();
    public static readonly byte[] Ping = "{\"type\":6}\u001e"u8.ToArray();
    public static readonly byte[] SnapshotCall = "{\"type\":1,\"invocationId\":\"s\",\"target\":\"Snapshot\",\"arguments\":[]}\u001e"u8.ToArray();

    // The server writes "type" first: a push to the tablet (type 1) is skipped without being parsed.
    private static readonly byte[] s_pushPrefix = "{\"type\":1,"u8.ToArray();

    /// <summary>Which of a tablet's calls a completion answers: its invocation id says.</summary>
    public enum Call
    {
        Other,
        Cast,
        Snapshot,
    }

    public readonly record struct Answer(int Type, Call To, bool Recorded, string? Refusal);

    /// <summary>A ballot as the hub's Cast reads it (Server/Polls/CastWire.cs), ready to send as it is.</summary>
    public static byte[] CastFrame(Guid pollId, VoteChoice choice, Guid key) => Encoding.UTF8.GetBytes(
        $"{{\"type\":1,\"invocationId\":\"c\",\"target\":\"Cast\",\"arguments\":[{{\"pollId\":\"{pollId:D}\",\"choice\":\"{choice}\",\"key\":\"{key:D}\"}}]}}\u001e");

    /// <summary>
    /// One record, without its separator: {"type":3,"invocationId":"c","result":{"status":"Recorded",...}} or
    /// {"type":3,"invocationId":"c","error":"..."}; anything else only by its type.
    /// </summary>
    public static Answer Read(ReadOnlySpan<byte> record)
    {
        if (record.StartsWith(s_pushPrefix))
        {
            return new Answer(1, Call.Other, false, null);
        }

        var reader = new Utf8JsonReader(record);
        int type = 0;
        var to = Call.Other;
        bool recorded = false;
        string? refusal = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                type = reader.GetInt32();
            }
            else if (reader.ValueTextEquals("invocationId"u8))
            {
                reader.Read();
                to = reader.ValueTextEquals("c"u8) ? Call.Cast : reader.ValueTextEquals("s"u8) ? Call.Snapshot : Call.Other;
            }
            else if (reader.ValueTextEquals("result"u8) && to == Call.Cast)
            {
                reader.Read();
                (recorded, refusal) = ReadStatus(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                refusal = "hub error: " + reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new Answer(type, to, recorded, refusal);
    }

    private static (bool Recorded, string? Refusal) ReadStatus(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return (false, "no status");
        }

        (bool, string?) answer = (false, "no status");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isStatus = reader.ValueTextEquals("status"u8);
            reader.Read();
            if (isStatus)
            {
                answer = reader.ValueTextEquals("Recorded"u8) ? (true, null) : (false, reader.GetString());
            }
            else
            {
                reader.Skip();
            }
        }

        return answer;
    }
}
