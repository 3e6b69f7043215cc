using Microsoft.AspNetCore.Http;

namespace Provocapi.Host.Platform.Callers;

/// <summary>
/// The tokens-per-minute half of a tenant's rate limit, for endpoints that know what a request will cost:
/// reserve the most it can use before work starts, settle on what it used. Over the limit is a 429.
/// </summary>
public interface ITokenRateLimiter
{
    /// <summary>Reserves <paramref name="tokens"/> for the caller, writing the <c>x-ratelimit-*-tokens</c> headers; throws a 429 ApiException when over. Batch callers are not limited.</summary>
    TokenReservation Reserve(HttpContext http, Caller caller, long tokens);
}

/// <summary>Tokens held for one request; <see cref="Settle"/> gives back what it did not use.</summary>
public sealed class TokenReservation(long reserved, Action<long> refund)
{
    int _settled;

    public long Reserved { get; } = reserved;

    public void Settle(long used)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0 && used < Reserved) refund(Reserved - used);
    }
}
