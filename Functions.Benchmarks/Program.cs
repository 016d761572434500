using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using SocialLearning.Benchmarks;

// `route`, `recall` and `topk` are plain timed / counted measurements; anything else goes to BenchmarkDotNet
// (e.g. --filter '*TopK*' --job short).
return args.FirstOrDefault() switch
{
    "route" => await RouteTiming.RunAsync(args[1..]),
    "recall" => Int8Recall.Run(args[1..]),
    "topk" => TopKInterleaved.Run(args[1..]),
    _ => RunBenchmarks(args),
};

static int RunBenchmarks(string[] args)
{
    // Each run builds a generated project that references Functions (Azure Functions worker SDK): on 2 busy cores that
    // can take longer than BenchmarkDotNet's default 2-minute build timeout.
    // The embedding benchmark's baseline calls the SentenceTransformers package directly, and BenchmarkDotNet counts the
    // Microsoft.ML.OnnxRuntime assembly it references as "non-optimized" (it is the vendor's release package; its IL is
    // only the managed wrapper around the native runtime), so that check is off.
    var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15))
        .WithOptions(ConfigOptions.DisableOptimizationsValidator);
    BenchmarkSwitcher.FromAssembly(typeof(TopKBenchmarks).Assembly).Run(args, config);
    return 0;
}
