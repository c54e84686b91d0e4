package io.uploads.testing;

import io.uploads.core.ChunkStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What the tests see of the bytes of unfinished sessions under a storage root, and the crash
 * leftovers they build there. The only test code that knows how {@link ChunkStore} lays those
 * bytes out (today {@code sessions/{id}/{n}.chunk} and {@code sessions/{id}/*.part}); finished
 * files under {@code files/} are not its business.
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
        return Files.exists(store.sessionDir(sessionId));
    }

    /** Each piece of the session's bytes the store holds (chunks, temporary files) → its SHA-256; empty when none. */
    public Map<String, String> contentsOf(String sessionId) {
        return contents(store.sessionDir(sessionId));
    }

    /** {@link #contentsOf} of every session at once: empty when no session's bytes are left. */
    public Map<String, String> contentsOfAllSessions() {
        return contents(sessions);
    }

    /** Numbers of the chunks whose bytes are stored for the session, in no particular order. */
    public List<Integer> chunksOnDisk(String sessionId) {
        return store.chunkNumbersOnDisk(sessionId);
    }

    /** The stored bytes of chunk n. */
    public byte[] chunkBytes(String sessionId, int n) throws IOException {
        return Files.readAllBytes(store.chunkPath(sessionId, n));
    }

    /** Bytes of request bodies being received, or left by interrupted writes, in any session. */
    public List<Path> temporaryFiles() {
        return temporaryFilesUnder(sessions);
    }

    /** Bytes of request bodies being received, or left by interrupted writes, for this session. */
    public List<Path> temporaryFiles(String sessionId) {
        return temporaryFilesUnder(store.sessionDir(sessionId));
    }

    /**
     * Stores {@code bytes} as chunk n the way the service does, without any row: the test records
     * the row itself, or leaves the bytes unrecorded as a crash between the two would.
     */
    public void writeChunk(String sessionId, int n, byte[] bytes) {
        store.commit(store.stage(sessionId, new ByteArrayInputStream(bytes), bytes.length, bytes.length), sessionId, n);
    }

    /** What a write interrupted by a crash leaves: {@code size} bytes that belong to no chunk. */
    public Path writeStrayTemporaryFile(String sessionId, int size) throws IOException {
        Path dir = Files.createDirectories(store.sessionDir(sessionId));
        return Files.write(dir.resolve(UUID.randomUUID() + ".part"), new byte[size]);
    }

    /** Removes the stored bytes of chunk n, which must be there, as if they had been lost. */
    public void deleteChunk(String sessionId, int n) throws IOException {
        Files.delete(store.chunkPath(sessionId, n));
    }

    /** Cuts the stored bytes of chunk n, which must be there, to {@code newSize}, as a torn write would. */
    public void truncateChunk(String sessionId, int n, long newSize) throws IOException {
        Path chunk = store.chunkPath(sessionId, n);
        if (!Files.isRegularFile(chunk)) {
            throw new NoSuchFileException(chunk.toString());
        }
        try (RandomAccessFile f = new RandomAccessFile(chunk.toFile(), "rw")) {
            f.setLength(newSize);
        }
    }

    private static Map<String, String> contents(Path dir) {
        Map<String, String> contents = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return contents;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                contents.put(dir.relativize(p).toString(), TestFiles.sha256(p));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return contents;
    }

    private static List<Path> temporaryFilesUnder(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        } catch (NoSuchFileException e) {
            return List.of();    // the session's bytes went away while looking: nothing is being received
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                return List.of();
            }
            throw e;
        }
    }
}
