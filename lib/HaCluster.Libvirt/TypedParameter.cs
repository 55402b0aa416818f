namespace HaCluster.Libvirt;

/// <summary>virTypedParameterType.</summary>
public enum TypedParameterType
{
    /// <summary>A signed 32-bit integer.</summary>
    Int = 1,
    /// <summary>An unsigned 32-bit integer.</summary>
    UInt = 2,
    /// <summary>A signed 64-bit integer.</summary>
    LLong = 3,
    /// <summary>An unsigned 64-bit integer.</summary>
    ULLong = 4,
    /// <summary>A double.</summary>
    Double = 5,
    /// <summary>A truth value.</summary>
    Boolean = 6,
    /// <summary>A string.</summary>
    String = 7,
}

/// <summary>remote_typed_param: a field name and a value of one of the seven types.</summary>
/// <param name="Field">The parameter's name (e.g. <see cref="MigrateParameter"/>).</param>
/// <param name="Type">Which of the value fields holds the value.</param>
/// <param name="Integer">The value of the integer and boolean types (unsigned 64-bit values as their bits).</param>
/// <param name="Double">The value of <see cref="TypedParameterType.Double"/>.</param>
/// <param name="Text">The value of <see cref="TypedParameterType.String"/>.</param>
public readonly record struct TypedParameter(string Field, TypedParameterType Type, long Integer, double Double, string? Text)
{
    /// <summary>A <see cref="TypedParameterType.Int"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfInt(string field, int value) => new(field, TypedParameterType.Int, value, 0, null);
    /// <summary>A <see cref="TypedParameterType.UInt"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfUInt(string field, uint value) => new(field, TypedParameterType.UInt, value, 0, null);
    /// <summary>A <see cref="TypedParameterType.LLong"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfLLong(string field, long value) => new(field, TypedParameterType.LLong, value, 0, null);
    /// <summary>A <see cref="TypedParameterType.ULLong"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfULLong(string field, ulong value) => new(field, TypedParameterType.ULLong, unchecked((long)value), 0, null);
    /// <summary>A <see cref="TypedParameterType.Double"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfDouble(string field, double value) => new(field, TypedParameterType.Double, 0, value, null);
    /// <summary>A <see cref="TypedParameterType.Boolean"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfBoolean(string field, bool value) => new(field, TypedParameterType.Boolean, value ? 1 : 0, 0, null);
    /// <summary>A <see cref="TypedParameterType.String"/> parameter.</summary>
    /// <param name="field">Its name.</param>
    /// <param name="value">Its value.</param>
    public static TypedParameter OfString(string field, string value) => new(field, TypedParameterType.String, 0, 0, value);

    internal void Write(XdrWriter writer)
    {
        writer.WriteString(Field);
        writer.WriteInt((int)Type);
        switch (Type)
        {
            case TypedParameterType.Int: writer.WriteInt((int)Integer); break;
            case TypedParameterType.UInt: writer.WriteUInt((uint)Integer); break;
            case TypedParameterType.LLong: writer.WriteHyper(Integer); break;
            case TypedParameterType.ULLong: writer.WriteUHyper(unchecked((ulong)Integer)); break;
            case TypedParameterType.Double: writer.WriteDouble(Double); break;
            case TypedParameterType.Boolean: writer.WriteInt(Integer != 0 ? 1 : 0); break;
            case TypedParameterType.String: writer.WriteString(Text ?? ""); break;
            default: throw new ArgumentException($"typed parameter '{Field}' has no valid type ({(int)Type})");
        }
    }

    internal static TypedParameter Read(ref XdrReader reader)
    {
        string field = reader.ReadString();
        var type = (TypedParameterType)reader.ReadInt();
        return type switch
        {
            TypedParameterType.Int => OfInt(field, reader.ReadInt()),
            TypedParameterType.UInt => OfUInt(field, reader.ReadUInt()),
            TypedParameterType.LLong => OfLLong(field, reader.ReadHyper()),
            TypedParameterType.ULLong => OfULLong(field, reader.ReadUHyper()),
            TypedParameterType.Double => OfDouble(field, reader.ReadDouble()),
            TypedParameterType.Boolean => OfBoolean(field, reader.ReadInt() != 0),
            TypedParameterType.String => OfString(field, reader.ReadString()),
            _ => throw new XdrException($"typed parameter '{field}' has unknown type {(int)type}"),
        };
    }
}

/// <summary>The VIR_MIGRATE_PARAM_* names.</summary>
public static class MigrateParameter
{
    /// <summary>Where the source's hypervisor sends the migration data (string).</summary>
    public const string Uri = "migrate_uri";
    /// <summary>The domain's name on the destination (string).</summary>
    public const string DestinationName = "destination_name";
    /// <summary>The domain's XML on the destination (string).</summary>
    public const string DestinationXml = "destination_xml";
    /// <summary>The persistent definition to leave on the destination (string).</summary>
    public const string PersistentXml = "persistent_xml";
    /// <summary>The bandwidth the migration may use, in MiB/s (ULLONG).</summary>
    public const string Bandwidth = "bandwidth";
    /// <summary>Where graphical clients reconnect to after the migration (string).</summary>
    public const string GraphicsUri = "graphics_uri";
    /// <summary>The address the destination's hypervisor listens on for the migration data (string).</summary>
    public const string ListenAddress = "listen_address";
    /// <summary>The port of the destination's disk copy server (INT).</summary>
    public const string DisksPort = "disks_port";
    /// <summary>How many connections a <see cref="MigrateFlags.Parallel"/> migration uses (INT).</summary>
    public const string ParallelConnections = "parallel.connections";
}
