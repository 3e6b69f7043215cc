using Provocapi.Core;

namespace Provocapi.Host.Tests.Server;

public static class EngineProgress
{
    /// <summary>Waits until the engine has run no token for a quarter of a second (a paused sequence, an idle model), for
    /// at most 50 s, and returns its forward-token count then.</summary>
    public static async Task<long> UntilStalledAsync(LoadedModel engine)
    {
        long last = -1;
        for (var i = 0; i < 200 && engine.ForwardTokens != last; i++)
        {
            last = engine.ForwardTokens;
            await Task.Delay(250);
        }
        return last;
    }
}
