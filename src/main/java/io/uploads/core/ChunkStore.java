package io.uploads.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session bytes on disk, one file per session. Layout under the storage root:
 * <pre>
 * sessions/{sessionId}        the session's bytes, each chunk at its offset; only the ranges its
 *                             chunk rows record mean anything (a row exists only once its range is
 *                             fsynced); anything else in the file is a write that never committed
 * files/{group}/{filename}    finished files: the session's file, linked under its final name
 * </pre>
 * Session ids are server-generated UUIDs, so nothing a client sends ever names a path here.
 * Completion is an fsync and a {@code link(2)}: the bytes are never copied.
 */
public final class ChunkStore {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);

    private final Path root;
    private final Path sessions;
    private final long minFreeBytes;
    /** Found once: finding it reads the whole mount table, asking it for free space is a statvfs. */
    private volatile @Nullable FileStore fileStore;

    public ChunkStore(Path root, long minFreeBytes) {
        this.root = root.toAbsolutePath().normalize();
        this.sessions = this.root.resolve("sessions");
        this.minFreeBytes = minFreeBytes;
    }

    /** The store at {@code root}, its directories created if this is the first start. */
    public static ChunkStore open(Path root, long minFreeBytes) {
        ChunkStore store = new ChunkStore(root, minFreeBytes);
        try {
            Files.createDirectories(store.sessions);
            Files.createDirectories(store.root.resolve("files"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the storage directory " + store.root, e);
        }
        return store;
    }

    public Path root() {
        return root;
    }

    /**
     * A body received: how many bytes, their md5, the other digest asked for, and the running
     * SHA-256 of the whole file up to its end when one was carried in.
     *
     * @param interrupted the body ended before it was complete; these are the bytes that arrived
     */
    public record Received(long offset, long size, String md5, byte @Nullable [] digest,
                           @Nullable MessageDigest sha256, boolean interrupted) {

        public long end() {
            return offset + size;
        }
    }

    /** How a body is read: its limits, the digests to compute, and what to do when it ends early. */
    public record Reading(long maxBytes, long expectedBytes, @Nullable String digestAlgorithm, boolean keepInterrupted) {}

    /**
     * Called before each buffer is written: renews the writer's claim when it is due, and refuses
     * the write once the claim has lapsed, as another writer may have taken the range since.
     */
    public interface Progress {
        Progress NONE = () -> { };

        void beforeWrite();
    }

    /**
     * Streams {@code body} into the session's file at {@code offset} with positional writes,
     * computing md5 (and the asked-for digest, and {@code sha256} when given) on the way, and
     * fsyncs it. Never holds more than one buffer of the body in memory. The caller holds the
     * session's writer claim on this range (or the session is not known to anyone else yet).
     *
     * @param sha256 the whole file's running digest up to {@code offset}, updated in place; null for none
     */
    public Received write(String sessionId, long offset, InputStream body, Reading reading,
                          @Nullable MessageDigest sha256, Progress progress) {
        requireFreeSpace(Math.max(reading.expectedBytes(), 0));
        Path file = sessionFile(sessionId);
        try (FileChannel out = openForWrite(file); Writeback writeback = new Writeback(out)) {
            Received received = pump(body, reading, sha256, (buffer, position) -> {
                progress.beforeWrite();
                int length = buffer.remaining();
                while (buffer.hasRemaining()) {
                    position += out.write(buffer, position);
                }
                writeback.written(length);
            }, offset);
            writeback.finish();
            // fdatasync: the file's size is data to it, so a later read finds every byte written here
            out.force(false);
            return received;
        } catch (IOException e) {
            throw storageFailure(e, "cannot write to the file of session " + sessionId);
        }
    }

    /** Reads {@code body} only for its digests, writing nothing: a chunk sent again is compared, never rewritten. */
    public Received digestOnly(InputStream body, long offset, Reading reading) {
        try {
            return pump(body, reading, null, (buffer, position) -> { }, offset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private interface Sink {
        void accept(ByteBuffer buffer, long position) throws IOException;
    }

    private static Received pump(InputStream body, Reading reading, @Nullable MessageDigest sha256, Sink sink,
                                 long offset) throws IOException {
        try (BodyDigests digests = new BodyDigests(reading.digestAlgorithm(), sha256)) {
            long total = 0;
            boolean interrupted = false;
            while (true) {
                byte[] buffer = digests.buffer();
                int n;
                try {
                    n = readBody(body, buffer);
                } catch (UploadException e) {
                    if (!reading.keepInterrupted()) {
                        throw e;
                    }
                    interrupted = true;
                    break;
                }
                if (n < 0) {
                    break;
                }
                if (total + n > reading.maxBytes()) {
                    throw new UploadException(UploadException.Problem.TOO_LARGE,
                            "chunk is larger than the limit of " + reading.maxBytes() + " bytes");
                }
                sink.accept(ByteBuffer.wrap(buffer, 0, n), offset + total);
                digests.update(buffer, n);
                total += n;
            }
            if (reading.expectedBytes() >= 0 && total != reading.expectedBytes()) {
                if (!reading.keepInterrupted() || total > reading.expectedBytes()) {
                    throw new UploadException(UploadException.Problem.INCOMPLETE_BODY,
                            "received " + total + " bytes but " + reading.expectedBytes() + " were declared");
                }
                interrupted = true;
            }
            return digests.received(offset, total, interrupted);
        }
    }

    /** Creating the file makes its directory entry durable before any row can point into it. */
    private static FileChannel openForWrite(Path file) throws IOException {
        try {
            FileChannel created;
            try {
                created = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (NoSuchFileException noDirectory) {
                // the storage directory was removed under a running service: make it again
                Files.createDirectories(file.getParent());
                created = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
            fsyncDirectory(file.getParent());
            return created;
        } catch (FileAlreadyExistsException exists) {
            return FileChannel.open(file, StandardOpenOption.WRITE);
        }
    }

    /**
     * Copies the range {@code received} of one session's file into the same range of another's and
     * fsyncs it: a chunk that lost the race to create its upload joins the winner. The caller holds
     * the writer claim on that range of {@code toId}.
     */
    public Received copy(String fromId, String toId, Received received) {
        try (FileChannel in = FileChannel.open(sessionFile(fromId), StandardOpenOption.READ);
             FileChannel out = openForWrite(sessionFile(toId))) {
            long done = 0;
            while (done < received.size()) {
                long n = in.transferTo(received.offset() + done, received.size() - done,
                        out.position(received.offset() + done));
                if (n <= 0) {
                    throw new IOException("the file of session " + fromId + " ends before " + received.end());
                }
                done += n;
            }
            out.force(false);
            return received;
        } catch (IOException e) {
            throw storageFailure(e, "cannot copy a chunk into the file of session " + toId);
        }
    }

    /**
     * Cuts the session's file back to {@code size}: bytes written past the recorded ones by a
     * request that was refused, or before a crash. Only its writer may call it.
     */
    public void truncate(String sessionId, long size) {
        Path file = sessionFile(sessionId);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (ch.size() > size) {
                ch.truncate(size);
                ch.force(false);
            }
        } catch (NoSuchFileException e) {
            // nothing was written
        } catch (IOException e) {
            throw storageFailure(e, "cannot truncate the file of session " + sessionId);
        }
    }

    /** Ensures the session's file exists and is durable (an upload of zero bytes never wrote one). */
    void createIfMissing(String sessionId) {
        try (FileChannel ignored = openForWrite(sessionFile(sessionId))) {
            // opened for its side effect
        } catch (IOException e) {
            throw storageFailure(e, "cannot create the file of session " + sessionId);
        }
    }

    public Path sessionFile(String sessionId) {
        return sessions.resolve(sessionId);
    }

    /** Size of the session's file, or -1 when there is none. */
    public long fileSize(String sessionId) {
        try {
            return Files.size(sessionFile(sessionId));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw storageFailure(e, "cannot stat the file of session " + sessionId);
        }
    }

    /** Ids of every session that has a file here. */
    public List<String> sessionIdsOnDisk() {
        return list(sessions).stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Removes what the store holds for a session (its bytes are no longer needed, or live on in its final file). */
    public void deleteSession(String sessionId) {
        deleteQuietly(sessionFile(sessionId));
    }

    public boolean modifiedBefore(Path p, Instant instant) {
        try {
            return Files.getLastModifiedTime(p).toInstant().isBefore(instant);
        } catch (IOException e) {
            return false;
        }
    }

    /** Refuses work up front when the storage file system is nearly full. */
    public void requireFreeSpace(long needed) {
        try {
            long usable = fileStore().getUsableSpace();
            if (usable - needed < minFreeBytes) {
                throw new UploadException(UploadException.Problem.STORAGE_FULL,
                        "storage is full: " + usable + " bytes free, " + minFreeBytes + " must remain");
            }
        } catch (IOException e) {
            throw storageFailure(e, "cannot inspect the storage directory");
        }
    }

    public long usableSpace() throws IOException {
        Files.createDirectories(root);
        return fileStore().getUsableSpace();
    }

    private FileStore fileStore() throws IOException {
        FileStore found = fileStore;
        if (found == null) {
            found = Files.getFileStore(root);
            fileStore = found;
        }
        return found;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is mandatory in every JRE", e);
        }
    }

    /** A disk-full condition is the client's to know about (507); anything else is our failure. */
    static RuntimeException storageFailure(IOException e, String what) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("no space left") || message.contains("disk quota exceeded")) {
            return new UploadException(UploadException.Problem.STORAGE_FULL, "storage is full: " + what, e);
        }
        return new UncheckedIOException(what, e);
    }

    /**
     * Reads what has arrived, up to a whole buffer: it waits for the first bytes only, then takes
     * what the connection already holds, so a fast body is written a buffer at a time (not in the
     * container's 8 KiB reads) and a slow one is still written as it arrives.
     */
    private static int readBody(InputStream body, byte[] buffer) {
        try {
            int n = body.read(buffer);
            try {
                while (n > 0 && n < buffer.length && body.available() > 0) {
                    int more = body.read(buffer, n, Math.min(body.available(), buffer.length - n));
                    if (more < 0) {
                        break;
                    }
                    n += more;
                }
            } catch (IOException brokenAfterSomeBytes) {
                // the bytes read count; the next read reports the broken body
            }
            return n;
        } catch (IOException e) {
            // the client went away or sent less than it declared
            throw new UploadException(UploadException.Problem.INCOMPLETE_BODY,
                    "the request body ended early: " + e.getMessage(), e);
        }
    }

    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", p, e.toString());
        }
    }
}
