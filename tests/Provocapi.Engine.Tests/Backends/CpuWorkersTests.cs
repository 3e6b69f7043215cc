using Provocapi.Engine.Backends.Cpu;

namespace Provocapi.Engine.Tests.Backends;

public class CpuWorkersTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_index_runs_exactly_once(int threads)
    {
        using var workers = new CpuWorkers(threads);
        foreach (var count in new[] { 0, 1, 7, 1000 })
        {
            // Many rounds, to exercise the hand-over between calls as well as one call.
            for (var round = 0; round < 200; round++)
            {
                var hits = new int[count];
                workers.For(count, i => Interlocked.Increment(ref hits[i]));
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        }
    }

    [Fact]
    public void Uses_more_than_one_thread()
    {
        using var workers = new CpuWorkers(2);
        var threads = new HashSet<int>();
        workers.For(64, _ =>
        {
            lock (threads) threads.Add(Environment.CurrentManagedThreadId);
            Thread.Sleep(2);
        });
        Assert.Equal(2, threads.Count);
    }

    [Fact]
    public void Wakes_workers_that_went_to_sleep()
    {
        using var workers = new CpuWorkers(2);
        var sum = 0;
        workers.For(10, i => Interlocked.Add(ref sum, i));
        Thread.Sleep(CpuWorkers.SpinTime * 3);
        workers.For(10, i => Interlocked.Add(ref sum, i));
        Assert.Equal(90, sum);
    }

    [Fact]
    public void Rethrows_a_body_exception_and_stays_usable()
    {
        using var workers = new CpuWorkers(2);
        var e = Assert.Throws<InvalidOperationException>(() => workers.For(100, i => { if (i == 57) throw new InvalidOperationException("boom"); }));
        Assert.Equal("boom", e.Message);
        var hits = new int[100];
        workers.For(100, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Dispose_stops_the_threads()
    {
        var workers = new CpuWorkers(3);
        workers.For(10, _ => { });
        workers.Dispose();
        workers.Dispose();
    }
}
