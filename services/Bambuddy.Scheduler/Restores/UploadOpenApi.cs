using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Bambuddy.Scheduler.Restores;

/// <summary>Documents the upload body, which the handler streams itself (no form binding for OpenAPI to see).</summary>
public static class UploadOpenApi
{
    public static RouteHandlerBuilder WithUploadBody(this RouteHandlerBuilder builder)
        => builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = $"The backup ZIP in the multipart field '{UploadSpool.FormField}'; streamed to the spool folder, never held in memory.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string> { UploadSpool.FormField },
                            Properties = new Dictionary<string, IOpenApiSchema>
                            {
                                [UploadSpool.FormField] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                            },
                        },
                    },
                },
            };
            return Task.CompletedTask;
        });
}
