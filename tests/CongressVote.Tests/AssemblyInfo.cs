// Fixtures run side by side: each has its own database and its own congresses.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(3)]
