package io.uploads.testing;

import io.uploads.testing.Http.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Uploads a local file the way the TSD client does: {@code PATCH /v1/{project}/files/stream/{group}/{filename}}
 * with {@code chunk=1} (no id) first, then {@code chunk=n&id=..} where n is the last answer's
 * {@code max_chunk + 1}, and {@code chunk=end&id=..&group=..} with an empty body and
 * {@code Modified-Time: None}. Chunk bodies carry no Content-Type.
 *
 * <p>Resuming: {@code GET /files/resumables/{filename}}; if it names an {@code id}, the md5 of the
 * local bytes {@code [previous_offset, next_offset)} must equal its {@code md5sum}, and the upload
 * continues from {@code next_offset} with chunk {@code max_chunk + 1}.
 *
 * <p>Reads one chunk at a time from the file, never the whole file. Filenames and groups are sent
 * as given, so tests use plain ASCII names.
 */
public final class TsdStyleClient {

    private static final String PROJECT_PREFIX = "/v1/p11/files";

    private final Http http;
    private final String token;
    private final String group;
    private final Path file;
    private final String filename;
    private final int chunkSize;
    private final long fileSize;

    private @Nullable String id;
    private int nextChunk = 1;
    private long nextOffset;
    private int lastChunk;
    private long lastChunkOffset;
    private int lastChunkLength;

    public TsdStyleClient(Http http, String token, String group, Path file, String filename, int chunkSize) {
        this.http = http;
        this.token = token;
        this.group = group;
        this.file = file;
        this.filename = filename;
        this.chunkSize = chunkSize;
        try {
            this.fileSize = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public @Nullable String id() {
        return id;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public boolean allSent() {
        return nextOffset >= fileSize;
    }

    /**
     * Sends at most {@code maxChunks} chunks from where the client stands, each of which must be
     * answered 201. Returns the last answer, or null when there was nothing left to send.
     */
    public @Nullable Reply sendChunks(int maxChunks) {
        Reply last = null;
        for (int sent = 0; sent < maxChunks && !allSent(); sent++) {
            int length = (int) Math.min(chunkSize, fileSize - nextOffset);
            last = patch(chunkQuery(nextChunk), read(nextOffset, length));
            if (last.status() != 201) {
                throw new AssertionError("chunk " + nextChunk + " was refused: " + last.status() + " " + last.body());
            }
            id = last.text("id");
            lastChunk = nextChunk;
            lastChunkOffset = nextOffset;
            lastChunkLength = length;
            nextChunk = last.json().get("max_chunk").asInt() + 1;
            nextOffset += length;
        }
        return last;
    }

    public @Nullable Reply sendRemaining() {
        return sendChunks(Integer.MAX_VALUE);
    }

    /** What the service reports about this filename, as the TSD client asks before resuming. */
    public Reply resumable() {
        return http.get(PROJECT_PREFIX + "/resumables/" + filename, token);
    }

    /**
     * The TSD client's resume: asks the service, checks the local bytes it reports against its
     * md5sum, and positions the client after them. Returns the service's answer.
     */
    public Reply resume() {
        Reply info = resumable();
        if (info.status() != 200 || info.text("id") == null) {
            throw new AssertionError("nothing to resume for " + filename + ": " + info.status() + " " + info.body());
        }
        long previous = info.json().get("previous_offset").asLong();
        long next = info.json().get("next_offset").asLong();
        String local = TestFiles.md5(read(previous, Math.toIntExact(next - previous)));
        if (!local.equals(info.text("md5sum"))) {
            throw new AssertionError("local bytes [" + previous + ", " + next + ") have md5 " + local
                    + ", the service reports " + info.text("md5sum"));
        }
        id = info.text("id");
        lastChunk = info.json().get("max_chunk").asInt();
        lastChunkOffset = previous;
        lastChunkLength = Math.toIntExact(next - previous);
        nextChunk = lastChunk + 1;
        nextOffset = next;
        return info;
    }

    /**
     * Sends the last chunk again with the same bytes, as a client whose answer was lost does; a
     * 201 answer positions the client at its {@code max_chunk + 1}, like any other.
     */
    public Reply resendLastChunk() {
        if (lastChunk == 0) {
            throw new IllegalStateException("no chunk was sent yet");
        }
        Reply reply = patch(chunkQuery(lastChunk), read(lastChunkOffset, lastChunkLength));
        if (reply.status() == 201) {
            nextChunk = reply.json().get("max_chunk").asInt() + 1;
        }
        return reply;
    }

    /** {@code chunk=end}, exactly as the TSD client sends it. */
    public Reply end() {
        if (id == null) {
            throw new IllegalStateException("no upload to end");
        }
        return http.send("PATCH", streamPath() + "?chunk=end&id=" + id + "&group=" + group, token,
                BodyPublishers.noBody(), Map.of("Modified-Time", "None"));
    }

    private String chunkQuery(int n) {
        return "?chunk=" + n + (n == 1 && id == null ? "" : "&id=" + id);
    }

    private Reply patch(String query, byte[] chunk) {
        return http.send("PATCH", streamPath() + query, token, BodyPublishers.ofByteArray(chunk), Map.of());
    }

    private String streamPath() {
        return PROJECT_PREFIX + "/stream/" + group + "/" + filename;
    }

    private byte[] read(long offset, int length) {
        byte[] bytes = new byte[length];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            while (buffer.hasRemaining()) {
                if (in.read(buffer, offset + buffer.position()) < 0) {
                    throw new IllegalStateException(file + " ends before offset " + (offset + length));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes;
    }
}
