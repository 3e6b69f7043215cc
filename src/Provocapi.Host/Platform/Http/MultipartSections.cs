using Microsoft.AspNetCore.WebUtilities;

namespace Provocapi.Host.Platform.Http;

/// <summary>
/// The sections of a streamed multipart body. <see cref="MultipartReader"/> reports a body that ends before its closing
/// boundary as a bare <see cref="IOException"/>, which would read as a server fault; here it is an
/// <see cref="InvalidDataException"/> like the reader's other framing errors, so endpoints answer it with a 400.
/// </summary>
public sealed class MultipartSections(string boundary, Stream body, long? bodyLengthLimit, CancellationToken requestAborted)
{
    readonly MultipartReader _reader = new(boundary, body) { BodyLengthLimit = bodyLengthLimit };

    /// <summary>The next section (reading past the rest of the one before), or null after the closing boundary.</summary>
    public async Task<MultipartSection?> NextAsync()
    {
        try
        {
            var section = await _reader.ReadNextSectionAsync(requestAborted);
            if (section != null) section.Body = new SectionBody(section.Body, requestAborted);
            return section;
        }
        catch (IOException e) when (IsTruncation(e, requestAborted))
        {
            throw Truncated(e);
        }
    }

    /// <summary>
    /// The reader's own complaint is a plain IOException; Kestrel's (a body over its limit, a client gone mid-body) are
    /// subclasses, and they keep their meaning.
    /// </summary>
    static bool IsTruncation(IOException e, CancellationToken requestAborted) =>
        e.GetType() == typeof(IOException) && !requestAborted.IsCancellationRequested;

    static InvalidDataException Truncated(IOException e) => new("the body ended before the closing boundary", e);

    sealed class SectionBody(Stream inner, CancellationToken requestAborted) : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try { return await inner.ReadAsync(buffer, cancellationToken); }
            catch (IOException e) when (IsTruncation(e, requestAborted)) { throw Truncated(e); }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count)
        {
            try { return inner.Read(buffer, offset, count); }
            catch (IOException e) when (IsTruncation(e, requestAborted)) { throw Truncated(e); }
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
