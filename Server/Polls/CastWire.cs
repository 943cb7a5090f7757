using System.Text.Json;
using CongressVote.Shared;

namespace CongressVote.Server.Polls;

/// <summary>
/// Reads a cast as it arrives on the wire, strictly. The serializer would turn a missing choice into Yes, "1" or
/// "Yes, No" into No, and a null or a wrong type into a generic hub error the tablet cannot explain; here each of
/// those is a typed refusal that stores nothing and leaves the connection usable.
/// </summary>
public static class CastWire
{
    private const int MaxKept = 500;

    public static (CastRequest? Request, CastStatus? Refusal) Parse(JsonElement? message)
    {
        if (message is not { ValueKind: JsonValueKind.Object } body)
        {
            return (null, CastStatus.InvalidBallot);
        }

        Guid? pollId = null, key = null, onBehalfOf = null;
        JsonElement? choice = null;
        List<int>? kept = null;
        string? receipt = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!seen.Add(property.Name))
            {
                return (null, CastStatus.InvalidBallot);
            }

            var value = property.Value;
            switch (property.Name)
            {
                case "pollId" when TryGuid(value, out var id):
                    pollId = id;
                    break;
                case "key" when TryGuid(value, out var id) && id != Guid.Empty:
                    // A key is what makes a retry safe; a missing one cannot be told apart from a second vote.
                    key = id;
                    break;
                case "onBehalfOf" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "onBehalfOf" when TryGuid(value, out var id):
                    onBehalfOf = id;
                    break;
                case "choice":
                    choice = value;
                    break;
                case "kept" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "kept" when value.ValueKind == JsonValueKind.Array && value.GetArrayLength() <= MaxKept:
                    kept = [];
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int position))
                        {
                            return (null, CastStatus.InvalidBallot);
                        }

                        kept.Add(position);
                    }

                    break;
                case "receipt" when value.ValueKind == JsonValueKind.Null:
                    break;
                case "receipt" when value.ValueKind == JsonValueKind.String:
                    receipt = value.GetString();
                    break;
                default:
                    return (null, CastStatus.InvalidBallot);
            }
        }

        if (pollId is null || key is null)
        {
            return (null, CastStatus.InvalidBallot);
        }

        // A motion's ballot names exactly one option. An election's ballot is its list of kept names; a choice
        // sent with it, if any, must still be an option's name, and is not used.
        VoteChoice? option = choice is { ValueKind: JsonValueKind.String } c ? OptionNamed(c.GetString()) : null;
        bool choiceAbsent = choice is null or { ValueKind: JsonValueKind.Null };
        if (kept is null ? option is null : !choiceAbsent && option is null)
        {
            return (null, kept is null ? CastStatus.InvalidChoice : CastStatus.InvalidBallot);
        }

        return (new CastRequest(pollId.Value, option ?? VoteChoice.Yes, key.Value, onBehalfOf, kept, receipt), null);
    }

    private static VoteChoice? OptionNamed(string? name) => name switch
    {
        nameof(VoteChoice.Yes) => VoteChoice.Yes,
        nameof(VoteChoice.No) => VoteChoice.No,
        nameof(VoteChoice.Abstain) => VoteChoice.Abstain,
        _ => null,
    };

    private static bool TryGuid(JsonElement value, out Guid id)
    {
        id = Guid.Empty;
        return value.ValueKind == JsonValueKind.String && Guid.TryParseExact(value.GetString(), "D", out id);
    }
}
