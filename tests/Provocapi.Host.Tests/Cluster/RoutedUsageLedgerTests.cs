using Provocapi.Host.Modules.Cluster.Worker;
using Provocapi.Host.Platform.Cluster;
using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Tests.Cluster;

/// <summary>The worker's memory of routed attempts, which a gateway whose client left claims from.</summary>
public sealed class RoutedUsageLedgerTests
{
    /// <summary>A clock whose timestamps move only when the test moves them; timers run on real time.</summary>
    sealed class SteppedClock : TimeProvider
    {
        public long Now { get; set; }
        public override long GetTimestamp() => Now;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    static RoutedAttempt.Usage Used(long completionTokens) => new("demo", new UsageReport(7, completionTokens, 1m, 2m, null, 12.5));

    [Fact]
    public async Task A_claim_waits_for_its_attempt_to_end_then_the_attempt_is_forgotten()
    {
        var ledger = new RoutedUsageLedger(new SteppedClock());
        var id = RoutedAttempt.NewId();
        Assert.True(ledger.Open(id));
        Assert.False(ledger.Open(id));

        var claim = ledger.ClaimAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.Delay(50);
        Assert.False(claim.IsCompleted);
        ledger.Close(id, Used(5));
        Assert.Equal(Used(5), await claim);
        Assert.Null(await ledger.ClaimAsync(id, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    [Fact]
    public async Task Unknown_unmetered_and_unfinished_attempts_claim_nothing()
    {
        var ledger = new RoutedUsageLedger(new SteppedClock());
        Assert.Null(await ledger.ClaimAsync(RoutedAttempt.NewId(), TimeSpan.FromSeconds(30), CancellationToken.None));

        var unmetered = RoutedAttempt.NewId();
        ledger.Open(unmetered);
        ledger.Close(unmetered, null);
        Assert.Null(await ledger.ClaimAsync(unmetered, TimeSpan.FromSeconds(30), CancellationToken.None));

        // One still running when the wait runs out stays claimable once it ends.
        var running = RoutedAttempt.NewId();
        ledger.Open(running);
        Assert.Null(await ledger.ClaimAsync(running, TimeSpan.FromMilliseconds(20), CancellationToken.None));
        ledger.Close(running, Used(3));
        Assert.Equal(Used(3), await ledger.ClaimAsync(running, TimeSpan.FromSeconds(30), CancellationToken.None));
    }

    [Fact]
    public async Task An_ended_attempt_nobody_claims_is_forgotten_after_the_retention()
    {
        var clock = new SteppedClock();
        var ledger = new RoutedUsageLedger(clock);
        var old = RoutedAttempt.NewId();
        ledger.Open(old);
        ledger.Close(old, Used(1));

        clock.Now += (RoutedUsageLedger.Retention - TimeSpan.FromSeconds(1)).Ticks;
        var recent = RoutedAttempt.NewId();
        ledger.Open(recent);
        ledger.Close(recent, Used(2));
        clock.Now += TimeSpan.FromSeconds(2).Ticks;
        var last = RoutedAttempt.NewId();
        ledger.Open(last);
        ledger.Close(last, Used(3));

        Assert.Null(await ledger.ClaimAsync(old, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(Used(2), await ledger.ClaimAsync(recent, TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(Used(3), await ledger.ClaimAsync(last, TimeSpan.FromSeconds(30), CancellationToken.None));
    }
}
