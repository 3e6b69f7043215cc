using Provocapi.Host.Cli;

return await CommandLineApp.RunAsync(args);
