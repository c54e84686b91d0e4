package io.uploads.core;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The whole file's SHA-256 of each session, computed while its bytes arrive in order, so that
 * completion need not read the file again. Held in memory only: after a restart, on another
 * instance, or where chunks came out of order, completion reads on from where the digest stops
 * (from the start when there is none). A bounded number of sessions is kept; the least recently
 * written go first.
 */
public final class RunningDigests {

    private static final int MAX_SESSIONS = 10_000;
    private static final int READ_BUFFER = 1024 * 1024;

    /** A digest of the file's first {@code upTo} bytes; never updated once in the map. */
    private record Running(long upTo, MessageDigest sha256) {}

    private final Map<String, Running> bySession = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Running> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /**
     * A digest to carry through a write at {@code offset}: a copy of the session's when it ends
     * exactly there, a fresh one at offset 0, otherwise none.
     */
    public synchronized @Nullable MessageDigest continuing(String sessionId, long offset) {
        Running running = bySession.get(sessionId);
        if (running != null && running.upTo() == offset) {
            return copy(running.sha256());
        }
        return offset == 0 ? ChunkStore.digest("SHA-256") : null;
    }

    /** After the write ending at {@code end} committed: the session's digest now reaches there. */
    public synchronized void advanced(String sessionId, long start, long end, @Nullable MessageDigest sha256) {
        if (sha256 == null) {
            return;
        }
        Running running = bySession.get(sessionId);
        if (start == 0 ? running == null || running.upTo() <= end : running != null && running.upTo() == start) {
            bySession.put(sessionId, new Running(end, sha256));
        }
    }

    public synchronized void forget(String sessionId) {
        bySession.remove(sessionId);
    }

    /**
     * The SHA-256 of the session's first {@code size} bytes in {@code store}: the running digest,
     * read on from where it stops when it does not reach {@code size}.
     *
     * @param last bytes written but not yet committed (so not {@link #advanced} yet), whose
     *        digest covers the file from its start to their end when they carry one
     */
    String sha256(ChunkStore store, String sessionId, long size, ChunkStore.@Nullable Received last)
            throws IOException {
        Running running;
        if (last != null && last.sha256() != null && last.end() <= size) {
            running = new Running(last.end(), last.sha256());
        } else {
            synchronized (this) {
                running = bySession.get(sessionId);
            }
        }
        MessageDigest sha256;
        long from;
        if (running != null && running.upTo() <= size) {
            sha256 = copy(running.sha256());
            from = running.upTo();
        } else {
            sha256 = ChunkStore.digest("SHA-256");
            from = 0;
        }
        if (from < size) {
            try (FileChannel in = FileChannel.open(store.sessionFile(sessionId), StandardOpenOption.READ)) {
                ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
                long position = from;
                while (position < size) {
                    buffer.clear().limit((int) Math.min(READ_BUFFER, size - position));
                    int n = in.read(buffer, position);
                    if (n < 0) {
                        throw new IOException("the file of session " + sessionId + " ends at " + position
                                + ", before " + size);
                    }
                    sha256.update(buffer.flip());
                    position += n;
                }
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    private static MessageDigest copy(MessageDigest digest) {
        try {
            return (MessageDigest) digest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JRE's SHA-256 can be cloned", e);
        }
    }
}
