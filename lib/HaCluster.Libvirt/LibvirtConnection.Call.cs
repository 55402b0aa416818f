using System.Buffers.Binary;
using HaCluster.Core;
using HaCluster.Core.Native;

namespace HaCluster.Libvirt;

/// <summary>Reads the return value of one procedure from its reply's payload.</summary>
internal delegate TReply ReplyReader<TReply>(ref XdrReader reader);

/// <summary>The one way a call reaches the daemon: serialise, send, receive, map errors.</summary>
public sealed partial class LibvirtConnection
{
    /// <summary>A call whose reply carries no value.</summary>
    void Call<TArgs>(int procedure, TArgs args, Action<XdrWriter, TArgs> writeArgs, Deadline deadline)
        => Call(procedure, args, writeArgs, RemoteReplies.None, deadline);

    /// <summary>
    /// One remote procedure call, under the connection's lock: writes the header and
    /// <paramref name="args"/>, sends them, skips what is not the reply, and reads the reply with
    /// <paramref name="readReply"/>, which must take the whole payload. Errors come out in the
    /// client's terms whatever part of the exchange they arise in: an expired deadline is a
    /// <see cref="TimeoutException"/>; a lost connection, a malformed frame, or a reply body (OK
    /// or error) that does not decode or is longer than its layout is a
    /// <see cref="LibvirtException"/> with <see cref="LibvirtException.IsConnectionFailure"/>, and
    /// all of these break the connection; an error the daemon returns is a
    /// <see cref="LibvirtException"/> with its code, and the connection stays usable.
    /// </summary>
    TReply Call<TArgs, TReply>(int procedure, TArgs args, Action<XdrWriter, TArgs> writeArgs, ReplyReader<TReply> readReply, Deadline deadline)
    {
        ArgumentNullException.ThrowIfNull(deadline);
        lock (sync)
        {
            ObjectDisposedException.ThrowIf(closed, this);
            if (brokenReason is not null)
                throw new LibvirtException(LibvirtErrorCode.NoConnect, $"the libvirt connection is broken: {brokenReason}");
            uint callSerial = ++serial;
            writer.Clear();
            writer.WriteUInt(0);
            new MessageHeader(RemoteProtocol.Program, RemoteProtocol.ProtocolVersion, procedure, MessageType.Call, callSerial, MessageStatus.Ok).Write(writer);
            writeArgs(writer, args);
            if (writer.Length > RemoteProtocol.MessageMax)
                throw new ArgumentException($"libvirt call {procedure} is {writer.Length} bytes, more than the protocol allows");
            writer.PatchUInt(0, (uint)writer.Length);
            if (deadline.IsExpired)
                throw new TimeoutException($"no time left for libvirt call {procedure}");

            LibvirtException daemonError;
            try
            {
                Send(writer.Written, procedure, deadline);
                int length = ReceiveReply(procedure, callSerial, deadline, out var status);
                var payload = receiveBuffer.AsSpan(RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize,
                    length - RemoteProtocol.LengthSize - RemoteProtocol.HeaderSize);
                if (status == MessageStatus.Error)
                {
                    daemonError = LibvirtException.Decode(payload);
                }
                else
                {
                    // The body is decoded here, inside the error mapping: a reply that does not
                    // decode says as much about the daemon as a frame that does not.
                    var reader = new XdrReader(payload);
                    var reply = readReply(ref reader);
                    if (reader.Remaining != 0)
                        throw new XdrException($"reply to call {procedure} has {reader.Remaining} bytes more than its return value");
                    return reply;
                }
            }
            catch (TimeoutException e)
            {
                Break(e.Message);
                throw;
            }
            catch (XdrException e)
            {
                Break(e.Message);
                throw new LibvirtException(LibvirtErrorCode.Rpc, $"malformed message from libvirt: {e.Message}", e);
            }
            catch (LibvirtException e)
            {
                Break(e.Message);
                throw;
            }
            throw daemonError;
        }
    }

