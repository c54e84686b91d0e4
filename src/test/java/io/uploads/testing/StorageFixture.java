package io.uploads.testing;

import io.uploads.core.ChunkStore;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the tests see of the bytes of unfinished sessions under a storage root, and the crash
 * leftovers they build there. The only test code that knows how {@link ChunkStore} lays those
 * bytes out (today one file per session, {@code sessions/{id}}, each chunk at its offset);
 * finished files under {@code files/} are not its business.
 */
public final class StorageFixture {

    private final ChunkStore store;
    private final Path sessions;

    public StorageFixture(Path root) {
        this.store = new ChunkStore(root, 0);
        this.sessions = store.root().resolve("sessions");
    }

    /** The store is ready to take session bytes (a fresh service prepares it at start). */
    public boolean readyForSessions() {
        return Files.isDirectory(sessions);
    }

    /** Ids of the sessions the store keeps anything for, sorted. */
    public List<String> sessionsHeld() {
        return store.sessionIdsOnDisk().stream().sorted().toList();
    }

    /** The store keeps anything at all for the session, even nothing but an empty place for its bytes. */
    public boolean holdsAnythingFor(String sessionId) {
        return Files.exists(store.sessionFile(sessionId));
    }

    /** What the store holds for the session (where → SHA-256); empty when nothing. */
    public Map<String, String> contentsOf(String sessionId) {
        Map<String, String> contents = new TreeMap<>();
        Path file = store.sessionFile(sessionId);
        try {
            if (Files.isRegularFile(file)) {
                contents.put(sessions.relativize(file).toString(), TestFiles.sha256(file));
            }
        } catch (NoSuchFileException e) {
            // finished while looking: nothing is held
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return contents;
    }

    /** {@link #contentsOf} of every session at once: empty when no session's bytes are left. */
    public Map<String, String> contentsOfAllSessions() {
        Map<String, String> contents = new TreeMap<>();
        store.sessionIdsOnDisk().forEach(id -> contents.putAll(contentsOf(id)));
        return contents;
    }

    /** How many bytes the session's file holds, recorded or not; -1 when there is none. */
    public long bytesHeld(String sessionId) {
        return store.fileSize(sessionId);
    }

    /** The stored bytes of [offset, offset + length) of the session. */
    public byte[] bytesAt(String sessionId, long offset, int length) throws IOException {
        try (FileChannel in = FileChannel.open(store.sessionFile(sessionId), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && in.read(buffer, offset + buffer.position()) >= 0) {
                // reads until the range is full or the file ends
            }
            byte[] bytes = new byte[buffer.position()];
            buffer.flip().get(bytes);
            return bytes;
        }
    }

    /**
     * Stores {@code bytes} at {@code offset} of the session's file the way the service does,
     * without any row: the test records the row itself, or leaves the bytes unrecorded as a crash
     * between the two would.
     */
    public void writeAt(String sessionId, long offset, byte[] bytes) {
        try {
            Files.createDirectories(sessions);
            try (FileChannel out = FileChannel.open(store.sessionFile(sessionId), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer, offset + buffer.position());
                }
                out.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Cuts the session's file, which must be there, to {@code size}, as lost or torn writes would. */
    public void cutTo(String sessionId, long size) throws IOException {
        Path file = store.sessionFile(sessionId);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    /** Removes the session's file, which must be there, as if it had been lost. */
    public void deleteFile(String sessionId) throws IOException {
        Files.delete(store.sessionFile(sessionId));
    }

    /** Where the session's bytes are: to age the file past the recovery grace period. */
    public Path fileOf(String sessionId) {
        return store.sessionFile(sessionId);
    }

    /** Every file the store keeps for unfinished sessions. */
    public List<Path> sessionFiles() {
        if (!Files.isDirectory(sessions)) {
            return List.of();
        }
        try (Stream<Path> all = Files.list(sessions)) {
            return all.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
