using HaCluster.Libvirt;

namespace HaCluster.Libvirt.Tests;

public sealed class XdrTests
{
    static byte[] Bytes(params int[] b) => b.Select(x => (byte)x).ToArray();

    [Fact]
    public void Integers_are_big_endian_words()
    {
        var w = new XdrWriter();
        w.WriteInt(-2).WriteUInt(0x20008086).WriteHyper(-1).WriteUHyper(0x0102030405060708).WriteBool(true).WriteBool(false);
        w.Written.ToArray().Should().Equal(Bytes(
            0xff, 0xff, 0xff, 0xfe,
            0x20, 0x00, 0x80, 0x86,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            1, 2, 3, 4, 5, 6, 7, 8,
            0, 0, 0, 1,
            0, 0, 0, 0));
        var r = new XdrReader(w.Written);
        r.ReadInt().Should().Be(-2);
        r.ReadUInt().Should().Be(0x20008086u);
        r.ReadHyper().Should().Be(-1);
        r.ReadUHyper().Should().Be(0x0102030405060708UL);
        r.ReadBool().Should().BeTrue();
        r.ReadBool().Should().BeFalse();
        r.Remaining.Should().Be(0);
    }

    [Theory]
    [InlineData("", new byte[] { 0, 0, 0, 0 })]
    [InlineData("a", new byte[] { 0, 0, 0, 1, (byte)'a', 0, 0, 0 })]
    [InlineData("test", new byte[] { 0, 0, 0, 4, (byte)'t', (byte)'e', (byte)'s', (byte)'t' })]
    [InlineData("hello", new byte[] { 0, 0, 0, 5, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', 0, 0, 0 })]
    [InlineData("é", new byte[] { 0, 0, 0, 2, 0xc3, 0xa9, 0, 0 })]
    public void Strings_are_length_prefixed_utf8_padded_to_four(string value, byte[] expected)
    {
        var w = new XdrWriter(16);
        w.WriteString(value);
        w.Written.ToArray().Should().Equal(expected);
        var r = new XdrReader(expected);
        r.ReadString().Should().Be(value);
        r.Remaining.Should().Be(0);
    }

    [Fact]
    public void Optional_strings_are_a_bool_then_the_value()
    {
        var w = new XdrWriter();
        w.WriteOptionalString(null).WriteOptionalString("ab");
        w.Written.ToArray().Should().Equal(Bytes(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, (byte)'a', (byte)'b', 0, 0));
        var r = new XdrReader(w.Written);
        r.ReadOptionalString().Should().BeNull();
        r.ReadOptionalString().Should().Be("ab");
    }

    [Fact]
    public void Opaque_fixed_has_no_length_variable_has_one()
    {
        var w = new XdrWriter();
        w.WriteFixedOpaque(Bytes(1, 2, 3)).WriteOpaque(Bytes(9)).WriteOpaque([]);
        w.Written.ToArray().Should().Equal(Bytes(1, 2, 3, 0, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0));
        var r = new XdrReader(w.Written);
        r.ReadFixedOpaque(3).ToArray().Should().Equal(Bytes(1, 2, 3));
        r.ReadOpaque().ToArray().Should().Equal(Bytes(9));
        r.ReadOpaque().Length.Should().Be(0);
        r.Remaining.Should().Be(0);
    }

    [Fact]
    public void Arrays_are_a_count_then_the_elements()
    {
        var w = new XdrWriter();
        w.WriteArray(new[] { 7, 8 }, static (x, v) => x.WriteInt(v));
        w.Written.ToArray().Should().Equal(Bytes(0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 0, 8));
        var r = new XdrReader(w.Written);
        r.ReadArrayLength(10).Should().Be(2);
        var tooMany = () => new XdrReader(w.Written).ReadArrayLength(1);
        tooMany.Should().Throw<XdrException>();
    }

    [Fact]
    public void The_writer_grows()
    {
        var w = new XdrWriter(16);
        string big = new('x', 10_000);
        w.WriteString(big);
        w.Length.Should().Be(10_004);
        new XdrReader(w.Written).ReadString().Should().Be(big);
    }

    [Fact]
    public void Short_or_hostile_input_throws_XdrException()
    {
        Action shortInt = () => new XdrReader(Bytes(0, 0, 1)).ReadInt();
        shortInt.Should().Throw<XdrException>();
        Action longString = () => new XdrReader(Bytes(0, 0, 0, 9, (byte)'a')).ReadString();
        longString.Should().Throw<XdrException>();
        Action hugeString = () => new XdrReader(Bytes(0x7f, 0xff, 0xff, 0xff)).ReadString();
        hugeString.Should().Throw<XdrException>();
        Action negative = () => new XdrReader(Bytes(0xff, 0xff, 0xff, 0xff)).ReadOpaque();
        negative.Should().Throw<XdrException>();
        Action badBool = () => new XdrReader(Bytes(0, 0, 0, 2)).ReadBool();
        badBool.Should().Throw<XdrException>();
    }

    [Fact]
    public void A_call_header_is_framed_with_its_length()
    {
        var header = new MessageHeader(RemoteProtocol.Program, 1, RemoteProcedure.DomainGetState, MessageType.Call, 7, MessageStatus.Ok);
        var frame = MessageHeader.Frame(header, Bytes(0xaa, 0xbb, 0xcc, 0xdd));
        frame.Should().Equal(Bytes(
            0, 0, 0, 32,               // length, itself included
            0x20, 0x00, 0x80, 0x86,    // program
            0, 0, 0, 1,                // version
            0, 0, 0, 212,              // procedure
            0, 0, 0, 0,                // type call
            0, 0, 0, 7,                // serial
            0, 0, 0, 0,                // status ok
            0xaa, 0xbb, 0xcc, 0xdd));
        var r = new XdrReader(frame.AsSpan(4));
        MessageHeader.Read(ref r).Should().Be(header);
    }

    [Fact]
    public void Remote_error_decodes_code_domain_message_level()
    {
        var w = new XdrWriter();
        w.WriteInt(42).WriteInt(12).WriteOptionalString("Domain not found: no domain with matching name 'x'").WriteInt(2)
         .WriteBool(false).WriteOptionalString("x").WriteOptionalString(null).WriteOptionalString(null).WriteInt(0).WriteInt(0).WriteBool(false);
        var e = LibvirtException.Decode(w.Written);
        e.Code.Should().Be(42);
        e.IsNoDomain.Should().BeTrue();
        e.ErrorDomain.Should().Be(12);
        e.Level.Should().Be(2);
        e.Message.Should().Be("Domain not found: no domain with matching name 'x'");

        var nameless = new XdrWriter();
        nameless.WriteInt(55).WriteInt(0).WriteOptionalString(null).WriteInt(2);
        var invalid = LibvirtException.Decode(nameless.Written);
        invalid.IsOperationInvalid.Should().BeTrue();
        invalid.Message.Should().Be("libvirt error 55");
    }

    [Fact]
    public void Typed_parameters_encode_field_type_value()
    {
        var w = new XdrWriter();
        TypedParameter.OfULLong("bandwidth", 5).Write(w);
        TypedParameter.OfString("migrate_uri", "tcp://h").Write(w);
        w.Written.ToArray().Should().Equal(Bytes(
            0, 0, 0, 9, (byte)'b', (byte)'a', (byte)'n', (byte)'d', (byte)'w', (byte)'i', (byte)'d', (byte)'t', (byte)'h', 0, 0, 0,
            0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 5,
            0, 0, 0, 11, (byte)'m', (byte)'i', (byte)'g', (byte)'r', (byte)'a', (byte)'t', (byte)'e', (byte)'_', (byte)'u', (byte)'r', (byte)'i', 0,
            0, 0, 0, 7,
            0, 0, 0, 7, (byte)'t', (byte)'c', (byte)'p', (byte)':', (byte)'/', (byte)'/', (byte)'h', 0));
        var r = new XdrReader(w.Written);
        TypedParameter.Read(ref r).Should().Be(TypedParameter.OfULLong("bandwidth", 5));
        TypedParameter.Read(ref r).Should().Be(TypedParameter.OfString("migrate_uri", "tcp://h"));
    }

    [Fact]
    public void A_domain_reference_is_name_uuid_id()
    {
        var dom = new DomainRef("vm", Enumerable.Range(1, 16).Select(i => (byte)i).ToArray(), 3);
        var w = new XdrWriter();
        dom.Write(w);
        w.Written.ToArray().Should().Equal(Bytes(0, 0, 0, 2, (byte)'v', (byte)'m', 0, 0,
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 3));
        var r = new XdrReader(w.Written);
        var back = DomainRef.Read(ref r);
        back.Name.Should().Be("vm");
        back.Uuid.Should().Equal(dom.Uuid);
        back.Id.Should().Be(3);
        dom.UuidString.Should().Be("01020304-0506-0708-090a-0b0c0d0e0f10");
        LibvirtConnection.ParseUuid(dom.UuidString).Should().Equal(dom.Uuid);
    }
}
