using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SocialLearning;
using SocialLearning.Commands;

// With a command verb (demo, import, ask, outcomes) run that command; otherwise start the Functions worker.
if (args.Length > 0 && CommandLineApp.Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase))
    return await CommandLineApp.RunAsync(args);

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddSocialLearning();
builder.Build().Run();
return 0;
