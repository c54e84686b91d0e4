package io.uploads.core;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The digests of one body: md5 always, the digest a client asked for, and the session's running
 * SHA-256 when there is one. Together they cost more CPU than receiving and writing the bytes
 * (md5 alone about 1.8 CPU s/GiB, the SHA-256 0.9, the socket and the file about 1.7), so past
 * the first buffers of a body they run on other threads, a buffer or more behind the writes: md5
 * (with the asked-for digest) on one, the SHA-256 on another, so that no single digest thread
 * caps a body at the speed of both digests in a row. Buffers pass to the digest threads and come
 * back once every one of them is done with it, so a body never holds more than {@link #BUFFERS}.
 *
 * <p>Whoever gets a buffer from {@link #buffer()} fills it, writes it, then gives it to
 * {@link #update}; after that only the digest threads touch it.
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
    private int buffersMade;
    private int updates;
    /** The digest threads' shares, once the body is handed over; null while it is hashed inline. */
    private @Nullable List<Lane> lanes;
    private @Nullable byte[] inline;

    /** A buffer given to the digest threads; the last of them to be done with it gives it back. */
    private record Filled(byte[] buffer, int length, AtomicInteger digesting) {
        static final Filled END = new Filled(new byte[0], -1, new AtomicInteger());
    }

    /** Some of the digests, updated in order on a thread of their own. */
    private final class Lane {
        private final List<MessageDigest> digests;
        private final BlockingQueue<Filled> filled = new ArrayBlockingQueue<>(BUFFERS + 1);
        private final Future<?> running;

        Lane(List<MessageDigest> digests) {
            this.digests = digests;
            this.running = DIGEST_THREADS.submit(this::digestInOrder);
        }

        private void digestInOrder() {
            while (true) {
                Filled next = uninterrupted(filled::take);
                if (next == Filled.END) {
                    return;
                }
                digests.forEach(d -> d.update(next.buffer(), 0, next.length()));
                if (next.digesting().decrementAndGet() == 0) {
                    free.add(next.buffer());
                }
            }
        }
    }

    BodyDigests(@Nullable String algorithm, @Nullable MessageDigest sha256) {
        this.other = algorithm == null ? null : ChunkStore.digest(algorithm);
        this.sha256 = sha256;
    }

    /** A buffer to read into: a returned one, a new one while fewer than BUFFERS exist, else waits for one. */
    byte[] buffer() {
        if (lanes == null) {
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

    /** Adds the buffer's first {@code length} bytes to the digests, now or on the digest threads; the buffer is given over. */
    void update(byte[] buffer, int length) {
        if (lanes == null && ++updates <= INLINE_BUFFERS) {
            digest(buffer, length);
            return;
        }
        List<Lane> handedTo = lanes == null ? handOver() : lanes;
        Filled filled = new Filled(buffer, length, new AtomicInteger(handedTo.size()));
        handedTo.forEach(lane -> put(lane, filled));
    }

    private List<Lane> handOver() {
        List<MessageDigest> first = new ArrayList<>(List.of(md5));
        if (other != null) {
            first.add(other);
        }
        lanes = sha256 == null ? List.of(new Lane(first)) : List.of(new Lane(first), new Lane(List.of(sha256)));
        inline = null;
        return lanes;
    }

    /** The digests of everything given to {@link #update}. */
    ChunkStore.Received received(long offset, long size, boolean interrupted) {
        finishDigesting();
        return new ChunkStore.Received(offset, size, HexFormat.of().formatHex(md5.digest()),
                other == null ? null : other.digest(), sha256, interrupted);
    }

    /** When the body failed: the digest threads are done with the buffers and the running SHA-256 when this returns. */
    @Override
    public void close() {
        finishDigesting();
    }

    private void finishDigesting() {
        List<Lane> handedTo = lanes;
        if (handedTo == null) {
            return;
        }
        lanes = null;
        handedTo.forEach(lane -> put(lane, Filled.END));
        handedTo.forEach(lane -> uninterrupted(lane.running::get));
    }

    private static void put(Lane lane, Filled filled) {
        uninterrupted(() -> {
            lane.filled.put(filled);
            return null;
        });
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

    /** Waits through interrupts: the digest threads must be done with a body's buffers before it ends. */
    private static <T> T uninterrupted(Uninterrupted.Blocking<T> wait) {
        try {
            return Uninterrupted.call(wait);
        } catch (ExecutionException e) {
            throw new IllegalStateException("computing a body's digests failed", e.getCause());
        }
    }
}
