namespace HaCluster.Libvirt;

/// <summary>virTypedParameterType.</summary>
public enum TypedParameterType
{
    Int = 1,
    UInt = 2,
    LLong = 3,
    ULLong = 4,
    Double = 5,
    Boolean = 6,
    String = 7,
}

/// <summary>remote_typed_param: a field name and a value of one of the seven types.</summary>
public readonly record struct TypedParameter(string Field, TypedParameterType Type, long Integer, double Double, string? Text)
{
    public static TypedParameter OfInt(string field, int value) => new(field, TypedParameterType.Int, value, 0, null);
    public static TypedParameter OfUInt(string field, uint value) => new(field, TypedParameterType.UInt, value, 0, null);
    public static TypedParameter OfLLong(string field, long value) => new(field, TypedParameterType.LLong, value, 0, null);
    public static TypedParameter OfULLong(string field, ulong value) => new(field, TypedParameterType.ULLong, unchecked((long)value), 0, null);
    public static TypedParameter OfDouble(string field, double value) => new(field, TypedParameterType.Double, 0, value, null);
    public static TypedParameter OfBoolean(string field, bool value) => new(field, TypedParameterType.Boolean, value ? 1 : 0, 0, null);
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
    public const string Uri = "migrate_uri";
    public const string DestinationName = "destination_name";
    public const string DestinationXml = "destination_xml";
    public const string PersistentXml = "persistent_xml";
    /// <summary>MiB/s, ULLONG.</summary>
    public const string Bandwidth = "bandwidth";
    public const string GraphicsUri = "graphics_uri";
    public const string ListenAddress = "listen_address";
    public const string DisksPort = "disks_port";
    public const string ParallelConnections = "parallel.connections";
}
