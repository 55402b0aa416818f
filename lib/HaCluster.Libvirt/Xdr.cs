using System.Buffers.Binary;
using System.Text;

namespace HaCluster.Libvirt;

/// <summary>A message that does not decode as the XDR it should be.</summary>
internal sealed class XdrException(string message) : FormatException(message);

/// <summary>
/// Writes XDR (RFC 4506) big-endian: 4-byte units, strings and opaque data padded with zeros to
/// a multiple of 4, optional values as a bool followed by the value.
/// </summary>
internal sealed class XdrWriter
{
    byte[] buffer;

    public XdrWriter(int capacity = 256) => buffer = new byte[Math.Max(capacity, 16)];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Written => buffer.AsSpan(0, Length);

    /// <summary>Forgets what was written; the buffer is kept.</summary>
    public void Clear() => Length = 0;

    Span<byte> Take(int count)
    {
        if (Length + count > buffer.Length)
        {
            int size = buffer.Length;
            while (size < Length + count) size *= 2;
            Array.Resize(ref buffer, size);
        }
        var span = buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }

    public XdrWriter WriteInt(int value) { BinaryPrimitives.WriteInt32BigEndian(Take(4), value); return this; }
    public XdrWriter WriteUInt(uint value) { BinaryPrimitives.WriteUInt32BigEndian(Take(4), value); return this; }
    public XdrWriter WriteHyper(long value) { BinaryPrimitives.WriteInt64BigEndian(Take(8), value); return this; }
    public XdrWriter WriteUHyper(ulong value) { BinaryPrimitives.WriteUInt64BigEndian(Take(8), value); return this; }
    public XdrWriter WriteDouble(double value) { BinaryPrimitives.WriteDoubleBigEndian(Take(8), value); return this; }
    public XdrWriter WriteBool(bool value) => WriteInt(value ? 1 : 0);

    /// <summary>Fixed-length opaque: the bytes and zero padding, no length.</summary>
    public XdrWriter WriteFixedOpaque(ReadOnlySpan<byte> data)
    {
        var span = Take(Pad(data.Length));
        data.CopyTo(span);
        span[data.Length..].Clear();
        return this;
    }

    /// <summary>Variable-length opaque: the length, the bytes, zero padding.</summary>
    public XdrWriter WriteOpaque(ReadOnlySpan<byte> data)
    {
        WriteUInt((uint)data.Length);
        return WriteFixedOpaque(data);
    }

    /// <summary>A string as UTF-8, length-prefixed and padded. Any content is data, NULs included.</summary>
    public XdrWriter WriteString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        int count = Encoding.UTF8.GetByteCount(value);
        WriteUInt((uint)count);
        var span = Take(Pad(count));
        int written = Encoding.UTF8.GetBytes(value, span);
        span[written..].Clear();
        return this;
    }

    /// <summary>An optional (pointer) string: false, or true and the string.</summary>
    public XdrWriter WriteOptionalString(string? value)
    {
        WriteBool(value is not null);
        return value is null ? this : WriteString(value);
    }

    /// <summary>A variable-length array: the count, then each element.</summary>
    public XdrWriter WriteArray<T>(IReadOnlyCollection<T> items, Action<XdrWriter, T> writeItem)
    {
        WriteUInt((uint)items.Count);
        foreach (var item in items) writeItem(this, item);
        return this;
    }

    /// <summary>Overwrites 4 bytes already written at <paramref name="offset"/> (the length prefix of a message).</summary>
    internal void PatchUInt(int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(offset, 4), value);

    internal static int Pad(int length) => (length + 3) & ~3;
}

/// <summary>Reads XDR from a span; every read checks bounds and throws <see cref="XdrException"/>.</summary>
internal ref struct XdrReader
{
    readonly ReadOnlySpan<byte> data;

    public XdrReader(ReadOnlySpan<byte> data)
    {
        this.data = data;
        Position = 0;
    }

    public int Position { get; private set; }
    public readonly int Remaining => data.Length - Position;

    ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > Remaining)
            throw new XdrException($"XDR data ends early: {count} bytes wanted at offset {Position}, {Remaining} left");
        var span = data.Slice(Position, count);
        Position += count;
        return span;
    }

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));
    public uint ReadUInt() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));
    public long ReadHyper() => BinaryPrimitives.ReadInt64BigEndian(Take(8));
    public ulong ReadUHyper() => BinaryPrimitives.ReadUInt64BigEndian(Take(8));
    public double ReadDouble() => BinaryPrimitives.ReadDoubleBigEndian(Take(8));

    public bool ReadBool() => ReadUInt() switch
    {
        0 => false,
        1 => true,
        var other => throw new XdrException($"XDR bool is {other}, not 0 or 1"),
    };

    /// <summary>Fixed-length opaque of <paramref name="length"/> bytes (padding skipped).</summary>
    public ReadOnlySpan<byte> ReadFixedOpaque(int length)
    {
        var span = Take(XdrWriter.Pad(length));
        return span[..length];
    }

    /// <summary>Variable-length opaque, at most <paramref name="maxLength"/> bytes.</summary>
    public ReadOnlySpan<byte> ReadOpaque(int maxLength = RemoteProtocol.StringMax)
    {
        uint length = ReadUInt();
        if (length > (uint)maxLength) throw new XdrException($"XDR opaque of {length} bytes exceeds its limit of {maxLength}");
        return ReadFixedOpaque((int)length);
    }

    public string ReadString(int maxLength = RemoteProtocol.StringMax) => Encoding.UTF8.GetString(ReadOpaque(maxLength));

    public string? ReadOptionalString(int maxLength = RemoteProtocol.StringMax) => ReadBool() ? ReadString(maxLength) : null;

    /// <summary>The element count of a variable-length array, checked against <paramref name="maxCount"/>.</summary>
    public int ReadArrayLength(int maxCount)
    {
        uint count = ReadUInt();
        if (count > (uint)maxCount) throw new XdrException($"XDR array of {count} elements exceeds its limit of {maxCount}");
        return (int)count;
    }
}
