using System.Text.RegularExpressions;
using Provocapi.Host.Platform.Errors;

namespace Provocapi.Host.Modules.Adapters;

/// <summary>What a caller may name: adapters, hub repositories and revisions. Nothing here can climb out of a folder or point at another host.</summary>
public static partial class AdapterNames
{
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex Name();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")]
    private static partial Regex Repo();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex Revision();

    public static string RequireName(string? name, string param = "name")
    {
        if (string.IsNullOrEmpty(name)) throw ApiException.BadRequest($"You must provide '{param}'.", param, "missing_required_parameter");
        if (!Name().IsMatch(name) || name.Contains(".."))
            throw ApiException.BadRequest($"Invalid '{param}': '{name}'. Adapter names are 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.", param, "invalid_value");
        return name;
    }

    public static string RequireRepo(string? repo)
    {
        if (string.IsNullOrEmpty(repo)) throw ApiException.BadRequest("You must provide 'hf_repo'.", "hf_repo", "missing_required_parameter");
        if (!Repo().IsMatch(repo) || repo.Contains(".."))
            throw ApiException.BadRequest($"Invalid 'hf_repo': '{repo}'. It must be a Hugging Face repository id, 'owner/name'.", "hf_repo", "invalid_value");
        return repo;
    }

    public static string RequireRevision(string? revision)
    {
        if (revision == null) return "main";
        if (!Revision().IsMatch(revision) || revision.Contains(".."))
            throw ApiException.BadRequest($"Invalid 'revision': '{revision}'. It must be a branch, tag or commit id.", "revision", "invalid_value");
        return revision;
    }
}
