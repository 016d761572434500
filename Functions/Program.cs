using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using SocialLearning;
using SocialLearning.Commands;

// Under the Functions host (FUNCTIONS_WORKER_RUNTIME is set) start the worker; otherwise run a command verb
// (CommandLineApp.Verbs: demo, process, ask, evaluate, …), and with no arguments print the command help.
var underHost = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_WORKER_RUNTIME"));
if (!underHost || (args.Length > 0 && CommandLineApp.Verbs.Contains(args[0], StringComparer.OrdinalIgnoreCase)))
    return await CommandLineApp.RunAsync(args);

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication(); // HTTP triggers (Graph webhooks) through ASP.NET Core integration
builder.Services.AddSocialLearning();
builder.Build().Run();
return 0;
