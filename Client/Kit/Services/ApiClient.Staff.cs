using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CongressVote.Shared;

namespace CongressVote.Client.Services;

/// <summary>
/// The staff pages' calls: the desks, the registry, the agenda and motions, elections and dossiers, documents,
/// settings and the audit trail.
/// </summary>
public sealed partial class ApiClient
{
    public Task<ApiResult<ScanResultDto>> ScanAsync(ScanRequest request) =>
        PostAsync("/api/checkin/scan", request, Json.ScanRequest, Json.ScanResultDto);

    public Task<ApiResult<ScanResultDto>> CheckOutAsync(Guid delegateId, string desk) =>
        PostAsync("/api/checkin/checkout", new ScanRequest(null, delegateId, desk), Json.ScanRequest, Json.ScanResultDto);

    public Task<ApiResult<ScanResultDto>> ExcuseAsync(Guid delegateId, string? reason, string desk) =>
        PostAsync("/api/checkin/excuse", new ExcuseRequest(delegateId, reason, desk), Json.ExcuseRequest, Json.ScanResultDto);

    public Task<CredentialsReportDto?> CredentialsReportAsync() => GetAsync("/api/attendance/report", Json.CredentialsReportDto);

    public Task<HelpDeskDto?> HelpDeskAsync() => GetAsync("/api/helpdesk", Json.HelpDeskDto);

    public Task<ApiResult<bool>> ApproveDeviceAsync(Guid requestId) => SendNoContentAsync(() => http.PostAsync($"/api/helpdesk/requests/{requestId}/approve", EmptyJson()));

    public Task<ApiResult<bool>> PurgeRehearsalsAsync() => SendNoContentAsync(() => http.PostAsync("/api/polls/rehearsals/purge", EmptyJson()));

    public Task<ApiResult<bool>> RefuseDeviceAsync(Guid requestId) => SendNoContentAsync(() => http.PostAsync($"/api/helpdesk/requests/{requestId}/refuse", EmptyJson()));

    public Task<List<StaffAccountDto>?> StaffAsync() => GetAsync("/api/staff", Json.ListStaffAccountDto);

    public Task<ApiResult<StaffAccountDto>> SaveStaffAsync(Guid? id, StaffEditDto edit) =>
        SaveAsync(id, "/api/staff", edit, Json.StaffEditDto, Json.StaffAccountDto);

    public Task<CongressSettingsDto?> CongressAsync() => GetAsync("/api/congress", Json.CongressSettingsDto);

    public Task<ApiResult<CongressSettingsDto>> SaveCongressAsync(CongressSettingsDto settings) =>
        SendAsync(() => http.PutAsJsonAsync("/api/congress", settings, Json.CongressSettingsDto), Json.CongressSettingsDto);

