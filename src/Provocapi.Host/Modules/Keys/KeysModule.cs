using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Provocapi.Host.Modules.Keys.RateLimits;
using Provocapi.Host.Platform.Callers;

namespace Provocapi.Host.Modules.Keys;

/// <summary>Tenants, API keys, tiers and rate limits. Keys are managed with <c>provocapi keys</c>; the API only checks them.</summary>
public static class KeysModule
{
    public static WebApplicationBuilder AddKeys(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<TierOptions>().BindConfiguration(TierOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TierOptions>, TierOptionsValidator>();
        builder.Services.AddSingleton<ITierDirectory, TierDirectory>();
        builder.Services.AddSingleton<KeyStore>();
        builder.Services.AddSingleton<ApiKeyAuthenticator>();
        builder.Services.AddSingleton<TenantRateLimiter>();
        builder.Services.AddSingleton<ITokenRateLimiter>(s => s.GetRequiredService<TenantRateLimiter>());
        return builder;
    }

    public static WebApplication UseKeys(this WebApplication app)
    {
        app.UseMiddleware<ApiKeyMiddleware>();
        return app;
    }

    sealed class TierOptionsValidator : IValidateOptions<TierOptions>
    {
        public ValidateOptionsResult Validate(string? name, TierOptions options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
