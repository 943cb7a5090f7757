using System.Globalization;
using CongressVote.Client;
using CongressVote.Client.Services;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Microsoft.JSInterop;

var builder = WebAssemblyHostBuilder.CreateDefault(args);
builder.RootComponents.Add<App>("#app");

builder.Services.AddScoped(_ =>
{
    var http = new HttpClient { BaseAddress = new Uri(builder.HostEnvironment.BaseAddress) };
    http.DefaultRequestHeaders.Add(CongressVote.Shared.Routes.CsrfHeader, "1");
    return http;
});
builder.Services.AddScoped<ApiClient>();
builder.Services.AddScoped<LiveConnection>();
builder.Services.AddSingleton<Texts>();

var host = builder.Build();

// Vietnamese first; the choice is per device and applies from the next load, when its resources are loaded.
string? language = await host.Services.GetRequiredService<IJSRuntime>().InvokeAsync<string?>("congressCulture.get");
var culture = Languages.Culture(language);
CultureInfo.DefaultThreadCurrentCulture = culture;
CultureInfo.DefaultThreadCurrentUICulture = culture;

await host.RunAsync();
