using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CongressVote.Shared;

namespace CongressVote.Client.Services;

/// <summary>A refusal from the server: a stable code the pages translate, and the server's English detail.</summary>
public sealed record ApiError(string Code, string Detail);

public sealed record ApiResult<T>(T? Value, ApiError? Error)
{
    public bool Ok => Error is null;
}

/// <summary>The typed HTTP calls of the app; everything live goes through <see cref="LiveConnection"/>.</summary>
public sealed class ApiClient(HttpClient http)
{
    private static CongressJsonContext Json => CongressJsonContext.Default;

    public Task<ApiResult<SessionDto>> StaffLoginAsync(string userName, string password) =>
        PostAsync(Routes.StaffLogin, new StaffLoginRequest(userName, password), Json.StaffLoginRequest, Json.SessionDto);

    public Task<ApiResult<SessionDto>> DelegateLoginAsync(string token) =>
        PostAsync(Routes.DelegateLogin, new TokenLoginRequest(token), Json.TokenLoginRequest, Json.SessionDto);

    public Task<ApiResult<SessionDto>> ProjectorLoginAsync(string code) =>
        PostAsync(Routes.ProjectorLogin, new TokenLoginRequest(code), Json.TokenLoginRequest, Json.SessionDto);

    public Task<ApiResult<PollDto>> OpenPollAsync(Guid pollId) => PostAsync(Routes.OpenPoll(pollId), Json.PollDto);

    public Task<ApiResult<PollDto>> ClosePollAsync(Guid pollId) => PostAsync(Routes.ClosePoll(pollId), Json.PollDto);

    public async Task LogoutAsync()
    {
        using var _ = await http.PostAsync(Routes.Logout, EmptyJson());
    }

    private static StringContent EmptyJson() => new("{}", System.Text.Encoding.UTF8, "application/json");

    /// <summary>The current session, or null when this browser is not signed in.</summary>
    public async Task<SessionDto?> SessionAsync()
    {
        try
        {
            using var response = await http.GetAsync(Routes.Session);
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(Json.SessionDto) : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private Task<ApiResult<TResponse>> PostAsync<TResponse>(string url, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType) =>
        SendAsync(() => http.PostAsync(url, EmptyJson()), responseType);

    private Task<ApiResult<TResponse>> PostAsync<TRequest, TResponse>(
        string url, TRequest body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType) =>
        SendAsync(() => http.PostAsJsonAsync(url, body, requestType), responseType);

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
                return new ApiError(code, detail);
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
