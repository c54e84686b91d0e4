package io.uploads.core;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The digests of one body: md5 always, the digest a client asked for, and the session's running
 * SHA-256 when there is one. Together they cost more CPU than receiving and writing the bytes
 * (md5 alone about 1.8 CPU s/GiB, the SHA-256 0.9, the socket and the file about 1.7), so past
 * the first buffers of a body they run on a second thread, one buffer behind the writes: one
 * upload then keeps two cores busy instead of one. Buffers pass between the two threads and come
 * back, so a body never holds more than {@link #BUFFERS} of them.
 *
 * <p>Whoever gets a buffer from {@link #buffer()} fills it, writes it, then gives it to
 * {@link #update}; after that only the digest thread touches it.
 */
final class BodyDigests implements AutoCloseable {

    private static final int BUFFER_SIZE = 256 * 1024;
    private static final int BUFFERS = 4;
    /** Short bodies are hashed on the request thread: handing them over would cost more than it saves. */
    private static final int INLINE_BUFFERS = 2;

    private static final ExecutorService DIGEST_THREADS = DaemonThreads.pool("body-digests-");

    private final MessageDigest md5 = ChunkStore.digest("MD5");
    private final @Nullable MessageDigest other;
    private final @Nullable MessageDigest sha256;

    private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
    private int buffersMade;
    private int updates;
    private @Nullable Future<?> digestThread;
    private @Nullable byte[] inline;

    private record Filled(byte[] buffer, int length) {
        static final Filled END = new Filled(new byte[0], -1);
    }

    BodyDigests(@Nullable String algorithm, @Nullable MessageDigest sha256) {
        this.other = algorithm == null ? null : ChunkStore.digest(algorithm);
        this.sha256 = sha256;
    }

    /** A buffer to read into: a returned one, a new one while fewer than BUFFERS exist, else waits for one. */
    byte[] buffer() {
        if (digestThread == null) {
            if (inline == null) {
                inline = new byte[BUFFER_SIZE];
                buffersMade = 1;
            }
            return inline;
        }
        byte[] returned = free.poll();
        if (returned != null) {
            return returned;
        }
        if (buffersMade < BUFFERS) {
            buffersMade++;
            return new byte[BUFFER_SIZE];
        }
        return uninterrupted(free::take);
    }

    /** Adds the buffer's first {@code length} bytes to the digests, now or on the digest thread; the buffer is given over. */
    void update(byte[] buffer, int length) {
        if (digestThread == null && ++updates <= INLINE_BUFFERS) {
            digest(buffer, length);
            return;
        }
        if (digestThread == null) {
            digestThread = DIGEST_THREADS.submit(this::digestInOrder);
            inline = null;
        }
        uninterrupted(() -> {
            filled.put(new Filled(buffer, length));
            return null;
        });
    }

    /** The digests of everything given to {@link #update}. */
    ChunkStore.Received received(long offset, long size, boolean interrupted) {
        finishDigesting();
        return new ChunkStore.Received(offset, size, HexFormat.of().formatHex(md5.digest()),
                other == null ? null : other.digest(), sha256, interrupted);
    }

    /** When the body failed: the digest thread is done with the buffers and the running SHA-256 when this returns. */
    @Override
    public void close() {
        finishDigesting();
    }

    private void finishDigesting() {
        Future<?> running = digestThread;
        if (running == null) {
            return;
        }
        digestThread = null;
        uninterrupted(() -> {
            filled.put(Filled.END);
            return null;
        });
        uninterrupted(running::get);
    }

    private void digestInOrder() {
        while (true) {
            Filled next = uninterrupted(filled::take);
            if (next == Filled.END) {
                return;
            }
            digest(next.buffer(), next.length());
            free.add(next.buffer());
        }
    }

    private void digest(byte[] buffer, int length) {
        md5.update(buffer, 0, length);
        if (other != null) {
            other.update(buffer, 0, length);
        }
        if (sha256 != null) {
            sha256.update(buffer, 0, length);
        }
    }

    /** Waits through interrupts: the digest thread must be done with a body's buffers before it ends. */
    private static <T> T uninterrupted(Uninterrupted.Blocking<T> wait) {
        try {
            return Uninterrupted.call(wait);
        } catch (ExecutionException e) {
            throw new IllegalStateException("computing a body's digests failed", e.getCause());
        }
    }
}
