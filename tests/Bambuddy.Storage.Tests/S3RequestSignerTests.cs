using Bambuddy.Core.Storage;

namespace Bambuddy.Storage.Tests;

/// <summary>The examples AWS publishes for Signature Version 4 in the Authorization header (S3 API reference).</summary>
public sealed class S3RequestSignerTests
{
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTimeOffset ExampleTime = new(2013, 5, 24, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GetObjectWithRangeIsSignedAsAwsExample()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ExactUri("https://examplebucket.s3.amazonaws.com/test.txt"));
        request.Headers.TryAddWithoutValidation("Range", "bytes=0-9");

        var authorization = Signer().Sign(request, S3RequestSigner.EmptyPayloadSha256, ExampleTime);

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public void PutObjectWithEncodedKeyIsSignedAsAwsExample()
    {
        var path = "/" + S3RequestSigner.Encode("test$file.text", keepSlash: true);
        using var request = new HttpRequestMessage(HttpMethod.Put, ExactUri("https://examplebucket.s3.amazonaws.com" + path));
        request.Headers.TryAddWithoutValidation("Date", "Fri, 24 May 2013 00:00:00 GMT");
        request.Headers.TryAddWithoutValidation("x-amz-storage-class", "REDUCED_REDUNDANCY");

        var authorization = Signer().Sign(request, S3RequestSigner.Sha256Hex("Welcome to Amazon S3."u8), ExampleTime);

        Assert.EndsWith(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
            authorization);
    }

    [Fact]
    public void ListWithQueryIsSignedAsAwsExample()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ExactUri("https://examplebucket.s3.amazonaws.com/?prefix=J&max-keys=2"));

        var authorization = Signer().Sign(request, S3RequestSigner.EmptyPayloadSha256, ExampleTime);

        Assert.EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", authorization);
    }

    [Fact]
    public void ObjectUriKeepsTheEncodedPathAndQueryAsSigned()
    {
        var options = new S3StoreOptions { Endpoint = "127.0.0.1:9000", Bucket = "backups", AccessKey = "a", SecretKey = "s", UseTls = false };

        var uri = S3Uploader.ObjectUri(options, "farm one/bambuddy-backup-20260101-000000.zip", "partNumber=1&uploadId=a%2Bb");

        Assert.Equal("/backups/farm%20one/bambuddy-backup-20260101-000000.zip", uri.AbsolutePath);
        Assert.Equal("?partNumber=1&uploadId=a%2Bb", uri.Query);
        Assert.Equal("127.0.0.1:9000", uri.Authority);
    }

    [Theory]
    [InlineData("bambuddy/bambuddy-backup-20260101-000000.zip", true, "bambuddy/bambuddy-backup-20260101-000000.zip")]
    [InlineData("a b+c$d", true, "a%20b%2Bc%24d")]
    [InlineData("x/y=z", false, "x%2Fy%3Dz")]
    [InlineData("ключ~", false, "%D0%BA%D0%BB%D1%8E%D1%87~")]
    public void KeysAreEncodedAsS3Expects(string value, bool keepSlash, string expected)
    {
        Assert.Equal(expected, S3RequestSigner.Encode(value, keepSlash));
    }

    private static S3RequestSigner Signer() => new(AccessKey, SecretKey, "us-east-1");

    private static Uri ExactUri(string url) => new(url, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
}
