using System.Diagnostics;
using System.Globalization;
using CongressVote.Tests.Infrastructure;

namespace CongressVote.Tests.Benchmarks;

/// <summary>
/// How long a 5,000-row list takes from upload to commit, through the real endpoint into PostgreSQL.
/// A benchmark, not a test: it runs only when asked for (see docs/benchmarks.md) and prints its figures.
/// </summary>
[Explicit("benchmark"), Category("Benchmark")]
public sealed class ImportBenchmark
{
    [Test]
    public async Task Import_5000_rows()
    {
        await using var server = await CongressServer.StartAsync();
        var lines = new List<string> { DelegateLists.VietnameseHeader };
        string[] names = ["Nguyễn Văn An", "Trần Thị Ánh", "Lê Quốc Đạt", "Phạm Thị Hương", "Đặng Văn Ân", "Vũ Thị Yến"];
        lines.AddRange(Enumerable.Range(1, 5000).Select(i =>
            DelegateLists.Line($"B{i:D5}", $"{names[i % names.Length]} {i}", $"Đoàn {i % 40}", i % 3 == 0 ? "Nữ" : "Nam")));
        byte[] file = DelegateLists.Csv([.. lines]);

        var fresh = new List<double>();
        var again = new List<double>();
        for (int run = 0; run < 5; run++)
        {
            var access = await server.CreateCongressAsync(officialDelegates: 0, guests: 0);
            using var staff = await server.SignInStaffAsync(access);
            var clock = Stopwatch.StartNew();
            var (_, report) = await DelegateLists.ImportAsync(staff, file);
            fresh.Add(clock.Elapsed.TotalMilliseconds);
            Assert.That(report.Added, Is.EqualTo(5000));

            clock.Restart();
            (_, report) = await DelegateLists.ImportAsync(staff, file);
            again.Add(clock.Elapsed.TotalMilliseconds);
            Assert.That(report.Unchanged, Is.EqualTo(5000));
        }

        string line = string.Create(CultureInfo.InvariantCulture,
            $"import 5,000 rows: new list median {Median(fresh):F0} ms (runs {string.Join(", ", fresh.Select(f => f.ToString("F0", CultureInfo.InvariantCulture)))}); re-import unchanged median {Median(again):F0} ms");
        TestContext.Out.WriteLine(line);
        await TestContext.Progress.WriteLineAsync(line);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
