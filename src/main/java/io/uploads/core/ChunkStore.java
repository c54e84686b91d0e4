package io.uploads.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunk bytes on disk. Layout under the storage root:
 * <pre>
 * sessions/{sessionId}/{uuid}.part    a chunk being received (garbage after a crash)
 * sessions/{sessionId}/{n}.chunk      chunk n, durable; exists before its row does
 * files/{group}/{filename}            finished files
 * </pre>
 * Session ids are server-generated UUIDs, so nothing a client sends ever names a path here.
 */
public final class ChunkStore {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkStore.class);
    private static final int BUFFER_SIZE = 256 * 1024;
    private static final String PART_SUFFIX = ".part";
    private static final String CHUNK_SUFFIX = ".chunk";

    private final Path root;
    private final Path sessions;
    private final long minFreeBytes;

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
     * A chunk's bytes, durable in a temporary file, not yet part of any session.
     *
     * @param digest the bytes' digest in the algorithm that was asked for, or null
     * @param interrupted the body ended before it was complete; these are the bytes that arrived
     */
    public record StagedChunk(Path file, long size, String md5, byte @Nullable [] digest, boolean interrupted) {}

    /** {@link #stage(String, InputStream, long, long, String, boolean)} refusing a short body, md5 only. */
    public StagedChunk stage(String sessionId, InputStream body, long maxBytes, long expectedBytes) {
        return stage(sessionId, body, maxBytes, expectedBytes, null, false);
    }

    /**
     * Streams {@code body} into a temporary file of the session's directory, computing md5 (and
     * {@code digestAlgorithm}, if given) on the way, and fsyncs it. Never holds more than one
     * buffer of the body in memory.
     *
     * @param maxBytes more than this many bytes is {@link UploadException.Problem#TOO_LARGE}
     * @param expectedBytes when known (Content-Length), fewer bytes is an incomplete body
     * @param keepInterrupted keep the bytes of a body that ends early (marked interrupted)
     *        instead of refusing it with {@link UploadException.Problem#INCOMPLETE_BODY}
     */
    public StagedChunk stage(String sessionId, InputStream body, long maxBytes, long expectedBytes,
                             @Nullable String digestAlgorithm, boolean keepInterrupted) {
        requireFreeSpace(Math.max(expectedBytes, 0));
        Path tmp;
        try {
            tmp = Files.createDirectories(sessionDir(sessionId)).resolve(UUID.randomUUID() + PART_SUFFIX);
        } catch (IOException e) {
            throw storageFailure(e, "cannot create the session directory");
        }
        boolean staged = false;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            MessageDigest md5 = md5();
            MessageDigest other = digestAlgorithm == null ? null : digest(digestAlgorithm);
            byte[] buffer = new byte[BUFFER_SIZE];
            ByteBuffer wrapped = ByteBuffer.wrap(buffer);
            long total = 0;
            boolean interrupted = false;
            while (true) {
                int n;
                try {
                    n = readBody(body, buffer);
                } catch (UploadException e) {
                    if (!keepInterrupted) {
                        throw e;
                    }
                    interrupted = true;
                    break;
                }
                if (n < 0) {
                    break;
                }
                total += n;
                if (total > maxBytes) {
                    throw new UploadException(UploadException.Problem.TOO_LARGE,
                            "chunk is larger than the limit of " + maxBytes + " bytes");
                }
                md5.update(buffer, 0, n);
                if (other != null) {
                    other.update(buffer, 0, n);
                }
                wrapped.clear().limit(n);
                while (wrapped.hasRemaining()) {
                    out.write(wrapped);
                }
            }
            if (expectedBytes >= 0 && total != expectedBytes) {
                if (!keepInterrupted || total > expectedBytes) {
                    throw new UploadException(UploadException.Problem.INCOMPLETE_BODY,
                            "received " + total + " bytes but " + expectedBytes + " were declared");
                }
                interrupted = true;
            }
            out.force(true);
            staged = true;
            return new StagedChunk(tmp, total, HexFormat.of().formatHex(md5.digest()),
                    other == null ? null : other.digest(), interrupted);
        } catch (IOException e) {
            throw storageFailure(e, "cannot write the chunk");
        } finally {
            if (!staged) {
                deleteQuietly(tmp);
            }
        }
    }

    /** Moves a staged chunk under its final name; call only while holding the session's row lock. */
    public void commit(StagedChunk staged, String sessionId, int chunkNumber) {
        Path target = chunkPath(sessionId, chunkNumber);
        try {
            Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw storageFailure(e, "cannot move chunk " + chunkNumber + " into place");
        }
    }

    /** Deletes a staged chunk that was not committed; false when there was nothing left to delete. */
    public boolean discard(StagedChunk staged) {
        try {
            return Files.deleteIfExists(staged.file());
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", staged.file(), e.toString());
            return false;
        }
    }

    public Path chunkPath(String sessionId, int chunkNumber) {
        return sessionDir(sessionId).resolve(chunkNumber + CHUNK_SUFFIX);
    }

    /** Size of chunk n on disk, or -1 when its file is missing. */
    public long chunkFileSize(String sessionId, int chunkNumber) {
        try {
            return Files.size(chunkPath(sessionId, chunkNumber));
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException e) {
            throw storageFailure(e, "cannot stat chunk " + chunkNumber);
        }
    }

    public void deleteChunk(String sessionId, int chunkNumber) {
        deleteQuietly(chunkPath(sessionId, chunkNumber));
    }

    public Path sessionDir(String sessionId) {
        return sessions.resolve(sessionId);
    }

    /** Chunk numbers that have a file in the session's directory. */
    public List<Integer> chunkNumbersOnDisk(String sessionId) {
        List<Integer> numbers = new ArrayList<>();
        for (Path p : list(sessionDir(sessionId))) {
            chunkNumberOf(p.getFileName().toString()).ifPresent(numbers::add);
        }
        return numbers;
    }

    /** Ids of every session that has a directory here. */
    public List<String> sessionIdsOnDisk() {
        return list(sessions).stream().map(p -> p.getFileName().toString()).toList();
    }

    /** Removes temporary files of interrupted writes that are older than {@code olderThan}. */
    public int deleteTemporaryFiles(Instant olderThan) {
        int removed = 0;
        for (Path dir : list(sessions)) {
            for (Path p : list(dir)) {
                if (p.getFileName().toString().endsWith(PART_SUFFIX) && modifiedBefore(p, olderThan)) {
                    deleteQuietly(p);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Removes everything the store holds for a session (its bytes are no longer needed). */
    public void deleteSession(String sessionId) {
        Path dir = sessionDir(sessionId);
        for (Path p : list(dir)) {
            deleteQuietly(p);
        }
        deleteQuietly(dir);
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
            Files.createDirectories(root);
            long usable = Files.getFileStore(root).getUsableSpace();
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
        return Files.getFileStore(root).getUsableSpace();
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static MessageDigest md5() {
        return digest("MD5");
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

    private static int readBody(InputStream body, byte[] buffer) {
        try {
            return body.read(buffer);
        } catch (IOException e) {
            // the client went away or sent less than it declared: nothing of this chunk is kept
            throw new UploadException(UploadException.Problem.INCOMPLETE_BODY,
                    "the request body ended early: " + e.getMessage(), e);
        }
    }

    private static OptionalInt chunkNumberOf(String fileName) {
        if (!fileName.endsWith(CHUNK_SUFFIX)) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(fileName.substring(0, fileName.length() - CHUNK_SUFFIX.length())));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static List<Path> list(Path dir) {
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
