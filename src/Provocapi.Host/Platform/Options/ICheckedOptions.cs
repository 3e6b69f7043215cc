namespace Provocapi.Host.Platform.Options;

/// <summary>Options that say what is wrong with their own values, so start-up can refuse them with one message each.</summary>
public interface ICheckedOptions
{
    IEnumerable<string> Problems();
}
