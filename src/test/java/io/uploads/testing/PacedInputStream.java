package io.uploads.testing;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * Bytes that arrive no faster than {@code bytesPerSecond}, as from a slow disk or through a slow
 * link: a request body read from it takes long enough to be interrupted in the middle. Time spent
 * not reading (waiting for an answer, a resume) earns no credit: what follows is not sent in a
 * burst to catch up.
 */
public final class PacedInputStream extends FilterInputStream {

    /** At most this much is handed out per read, so the pace is even within a request. */
    private static final int STEP = 16 * 1024;

    private final long bytesPerSecond;
    /** When the bytes read so far are due; never earlier than the last read. */
    private long dueNanos = Long.MIN_VALUE;

    public PacedInputStream(InputStream in, long bytesPerSecond) {
        super(in);
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, Math.min(len, STEP));
        if (n > 0) {
            dueNanos = Math.max(dueNanos, System.nanoTime()) + n * 1_000_000_000L / bytesPerSecond;
            pauseUntil(dueNanos);
        }
        return n;
    }

    /** Nothing is available before its time: readers that buffer must not read ahead unpaced. */
    @Override
    public int available() {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private static void pauseUntil(long dueNanos) throws InterruptedIOException {
        long wait = dueNanos - System.nanoTime();
        if (wait <= 0) {
            return;
        }
        try {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pacing");
        }
    }
}
