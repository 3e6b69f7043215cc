using Provocapi.Host.Platform.Metering;

namespace Provocapi.Host.Tests.UsageAnalytics;

public sealed class RequestUsageTests
{
    [Fact]
    public void Cost_is_per_million_tokens_and_batch_work_costs_half()
    {
        var usage = new RequestUsage();
        usage.Meter(promptPrice: 0.10m, completionPrice: 0.30m);
        usage.PromptStarted(new int[1500]);
        for (var i = 0; i < 500; i++) usage.CompletionToken();

        Assert.Equal(0.0003m, usage.Cost());
        usage.IsBatch = true;
        Assert.Equal(0.00015m, usage.Cost());
    }

    [Fact]
    public void A_prompt_shared_by_several_choices_counts_once_and_the_first_token_time_is_kept()
    {
        var usage = new RequestUsage();
        var (first, second) = (new[] { 1, 2, 3 }, new[] { 1, 2, 3, 4 });
        Parallel.For(0, 8, i => usage.PromptStarted(i % 2 == 0 ? first : second));
        Assert.Equal(7, usage.PromptTokens);

        Assert.Equal(0, usage.FirstTokenAt);
        usage.CompletionToken();
        var at = usage.FirstTokenAt;
        usage.CompletionToken();
        Assert.True(at > 0);
        Assert.Equal(at, usage.FirstTokenAt);
        Assert.Equal(2, usage.CompletionTokens);
    }
}
