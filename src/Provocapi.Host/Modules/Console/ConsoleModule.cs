using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Provocapi.Host.Modules.Console;

/// <summary>
/// The web console: static files embedded in the assembly, served at <c>/</c> (the page) and <c>/console/...</c> (its
/// scripts and styles). The page talks only to the public <c>/v1</c> API, with the key the user signs in with.
/// </summary>
public static class ConsoleModule
{
    public static WebApplicationBuilder AddConsole(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(_ => ConsoleAssets.FromAssembly(typeof(ConsoleModule).Assembly));
        return builder;
    }

    public static WebApplication MapConsole(this WebApplication app)
    {
        app.MapConsoleAssets();
        return app;
    }
}
