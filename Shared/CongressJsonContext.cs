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
[JsonSerializable(typeof(DelegateDto))]
[JsonSerializable(typeof(DelegateEditDto))]
[JsonSerializable(typeof(DelegateListDto))]
[JsonSerializable(typeof(DelegateSummaryDto))]
[JsonSerializable(typeof(ImportReportDto))]
[JsonSerializable(typeof(BadgeSheetRequest))]
[JsonSerializable(typeof(ScanRequest))]
[JsonSerializable(typeof(ScanResultDto))]
[JsonSerializable(typeof(ExcuseRequest))]
[JsonSerializable(typeof(AttendanceDto))]
[JsonSerializable(typeof(CredentialsReportDto))]
[JsonSerializable(typeof(OpenPollRequest))]
[JsonSerializable(typeof(DelegateLoginRequest))]
[JsonSerializable(typeof(DelegateLoginResultDto))]
[JsonSerializable(typeof(HelpDeskDto))]
public sealed partial class CongressJsonContext : JsonSerializerContext;