    /// <summary>The status page's lines, read as a document: a contract of their own would add to every tablet's download.</summary>
    public async Task<JsonDocument?> StatusAsync()
    {
        try
        {
            return JsonDocument.Parse(await http.GetStringAsync("/api/status"));
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    public Task<List<RecordDocumentDto>?> DocumentsAsync() => GetAsync("/api/documents", Json.ListRecordDocumentDto);

    public Task<DocumentHeadingDto?> DocumentHeadingAsync() => GetAsync("/api/documents/heading", Json.DocumentHeadingDto);

    public Task<ApiResult<DocumentHeadingDto>> SaveDocumentHeadingAsync(DocumentHeadingDto heading) =>
        SendAsync(() => http.PutAsJsonAsync("/api/documents/heading", heading, Json.DocumentHeadingDto), Json.DocumentHeadingDto);

    public Task<ApiResult<string>> NewProjectorLinkAsync() => PostAsync("/api/congress/projector-link", Json.String);

    public Task<ApiResult<ProjectorStateDto>> SetProjectorAsync(ProjectorStateDto state) =>
        SendAsync(() => http.PutAsJsonAsync("/api/projector", state, Json.ProjectorStateDto), Json.ProjectorStateDto);

    /// <summary>The welcome scene's emblem, sent as the picture itself; the server recognises PNG or JPEG by its bytes.</summary>
    public Task<ApiResult<ProjectorStateDto>> UploadEmblemAsync(Stream image, string contentType) =>
        SendAsync(() =>
        {
            var content = new StreamContent(image);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType.Length == 0 ? "application/octet-stream" : contentType);
            return http.PutAsync("/api/projector/emblem", content);
        }, Json.ProjectorStateDto);

    public Task<ApiResult<ProjectorStateDto>> RemoveEmblemAsync() => SendAsync(() => http.DeleteAsync("/api/projector/emblem"), Json.ProjectorStateDto);

    public Task<List<AuditEventDto>?> AuditAsync(int take = 500) => GetAsync($"/api/audit?take={take}", Json.ListAuditEventDto);

    public Task<AuditVerificationDto?> VerifyAuditAsync() => GetAsync("/api/audit/verify", Json.AuditVerificationDto);

    public Task<ApiResult<AgendaItemDto>> SaveAgendaItemAsync(Guid? id, AgendaItemEditDto edit) =>
        SaveAsync(id, "/api/agenda", edit, Json.AgendaItemEditDto, Json.AgendaItemDto);

    public Task<ApiResult<bool>> ImportAgendaAsync(string lines) =>
        SendNoContentAsync(() => http.PostAsJsonAsync("/api/agenda/import", new AgendaImportDto(lines), Json.AgendaImportDto));

    public Task<ApiResult<bool>> MoveAgendaItemAsync(Guid id, int by) => SendNoContentAsync(() => http.PostAsync($"/api/agenda/{id}/move?by={by}", EmptyJson()));

    public Task<ApiResult<bool>> MakeCurrentAsync(Guid id) => SendNoContentAsync(() => http.PostAsync($"/api/agenda/{id}/current", EmptyJson()));

    public Task<ApiResult<bool>> RemoveAgendaItemAsync(Guid id) => SendNoContentAsync(() => http.DeleteAsync($"/api/agenda/{id}"));

    public Task<ApiResult<PollDto>> SaveMotionAsync(Guid? id, MotionEditDto edit) =>
        SaveAsync(id, "/api/polls", edit, Json.MotionEditDto, Json.PollDto);

    public Task<ApiResult<PollDto>> SaveElectionAsync(Guid? id, ElectionEditDto edit) =>
        SaveAsync(id, "/api/elections", edit, Json.ElectionEditDto, Json.PollDto);

    public Task<List<DossierDto>?> DossiersAsync() => GetAsync("/api/dossiers", Json.ListDossierDto);

    public Task<ApiResult<DossierDto>> CreateDossierAsync(DossierCreateDto create) =>
        PostAsync("/api/dossiers", create, Json.DossierCreateDto, Json.DossierDto);

    public Task<ApiResult<DossierDto>> DossierMotionAsync(Guid id, int? seats) =>
        PostAsync($"/api/dossiers/{id}/motion", new DossierMotionDto(seats), Json.DossierMotionDto, Json.DossierDto);

    public Task<ApiResult<DossierDto>> AdvanceDossierAsync(Guid id, DossierStep from, bool skip) =>
        PostAsync($"/api/dossiers/{id}/advance", new DossierAdvanceDto(from, skip), Json.DossierAdvanceDto, Json.DossierDto);

    /// <summary>The presidium's list ("presidium-list", replaced whole) or one paper nomination ("paper-nominations").</summary>
    public Task<ApiResult<DossierDto>> NomineesAsync(Guid id, string what, List<Guid> delegateIds) =>
        SendAsync(() => what == "presidium-list"
            ? http.PutAsJsonAsync($"/api/dossiers/{id}/{what}", new NomineesDto(delegateIds), Json.NomineesDto)
            : http.PostAsJsonAsync($"/api/dossiers/{id}/{what}", new NomineesDto(delegateIds), Json.NomineesDto), Json.DossierDto);

    public Task<ApiResult<DossierDto>> SetCommitteeAsync(Guid id, List<string> names) =>
        SendAsync(() => http.PutAsJsonAsync($"/api/dossiers/{id}/committee", new CommitteeDto(names), Json.CommitteeDto), Json.DossierDto);

    public Task<ApiResult<DossierDto>> RecordWithdrawalAsync(Guid id, Guid nominationId) =>
        PostAsync($"/api/dossiers/{id}/withdrawals/{nominationId}/record", Json.DossierDto);

    public Task<ApiResult<DossierDto>> SecondRoundAsync(Guid id) => PostAsync($"/api/dossiers/{id}/second-round", Json.DossierDto);

    public Task<ApiResult<PollDto>> SaveCandidatesAsync(Guid pollId, List<CandidateEditDto> candidates) =>
        SendAsync(() => http.PutAsJsonAsync($"/api/elections/{pollId}/candidates", candidates, Json.ListCandidateEditDto), Json.PollDto);

    /// <summary>Uploads a candidate list; a refused file comes back as the import's problem report.</summary>
    public async Task<ImportReportDto> ImportCandidatesAsync(Guid pollId, Stream file, string fileName)
    {
        try
        {
            using var content = new MultipartFormDataContent();
            using var body = new StreamContent(file);
            content.Add(body, "file", fileName);
            using var response = await http.PostAsync($"/api/elections/{pollId}/candidates/import", content);
            if (response.IsSuccessStatusCode)
            {
                var poll = await TryReadAsync(response, Json.PollDto);
                int count = poll?.Candidates?.Count ?? 0;
                return new ImportReportDto(true, count, count, 0, 0, []);
            }

            if (response.StatusCode == HttpStatusCode.BadRequest && await TryReadAsync(response, Json.ImportReportDto) is { Problems: not null } report)
            {
                return report;
            }

            var error = await ReadErrorAsync(response);
            return new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", error.Code, error.Detail)]);
        }
        catch (HttpRequestException)
        {
            return new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "offline", null)]);
        }
    }

    public Task<ApiResult<PaperBallotStatusDto>> EnterPaperBallotAsync(Guid pollId, PaperBallotDto ballot) =>
        PostAsync($"/api/elections/{pollId}/paper/ballots", ballot, Json.PaperBallotDto, Json.PaperBallotStatusDto);

    public Task<ApiResult<bool>> DiscardPaperBallotAsync(Guid pollId, int ballotNo) =>
        SendNoContentAsync(() => http.DeleteAsync($"/api/elections/{pollId}/paper/ballots/{ballotNo}"));

    public Task<ApiResult<PaperSummaryDto>> AddPaperTotalsAsync(Guid pollId, PaperTotalsDto totals) =>
        PostAsync($"/api/elections/{pollId}/paper/totals", totals, Json.PaperTotalsDto, Json.PaperSummaryDto);

    public Task<PaperSummaryDto?> PaperSummaryAsync(Guid pollId) => GetAsync($"/api/elections/{pollId}/paper", Json.PaperSummaryDto);

    public Task<ApiResult<PollDto>> RunoffAsync(Guid pollId, string title) =>
        PostAsync($"/api/elections/{pollId}/runoff", new RunoffRequestDto(title), Json.RunoffRequestDto, Json.PollDto);

    public Task<CountingMinutesDto?> MinutesAsync(Guid pollId) => GetAsync($"/api/elections/{pollId}/minutes", Json.CountingMinutesDto);

    public Task<ApiResult<PollDto>> PublishPollAsync(Guid pollId) => PostAsync($"/api/polls/{pollId}/publish", Json.PollDto);

    public Task<ApiResult<PollDto>> CancelPollAsync(Guid pollId, string reason) =>
        PostAsync($"/api/polls/{pollId}/cancel", new CancelPollDto(reason), Json.CancelPollDto, Json.PollDto);

    public Task<ApiResult<TallyDto>> AddPaperAsync(Guid pollId, PaperCountDto paper) =>
        PostAsync($"/api/polls/{pollId}/paper", paper, Json.PaperCountDto, Json.TallyDto);

    public Task<ApiResult<bool>> SpeechActionAsync(Guid id, string action) => SendNoContentAsync(() => http.PostAsync($"/api/speakers/{id}/{action}", EmptyJson()));

    public Task<ApiResult<bool>> StartSpeechAsync(Guid id, int? limitSeconds) =>
        SendNoContentAsync(() => http.PostAsJsonAsync($"/api/speakers/{id}/start", new SpeechStartDto(limitSeconds), Json.SpeechStartDto));

    public Task<ApiResult<bool>> MoveSpeechAsync(Guid id, int by) => SendNoContentAsync(() => http.PostAsync($"/api/speakers/{id}/move?by={by}", EmptyJson()));

    public Task<List<ProxyDto>?> ProxiesAsync() => GetAsync("/api/proxies", Json.ListProxyDto);

    public Task<ApiResult<ProxyDto>> AddProxyAsync(string grantorCode, string holderCode) =>
        PostAsync("/api/proxies", new ProxyEditDto(grantorCode, holderCode), Json.ProxyEditDto, Json.ProxyDto);

    public Task<ApiResult<bool>> RemoveProxyAsync(Guid grantorId) => SendNoContentAsync(() => http.DeleteAsync($"/api/proxies/{grantorId}"));

    public Task<ApiResult<bool>> SetWeightAsync(Guid delegateId, int weight) =>
        SendNoContentAsync(() => http.PutAsJsonAsync($"/api/delegates/{delegateId}/weight", new WeightDto(weight), Json.WeightDto));

    public Task<List<VoterDto>?> VotersAsync(Guid pollId) => GetAsync($"/api/polls/{pollId}/voters", Json.ListVoterDto);

    public Task<ApiResult<bool>> EndSessionAsync(Guid sessionId) => SendNoContentAsync(() => http.PostAsync($"/api/helpdesk/sessions/{sessionId}/end", EmptyJson()));

    public Task<ApiResult<PollDto>> OpenPollAsync(Guid pollId, string? quorumOverrideReason = null) =>
        PostAsync(Routes.OpenPoll(pollId), new OpenPollRequest(quorumOverrideReason), Json.OpenPollRequest, Json.PollDto);

    public Task<ApiResult<PollDto>> ClosePollAsync(Guid pollId) => PostAsync(Routes.ClosePoll(pollId), Json.PollDto);

    public async Task<DelegateListDto?> DelegatesAsync(string? query, string? delegation, DelegateKind? kind)
    {
        string url = $"/api/delegates?q={Uri.EscapeDataString(query ?? "")}&delegation={Uri.EscapeDataString(delegation ?? "")}"
            + (kind is { } k ? $"&kind={k}" : "");
        return await GetAsync(url, Json.DelegateListDto);
    }

    public Task<DelegateSummaryDto?> DelegateSummaryAsync() => GetAsync("/api/delegates/summary", Json.DelegateSummaryDto);

    public Task<ApiResult<DelegateDto>> SaveDelegateAsync(Guid? id, DelegateEditDto edit) =>
        SaveAsync(id, "/api/delegates", edit, Json.DelegateEditDto, Json.DelegateDto);

    public Task<ApiResult<bool>> RemoveDelegateAsync(Guid id) => SendNoContentAsync(() => http.DeleteAsync($"/api/delegates/{id}"));

    /// <summary>Revokes a badge; during a vote the chair's approval goes with it.</summary>
    public Task<ApiResult<bool>> RevokeBadgeAsync(Guid id, BadgeChangeApprovalDto? approval = null) => SendNoContentAsync(() => approval is null
        ? http.PostAsync($"/api/delegates/{id}/revoke", EmptyJson())
        : http.PostAsJsonAsync($"/api/delegates/{id}/revoke", approval, Json.BadgeChangeApprovalDto));

    /// <summary>
    /// Uploads a list; a refused file comes back as a report of every problem, not as an error. A preview writes
    /// nothing; the confirmation sends the same file with the preview's plan.
    /// </summary>
    // map: columns the import does not know, each read as the field the person chose ("header=Field").
    public async Task<ImportReportDto> ImportDelegatesAsync(Stream file, string fileName, bool preview, string? plan, IEnumerable<string>? map = null)
    {
        try
        {
            using var content = new MultipartFormDataContent();
            using var body = new StreamContent(file);
            content.Add(body, "file", fileName);
            string query = (preview ? "?preview=true" : plan is null ? "?" : "?plan=" + Uri.EscapeDataString(plan))
                + string.Concat((map ?? []).Select(m => "&map=" + Uri.EscapeDataString(m)));
            using var response = await http.PostAsync("/api/delegates/import" + query, content);
            if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.BadRequest)
            {
                var report = await TryReadAsync(response, Json.ImportReportDto);
                if (report is { Problems: not null })
                {
                    return report;
                }
            }

            var error = await ReadErrorAsync(response);
            return new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", error.Code, error.Detail)]);
        }
        catch (HttpRequestException)
        {
            return new ImportReportDto(false, 0, 0, 0, 0, [new ImportProblemDto(0, "", "offline", null)]);
        }
    }
}
