using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SQLitePCL;

namespace Bambuddy.Core.Restore.Database;

/// <summary>
/// The columns of a stepped SQLite statement's current row, read through SQLite's C functions directly.
/// SQLitePCL's wrappers marshal a SafeHandle and cross the GC transition on every call, several calls per value:
/// for a bulk load that is most of the client's time. These accessors are tiny, never block and never call back,
/// which is what <see cref="SuppressGCTransitionAttribute"/>'s contract asks for.
/// </summary>
internal readonly unsafe struct SqliteRow
{
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> _type;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long> _int64;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double> _double;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*> _text;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*> _blob;
    private static readonly delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int> _bytes;

    private readonly nint _statement;

    static SqliteRow()
    {
        // The same library SQLitePCL's provider binds to: the app's native search path resolves the name once.
        var library = NativeLibrary.Load("e_sqlite3", typeof(SQLite3Provider_e_sqlite3).Assembly, null);
        _type = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_type");
        _int64 = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, long>)NativeLibrary.GetExport(library, "sqlite3_column_int64");
        _double = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, double>)NativeLibrary.GetExport(library, "sqlite3_column_double");
        _text = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*>)NativeLibrary.GetExport(library, "sqlite3_column_text");
        _blob = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, byte*>)NativeLibrary.GetExport(library, "sqlite3_column_blob");
        _bytes = (delegate* unmanaged[Cdecl, SuppressGCTransition]<nint, int, int>)NativeLibrary.GetExport(library, "sqlite3_column_bytes");
    }

    /// <param name="statement">A statement the caller keeps alive (and does not step) while this row is read.</param>
    public SqliteRow(sqlite3_stmt statement) => _statement = statement.DangerousGetHandle();

    /// <summary>SQLite's storage class of the value: <c>raw.SQLITE_INTEGER</c>, <c>FLOAT</c>, <c>TEXT</c>, <c>BLOB</c> or <c>NULL</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Type(int column) => _type(_statement, column);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Int64(int column) => _int64(_statement, column);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Double(int column) => _double(_statement, column);

    /// <summary>The value as UTF-8 text (SQLite converts a UTF-16 database's text in place); valid until the next step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Utf8(int column)
    {
        var text = _text(_statement, column);
        return text is null ? default : new ReadOnlySpan<byte>(text, _bytes(_statement, column));
    }

    /// <summary>The value's bytes as stored; valid until the next step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Blob(int column)
    {
        var blob = _blob(_statement, column);
        return blob is null ? default : new ReadOnlySpan<byte>(blob, _bytes(_statement, column));
    }
}
