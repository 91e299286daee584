using System.Text.Json;

namespace Bambuddy.Core.Restore.Zip;

/// <summary>
/// Parses <c>backup-manifest.json</c> chunk by chunk as it is inflated, handing each listed entry (path, size,
/// SHA-256 hex) to <paramref name="onEntry"/>; nothing but the last unfinished token is kept between chunks. It
/// accepts what <see cref="Archive.BackupManifest.Parse"/> accepts (snake_case names, unknown properties skipped).
/// Nothing is thrown while feeding: <see cref="Finish"/> throws a <see cref="JsonException"/> for a manifest that is
/// not valid JSON of that shape, else the first refusal <paramref name="onEntry"/> threw, so a syntax error anywhere
/// wins as when the manifest was parsed whole.
/// </summary>
internal sealed class ManifestStreamParser(Action<string?, long, string?> onEntry)
{
    /// <summary>The longest token carried from one chunk to the next (a path is at most a few KiB).</summary>
    public const int MaxTokenBytes = 1 << 20;

    private byte[] _buffer = [];
    private int _carried;
    private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false });
    private Exception? _invalid;
    private BackupRefusedException? _refusal;
    private State _at = State.Start;
    private Property _property;
    private State _afterSkip;
    private int _skipDepth;
    private string? _path;
    private long _size;
    private string? _sha256;

    private enum State
    {
        Start,
        Root,
        RootValue,
        Entries,
        Entry,
        EntryValue,
        Skip,
        Done,
    }

    private enum Property
    {
        Other,
        Entries,
        FormatVersion,
        CreatedAt,
        Text,
        Path,
        Size,
        Sha256,
    }

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_invalid is not null)
        {
            return;
        }

        var data = chunk;
        if (_carried > 0)
        {
            Reserve(_carried + chunk.Length);
            chunk.CopyTo(_buffer.AsSpan(_carried));
            data = _buffer.AsSpan(0, _carried + chunk.Length);
        }

        var consumed = Parse(data, isFinalBlock: false);
        if (_invalid is not null)
        {
            return;
        }

        var rest = data[consumed..];
        if (rest.Length > MaxTokenBytes)
        {
            _invalid = new JsonException($"A token of the manifest is longer than {MaxTokenBytes} bytes.");
            return;
        }

        Reserve(rest.Length);
        rest.CopyTo(_buffer);
        _carried = rest.Length;
    }

    public void Finish()
    {
        if (_invalid is null)
        {
            Parse(_buffer.AsSpan(0, _carried), isFinalBlock: true);
            if (_invalid is null && _at != State.Done)
            {
                _invalid = new JsonException("The manifest ends before its top-level object does.");
            }
        }

        if (_invalid is not null)
        {
            throw _invalid as JsonException ?? new JsonException(_invalid.Message, _invalid);
        }

        if (_refusal is not null)
        {
            throw _refusal;
        }
    }

    private int Parse(ReadOnlySpan<byte> data, bool isFinalBlock)
    {
        var reader = new Utf8JsonReader(data, isFinalBlock, _state);
        try
        {
            while (reader.Read())
            {
                Handle(ref reader);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            _invalid = ex;
        }

        _state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }

    private void Handle(ref Utf8JsonReader reader)
    {
        var token = reader.TokenType;
        switch (_at)
        {
            case State.Start:
                _at = token == JsonTokenType.StartObject ? State.Root : throw new JsonException("The manifest is not a JSON object.");
                break;
            case State.Root:
                if (token == JsonTokenType.EndObject)
                {
                    _at = State.Done;
                    break;
                }

                _property = reader.ValueTextEquals("entries"u8) ? Property.Entries
                    : reader.ValueTextEquals("format_version"u8) ? Property.FormatVersion
                    : reader.ValueTextEquals("created_at"u8) ? Property.CreatedAt
                    : reader.ValueTextEquals("source_backend"u8) || reader.ValueTextEquals("bambuddy_schema_fingerprint"u8) ? Property.Text
                    : Property.Other;
                _at = State.RootValue;
                break;
            case State.RootValue:
                _at = State.Root;
                switch (_property)
                {
                    case Property.Entries when token == JsonTokenType.StartArray:
                        _at = State.Entries;
                        break;
                    case Property.Entries when token == JsonTokenType.Null:
                    case Property.FormatVersion when token == JsonTokenType.Number && reader.TryGetInt32(out _):
                    case Property.CreatedAt when token == JsonTokenType.String && reader.TryGetDateTimeOffset(out _):
                    case Property.Text when token is JsonTokenType.String or JsonTokenType.Null:
                        break;
                    case Property.Other:
                        SkipValue(ref reader, State.Root);
                        break;
                    default:
                        throw new JsonException($"The manifest's {_property} has the wrong type.");
                }

                break;
            case State.Entries:
                switch (token)
                {
                    case JsonTokenType.StartObject:
                        (_path, _size, _sha256) = (null, 0, null);
                        _at = State.Entry;
                        break;
                    case JsonTokenType.Null:
                        Emit(null, 0, null);
                        break;
                    case JsonTokenType.EndArray:
                        _at = State.Root;
                        break;
                    default:
                        throw new JsonException("An entry of the manifest is not an object.");
                }

                break;
            case State.Entry:
                if (token == JsonTokenType.EndObject)
                {
                    Emit(_path, _size, _sha256);
                    _at = State.Entries;
                    break;
                }

                _property = reader.ValueTextEquals("path"u8) ? Property.Path
                    : reader.ValueTextEquals("size"u8) ? Property.Size
                    : reader.ValueTextEquals("sha256"u8) ? Property.Sha256
                    : Property.Other;
                _at = State.EntryValue;
                break;
            case State.EntryValue:
                _at = State.Entry;
                switch (_property)
                {
                    case Property.Path when token is JsonTokenType.String or JsonTokenType.Null:
                        _path = reader.GetString();
                        break;
                    case Property.Sha256 when token is JsonTokenType.String or JsonTokenType.Null:
                        _sha256 = reader.GetString();
                        break;
                    case Property.Size when token == JsonTokenType.Number && reader.TryGetInt64(out var size):
                        _size = size;
                        break;
                    case Property.Other:
                        SkipValue(ref reader, State.Entry);
                        break;
                    default:
                        throw new JsonException($"An entry's {_property} in the manifest has the wrong type.");
                }

                break;
            case State.Skip:
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == _skipDepth)
                {
                    _at = _afterSkip;
                }

                break;
            default:
                throw new JsonException("The manifest goes on after its top-level object.");
        }
    }

    /// <summary>An unknown property's value is skipped; an object or array token by token, as it may span chunks.</summary>
    private void SkipValue(ref Utf8JsonReader reader, State after)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            _skipDepth = reader.CurrentDepth;
            _afterSkip = after;
            _at = State.Skip;
        }
    }

    private void Emit(string? path, long size, string? sha256)
    {
        if (_refusal is not null)
        {
            return;
        }

        try
        {
            onEntry(path, size, sha256);
        }
        catch (BackupRefusedException ex)
        {
            _refusal = ex;
        }
    }

    private void Reserve(int length)
    {
        if (_buffer.Length < length)
        {
            var grown = new byte[Math.Max(length, _buffer.Length * 2)];
            _buffer.AsSpan(0, _carried).CopyTo(grown);
            _buffer = grown;
        }
    }
}
