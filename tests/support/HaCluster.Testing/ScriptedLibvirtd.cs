using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;
using HaCluster.Libvirt;

namespace HaCluster.Testing;

/// <summary>
/// A scripted libvirtd stand-in: listens on a unix socket, reads the calls of any number of
/// clients and hands each to a script, which answers with whatever bytes it likes: a proper
/// reply, an error, garbage, a frame cut short, nothing at all, or an endless stream. No libvirtd
/// needed; for states and faults a real daemon cannot be made to show.
/// </summary>
internal sealed class ScriptedLibvirtd : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("hacluster-scripted-libvirtd-").FullName;
    readonly Socket listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    readonly Action<ScriptedCall> script;
    readonly CancellationTokenSource stopping = new();
    readonly ConcurrentBag<Socket> clients = [];
    readonly List<Thread> threads = [];

    /// <param name="script">Called for every call of every client, on that client's thread; a call it leaves unanswered gets no reply.</param>
    public ScriptedLibvirtd(Action<ScriptedCall> script)
    {
        this.script = script;
        SocketPath = Path.Combine(dir, "libvirt-sock");
        listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        listener.Listen(8);
        Start(AcceptLoop);
    }

    public string SocketPath { get; }
    public string Uri => $"test+unix:///default?socket={SocketPath}";
    /// <summary>The procedure numbers called, in the order they arrived.</summary>
    public ConcurrentQueue<int> Procedures { get; } = new();
    /// <summary>Cancelled when the stand-in shuts down: endless scripts stop on it.</summary>
    public CancellationToken Stopping => stopping.Token;

    void Start(ThreadStart body)
    {
        var thread = new Thread(body) { IsBackground = true, Name = "scripted libvirtd" };
        lock (threads) threads.Add(thread);
        thread.Start();
    }

    void AcceptLoop()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try { client = listener.Accept(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            clients.Add(client);
            Start(() => Serve(client));
        }
    }

    void Serve(Socket client)
    {
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var lengthBytes = new byte[4];
                if (!ReadExactly(client, lengthBytes)) return;
                var body = new byte[BinaryPrimitives.ReadInt32BigEndian(lengthBytes) - 4];
                if (!ReadExactly(client, body)) return;
                var reader = new XdrReader(body);
                var header = MessageHeader.Read(ref reader);
                Procedures.Enqueue(header.Procedure);
                var call = new ScriptedCall(client, header, body[RemoteProtocol.HeaderSize..], Stopping);
                script(call);
                if (call.HungUp) return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { } // the client hung up first
        finally { client.Dispose(); }
    }

    static bool ReadExactly(Socket s, byte[] buffer)
    {
        int n = 0;
        while (n < buffer.Length)
        {
            int r = s.Receive(buffer, n, buffer.Length - n, SocketFlags.None);
            if (r == 0) return false;
            n += r;
        }
        return true;
    }

    /// <summary>Stops accepting and serving; waits for the client threads.</summary>
    public void Dispose()
    {
        if (stopping.IsCancellationRequested) return;
        stopping.Cancel();
        listener.Dispose();
        foreach (var c in clients) c.Dispose();
        lock (threads)
            foreach (var t in threads) t.Join(TimeSpan.FromSeconds(5));
        Directory.Delete(dir, true);
    }

    /// <summary>A whole frame: length, header, payload as it is (not padded: a script may send any length).</summary>
    public static byte[] Frame(uint program, int procedure, MessageType type, uint serial, MessageStatus status, ReadOnlySpan<byte> payload)
    {
        var w = new XdrWriter();
        w.WriteUInt((uint)(RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize + payload.Length));
        new MessageHeader(program, RemoteProtocol.ProtocolVersion, procedure, type, serial, status).Write(w);
        return [.. w.Written, .. payload];
    }

    /// <summary>A keep-alive PING from the daemon (program "keep", procedure 1, no payload).</summary>
    public static byte[] KeepAlive() => Frame(RemoteProtocol.KeepAliveProgram, 1, MessageType.Message, 0, MessageStatus.Ok, []);

    /// <summary>An asynchronous domain event (a message of the remote program, serial 0).</summary>
    public static byte[] Event() => Frame(RemoteProtocol.Program, 107, MessageType.Message, 0, MessageStatus.Ok, new byte[40]);

    /// <summary>A remote_error payload: code, domain, message, level, then the optional fields all absent.</summary>
    public static byte[] ErrorPayload(int code, string message) => new XdrWriter()
        .WriteInt(code).WriteInt(10).WriteOptionalString(message).WriteInt(2)
        .WriteBool(false).WriteOptionalString(null).WriteOptionalString(null).WriteOptionalString(null)
        .WriteInt(0).WriteInt(0).WriteBool(false).Written.ToArray();
}

/// <summary>One call the <see cref="ScriptedLibvirtd"/> received, and the ways to answer it.</summary>
internal sealed class ScriptedCall(Socket client, MessageHeader header, byte[] payload, CancellationToken stopping)
{
    public MessageHeader Header { get; } = header;
    public int Procedure => Header.Procedure;
    public byte[] Payload { get; } = payload;
    internal bool HungUp { get; private set; }

    /// <summary>Sends raw bytes.</summary>
    public void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty) bytes = bytes[client.Send(bytes)..];
    }

    /// <summary>A framed reply with <paramref name="status"/> and <paramref name="body"/>, for this call's procedure and serial.</summary>
    public byte[] ReplyFrame(ReadOnlySpan<byte> body, MessageStatus status = MessageStatus.Ok)
        => ScriptedLibvirtd.Frame(RemoteProtocol.Program, Procedure, MessageType.Reply, Header.Serial, status, body);

    /// <summary>Replies OK with <paramref name="body"/> (none: a void reply).</summary>
    public void Ok(ReadOnlySpan<byte> body = default) => Send(ReplyFrame(body));

    /// <summary>Replies OK with what <paramref name="write"/> puts in the body.</summary>
    public void Ok(Action<XdrWriter> write)
    {
        var w = new XdrWriter();
        write(w);
        Ok(w.Written);
    }

    /// <summary>Replies with a libvirt error.</summary>
    public void Error(int code, string message) => Send(ReplyFrame(ScriptedLibvirtd.ErrorPayload(code, message), MessageStatus.Error));

    /// <summary>Closes the connection (after whatever was sent).</summary>
    public void HangUp()
    {
        HungUp = true;
        try { client.Shutdown(SocketShutdown.Both); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    /// <summary>Sends <paramref name="message"/> over and over, without a pause, until the client goes or the stand-in stops.</summary>
    public void Flood(byte[] message)
    {
        var burst = new byte[message.Length * Math.Max(1, 65536 / message.Length)];
        for (int i = 0; i < burst.Length; i += message.Length) message.CopyTo(burst, i);
        try
        {
            while (!stopping.IsCancellationRequested) Send(burst);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        HangUp();
    }
}
