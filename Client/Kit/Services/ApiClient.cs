using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CongressVote.Shared;

namespace CongressVote.Client.Services;

/// <summary>A refusal from the server: a stable code the pages translate, the server's English detail, and the figures the sentence names, if any.</summary>
public sealed record ApiError(string Code, string Detail, string[]? Args = null);

public sealed record ApiResult<T>(T? Value, ApiError? Error)
{
    public bool Ok => Error is null;
}

/// <summary>
/// The typed HTTP calls of the app; everything live goes through <see cref="LiveConnection"/>. This file holds the
/// sign-ins, the tablet's and the hall screen's calls and the transport; the staff pages' calls are in ApiClient.Staff.cs.
/// </summary>
public sealed partial class ApiClient(HttpClient http)
{
    private static CongressJsonContext Json => CongressJsonContext.Default;

    public Task<ApiResult<SessionDto>> StaffLoginAsync(string userName, string password) =>
        PostAsync(Routes.StaffLogin, new StaffLoginRequest(userName, password), Json.StaffLoginRequest, Json.SessionDto);

    /// <summary>Signs this tablet in; 202 (held for the help desk) is an answer too, not an error.</summary>
    public Task<ApiResult<DelegateLoginResultDto>> DelegateLoginAsync(string token, string deviceId, string deviceName) =>
        PostAsync(Routes.DelegateLogin, new DelegateLoginRequest(token, deviceId, deviceName), Json.DelegateLoginRequest, Json.DelegateLoginResultDto);

    public Task<List<PublishedBallotDto>?> PublishedBallotsAsync(Guid pollId) => GetAsync($"/api/elections/{pollId}/ballots", Json.ListPublishedBallotDto);

    public Task<ApiResult<SpeechDto>> AskToSpeakAsync(string topic) =>
        PostAsync("/api/speakers", new SpeechRequestDto(topic), Json.SpeechRequestDto, Json.SpeechDto);

    public Task<ApiResult<SessionDto>> ProjectorLoginAsync(string code) =>
        PostAsync(Routes.ProjectorLogin, new TokenLoginRequest(code), Json.TokenLoginRequest, Json.SessionDto);

    private static async Task<T?> TryReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private async Task<T?> GetAsync<T>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(type) : default;
        }
        catch (HttpRequestException)
        {
            return default;
        }
    }

    private static async Task<ApiResult<bool>> SendNoContentAsync(Func<Task<HttpResponseMessage>> send)
    {
        try
        {
            using var response = await send();
            return response.IsSuccessStatusCode ? new ApiResult<bool>(true, null) : new ApiResult<bool>(false, await ReadErrorAsync(response));
        }
        catch (HttpRequestException)
        {
            return new ApiResult<bool>(false, new ApiError("offline", "The server cannot be reached."));
        }
    }

    public async Task LogoutAsync()
    {
        using var _ = await http.PostAsync(Routes.Logout, EmptyJson());
    }

    private static StringContent EmptyJson() => new("{}", System.Text.Encoding.UTF8, "application/json");

    /// <summary>The current session, or null when this browser is not signed in.</summary>
    public async Task<SessionDto?> SessionAsync() => (await TrySessionAsync()).Session;

    /// <summary>The session, and whether the server answered at all: "not signed in" and "offline" differ.</summary>
    public async Task<(SessionDto? Session, bool Reachable)> TrySessionAsync()
    {
        try
        {
            using var response = await http.GetAsync(Routes.Session);
            return (response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(Json.SessionDto) : null, true);
        }
        catch (HttpRequestException)
        {
            return (null, false);
        }
    }

    private Task<ApiResult<TResponse>> PostAsync<TResponse>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType) =>
        SendAsync(() => http.PostAsync(url, EmptyJson()), responseType);

    private Task<ApiResult<TResponse>> PostAsync<TRequest, TResponse>(
        string url, TRequest body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType) =>
        SendAsync(() => http.PostAsJsonAsync(url, body, requestType), responseType);

    /// <summary>Saves a record of a collection: PUT to the record when it exists, POST to the collection when it is new.</summary>
    private Task<ApiResult<TResponse>> SaveAsync<TEdit, TResponse>(
        Guid? id, string collection, TEdit edit, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TEdit> editType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType) =>
        SendAsync(
            () => id is { } existing ? http.PutAsJsonAsync($"{collection}/{existing}", edit, editType) : http.PostAsJsonAsync(collection, edit, editType),
            responseType);

    private static async Task<ApiResult<TResponse>> SendAsync<TResponse>(
        Func<Task<HttpResponseMessage>> send, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType)
    {
        try
        {
            using var response = await send();
            if (response.IsSuccessStatusCode)
            {
                return new ApiResult<TResponse>(await response.Content.ReadFromJsonAsync(responseType), null);
            }

            if (response.StatusCode == HttpStatusCode.BadRequest && typeof(TResponse) != typeof(ImportReportDto))
            {
                // Form validation answers with the import's problem report; show its first problem.
                string body = await response.Content.ReadAsStringAsync();
                if (body.Contains("\"problems\"", StringComparison.Ordinal))
                {
                    var report = JsonSerializer.Deserialize(body, Json.ImportReportDto);
                    if (report?.Problems is [var problem, ..])
                    {
                        return new ApiResult<TResponse>(default, new ApiError("import_" + problem.Code, problem.Column + (problem.Value is null ? "" : ": " + problem.Value)));
                    }
                }
            }

            return new ApiResult<TResponse>(default, await ReadErrorAsync(response));
        }
        catch (HttpRequestException)
        {
            return new ApiResult<TResponse>(default, new ApiError("offline", "The server cannot be reached."));
        }
    }

    private static async Task<ApiError> ReadErrorAsync(HttpResponseMessage response)
    {
        try
        {
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var root = document.RootElement;
            string code = root.TryGetProperty("code", out var c) ? c.GetString() ?? "" : "";
            string detail = root.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
            if (code.Length > 0)
            {
                string[]? args = null;
                if (root.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Array)
                {
                    args = new string[a.GetArrayLength()];
                    for (int i = 0; i < args.Length; i++)
                    {
                        args[i] = a[i].GetString() ?? "";
                    }
                }

                return new ApiError(code, detail, args);
            }
        }
        catch (JsonException)
        {
            // Not a problem document; fall back to the status code below.
        }

        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new ApiError("unauthorized", "Sign in first."),
            HttpStatusCode.Forbidden => new ApiError("forbidden", "Your role may not do this."),
            HttpStatusCode.TooManyRequests => new ApiError("rate_limited", "Too many attempts; wait a moment."),
            _ => new ApiError("server_error", $"The server answered {(int)response.StatusCode}."),
        };
    }
}