    /// <summary>
    /// Reads messages until the reply to <paramref name="callSerial"/> and returns its length
    /// (the frame is in <see cref="receiveBuffer"/>). Events, keep-alives, stream data and stale
    /// replies are skipped.
    /// </summary>
    int ReceiveReply(int procedure, uint callSerial, Deadline deadline, out MessageStatus status)
    {
        while (true)
        {
            ThrowIfExpired(procedure, deadline, "receive the reply from");
            ReceiveExactly(0, RemoteProtocol.LengthSize, procedure, deadline);
            int length = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(receiveBuffer), int.MaxValue);
            if (length < RemoteProtocol.LengthSize + RemoteProtocol.HeaderSize || length > RemoteProtocol.MessageMax)
                throw new XdrException($"libvirt message length {length} is out of range");
            if (length > receiveBuffer.Length)
            {
                var bigger = new byte[Math.Max(length, receiveBuffer.Length * 2)];
                receiveBuffer.AsSpan(0, RemoteProtocol.LengthSize).CopyTo(bigger);
                receiveBuffer = bigger;
            }
            ReceiveExactly(RemoteProtocol.LengthSize, length - RemoteProtocol.LengthSize, procedure, deadline);
            var reader = new XdrReader(receiveBuffer.AsSpan(RemoteProtocol.LengthSize, RemoteProtocol.HeaderSize));
            var header = MessageHeader.Read(ref reader);
            if (header.Program != RemoteProtocol.Program || header.Type != MessageType.Reply || header.Serial != callSerial)
                continue;
            if (header.Procedure != procedure)
                throw new XdrException($"reply {header.Serial} is for procedure {header.Procedure}, not {procedure}");
            status = header.Status;
            if (status is not (MessageStatus.Ok or MessageStatus.Error))
                throw new XdrException($"reply status {(int)status} is unexpected");
            return length;
        }
    }

    void Break(string reason)
    {
        brokenReason ??= reason;
        socket.Dispose();
    }

    void Send(ReadOnlySpan<byte> data, int procedure, Deadline deadline)
    {
        while (!data.IsEmpty)
        {
            ThrowIfExpired(procedure, deadline, "send to");
            int sent = socket.Send(data, out int error);
            if (sent >= 0)
            {
                data = data[sent..];
                continue;
            }
            if (error == UnixStreamSocket.EAGAIN)
            {
                Wait(forWrite: true, deadline);
                continue;
            }
            throw ConnectionFailed(error);
        }
    }

    void ReceiveExactly(int offset, int count, int procedure, Deadline deadline)
    {
        int end = offset + count;
        while (offset < end)
        {
            ThrowIfExpired(procedure, deadline, "receive from");
            int received = socket.Receive(receiveBuffer.AsSpan(offset, end - offset), out int error);
            if (received >= 0)
            {
                if (received == 0) throw new LibvirtException(LibvirtErrorCode.NoConnect, "libvirt closed the connection");
                offset += received;
                continue;
            }
            if (error == UnixStreamSocket.EAGAIN)
            {
                Wait(forWrite: false, deadline);
                continue;
            }
            throw ConnectionFailed(error);
        }
    }

    /// <summary>Waits until the socket is ready or the deadline passes; the caller's loop then checks the deadline.</summary>
    void Wait(bool forWrite, Deadline deadline)
    {
        var left = deadline.Remaining;
        if (left > TimeSpan.Zero) socket.Poll(left, forWrite);
    }

    /// <summary>A send or receive the system refused (reset, broken pipe, closed): the connection is gone.</summary>
    static LibvirtException ConnectionFailed(int errno) =>
        new(LibvirtErrorCode.NoConnect, $"libvirt connection failed: {UnixStreamSocket.Describe(errno)}");

    /// <summary>
    /// Every turn of every loop that talks to the daemon starts here, not only the turns that
    /// would block: a daemon that never lets the socket run dry (keep-alives or events without a
    /// pause) must not hold a call past its deadline.
    /// </summary>
    void ThrowIfExpired(int procedure, Deadline deadline, string what)
    {
        if (deadline.IsExpired)
            throw new TimeoutException($"libvirt did not answer call {procedure} in time (could not {what} {SocketPath})");
    }
}
