using System.ComponentModel.DataAnnotations;

namespace Provocapi.Host.Server;

/// <summary>The <c>Provocapi</c> configuration section's process-wide settings.</summary>
public sealed class ServerOptions
{
    public const string Section = "Provocapi";

    /// <summary>Where the SQLite store and other data live; created at start.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = "data";

    /// <summary>This node's name in <c>X-Provocapi-Worker</c>.</summary>
    [Required(AllowEmptyStrings = false), RegularExpression("^[A-Za-z0-9._:-]{1,64}$", ErrorMessage = "WorkerId must be 1 to 64 letters, digits or . _ : -")]
    public string WorkerId { get; set; } = Environment.MachineName;

    /// <summary>Largest JSON request body accepted (413 beyond).</summary>
    [Range(1024, 1L << 30)]
    public long MaxRequestBodyBytes { get; set; } = 16L << 20;
}
