using Bambuddy.Gateway.Extensions;
using Bambuddy.Gateway.Security;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGatewayServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();
app.UseMiddleware<ApiKeyMiddleware>();
app.UseRequestTimeouts();
app.MapScalarApiReference();
app.MapBackupProxy();

app.Run();

public partial class Program;
