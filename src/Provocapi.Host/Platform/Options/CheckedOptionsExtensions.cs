using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Provocapi.Host.Platform.Options;

public static class CheckedOptionsExtensions
{
    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/> and checks it at start-up with its own <see cref="ICheckedOptions.Problems"/>.</summary>
    public static IServiceCollection AddCheckedOptions<T>(this IServiceCollection services, string section) where T : class, ICheckedOptions
    {
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>, ProblemsValidator<T>>();
        return services;
    }

    sealed class ProblemsValidator<T> : IValidateOptions<T> where T : class, ICheckedOptions
    {
        public ValidateOptionsResult Validate(string? name, T options) =>
            options.Problems().ToList() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
    }
}
