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
    BenchmarkSwitcher.FromAssembly(typeof(TopKBenchmarks).Assembly).Run(args);
    return 0;
}
