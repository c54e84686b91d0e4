package io.uploads.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request body that hands out its first part, then waits until the test {@link #open opens}
 * the gate before the rest arrives: a body caught in the middle, with its writer's claim held.
 */
public final class GatedBody extends InputStream {

    private final InputStream first;
    private final InputStream rest;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch waiting = new CountDownLatch(1);

    public GatedBody(byte[] first, byte[] rest) {
        this.first = new ByteArrayInputStream(first);
        this.rest = new ByteArrayInputStream(rest);
    }

    /** Waits until the first part was read and the reader waits at the gate. */
    public void awaitFirstPartRead() throws InterruptedException {
        if (!waiting.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("nobody read the body's first part within 30 s");
        }
    }

    public void open() {
        gate.countDown();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = first.read(b, off, len);
        if (n > 0) {
            return n;
        }
        waiting.countDown();
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the gate stayed closed for 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted at the gate");
        }
        return rest.read(b, off, len);
    }

    /** Nothing is available ahead: readers must come to the gate. */
    @Override
    public int available() {
        return 0;
    }
}
