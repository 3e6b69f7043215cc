using System.Reflection;
using System.Text.RegularExpressions;
using Provocapi.Tests;

namespace Provocapi.Host.Tests.Architecture;

/// <summary>Modules talk through Platform and Core, never to each other; Core and Engine know nothing of ASP.NET Core.</summary>
public sealed partial class ModuleBoundaryTests
{
    static readonly string HostSource = Path.Combine(TestData.Root, "..", "..", "src", "Provocapi.Host");

    [GeneratedRegex(@"Provocapi\.Host\.Modules\.(\w+)")]
    private static partial Regex ModuleReference();

    [Fact]
    public void No_module_references_another()
    {
        var modules = Path.Combine(HostSource, "Modules");
        var violations = new List<string>();
        foreach (var module in Directory.GetDirectories(modules).Select(Path.GetFileName))
            foreach (var file in Directory.GetFiles(Path.Combine(modules, module!), "*.cs", SearchOption.AllDirectories))
                foreach (Match match in ModuleReference().Matches(File.ReadAllText(file)))
                    if (match.Groups[1].Value != module) violations.Add($"{Path.GetRelativePath(HostSource, file)} uses {match.Value}");
        Assert.True(Directory.GetDirectories(modules).Length >= 2);
        Assert.Empty(violations);
    }

    [Fact]
    public void Platform_does_not_depend_on_modules()
    {
        var files = Directory.GetFiles(Path.Combine(HostSource, "Platform"), "*.cs", SearchOption.AllDirectories);
        Assert.DoesNotContain(files, f => ModuleReference().IsMatch(File.ReadAllText(f)));
    }

    [Fact]
    public void Core_and_Engine_do_not_reference_AspNetCore()
    {
        foreach (var assembly in new[] { typeof(Core.LoadedModel).Assembly, typeof(Engine.Models.Llama).Assembly })
            Assert.DoesNotContain(assembly.GetReferencedAssemblies(), r => r.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }
}
