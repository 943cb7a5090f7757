using System.Text.Json;
using System.Text.Json.Serialization;

namespace CongressVote.Shared;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CastRequest))]
[JsonSerializable(typeof(CastResult))]
[JsonSerializable(typeof(StaffLoginRequest))]
[JsonSerializable(typeof(TokenLoginRequest))]
[JsonSerializable(typeof(SessionDto))]
[JsonSerializable(typeof(CongressSnapshotDto))]
[JsonSerializable(typeof(PollDto))]
[JsonSerializable(typeof(TallyDto))]
[JsonSerializable(typeof(ProblemMessage))]
public sealed partial class CongressJsonContext : JsonSerializerContext;
