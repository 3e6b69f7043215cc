using Provocapi.Host.Modules.Inference.Catalog;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Tests.Server;

public sealed class ServedModelTests
{
    [Fact]
    public void A_model_still_loading_or_failed_is_503_with_retry_after_and_the_wrong_kind_is_400()
    {
        var model = new ServedModel(new ServedModelOptions { Id = "m", Path = "x" });
        var loading = Assert.Throws<ApiException>(() => model.RequireChat());
        Assert.Equal(503, loading.StatusCode);
        Assert.Equal("model_not_ready", loading.Error.Code);
        Assert.Equal("5", loading.Headers["Retry-After"]);
        model.Fail("broken file");
        Assert.Equal("model_unavailable", Assert.Throws<ApiException>(() => model.RequireChat()).Error.Code);
        var wrongKind = Assert.Throws<ApiException>(() => model.RequireEmbeddings());
        Assert.Equal(400, wrongKind.StatusCode);
        Assert.Equal("model", wrongKind.Error.Param);
    }
}
