using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Operations;

/// <summary>
/// What a venue laptop receives: <c>dotnet publish -c Release</c> of the server for linux-x64 (the default target)
/// stays small, because it carries only the native libraries linux-x64 runs with. SkiaSharp alone ships 440 MB of
/// libraries and symbols for every operating system; a package update that brings them back fails here.
/// </summary>
public sealed class PackageSizeTests
{
    private const long MaxBytes = 150L * 1024 * 1024;

    [Test, CancelAfter(900_000)]
    public async Task The_published_server_is_at_most_150_MB_with_only_the_native_libraries_linux_x64_runs_with()
    {
        string folder = await PublishedServer.AppFolderAsync();
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => new FileInfo(f)).ToList();
        long total = files.Sum(f => f.Length);
        TestContext.Out.WriteLine($"{total / 1024d / 1024:0.0} MB in {files.Count} files");
        var foreign = files
            .Where(f => f.Extension is ".dll" or ".so" or ".dylib" or ".pdb" && f.FullName.Contains($"{Path.DirectorySeparatorChar}runtimes{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.FullName.Contains($"{Path.DirectorySeparatorChar}linux-x64{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(folder, f.FullName));
        var nativeSymbols = files.Where(f => f.Extension == ".pdb" && !f.Name.StartsWith("CongressVote.", StringComparison.Ordinal)).Select(f => f.Name);
        Assert.Multiple(() =>
        {
            Assert.That(total, Is.LessThanOrEqualTo(MaxBytes));
            Assert.That(foreign, Is.Empty, "native libraries for another platform");
            Assert.That(nativeSymbols, Is.Empty, "symbol files of libraries the project does not build");
            Assert.That(files.Select(f => f.Name), Does.Contain("libSkiaSharp.so"), "the badge renderer's own native library is there");
        });
    }
}
