using Bambuddy.Scheduler.Apis;
using Bambuddy.Scheduler.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.MapOpenApi();

app.MapLocalBackupApi();
app.MapJobsApi();
app.MapFullBackupApi();
app.MapRestoreApi();
app.MapGitBackupApi();

app.Run();

public partial class Program;
