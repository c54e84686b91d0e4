package io.uploads.core;

import org.jspecify.annotations.Nullable;

/**
 * What the client claims about a chunk before its bytes arrive, and how the protocol treats a
 * body that ends early.
 *
 * @param checksum a digest the bytes must have, or null
 * @param offset byte offset the chunk must start at, or null
 * @param declaredLength Content-Length, or -1 when the body is chunked
 * @param emptyAllowed whether a chunk of zero bytes is meaningful to the protocol
 * @param keepInterrupted whether the bytes of a body that ended early are kept (tus) rather than
 *        refused as a whole; never when a checksum is given, since it could not be verified
 */
public record ChunkChecks(@Nullable Checksum checksum, @Nullable Long offset, long declaredLength,
                          boolean emptyAllowed, boolean keepInterrupted) {

    public static ChunkChecks none() {
        return whole(null, null, -1, false);
    }

    /** A chunk of a protocol that refuses a short body. */
    public static ChunkChecks whole(@Nullable Checksum checksum, @Nullable Long offset, long declaredLength,
                                    boolean emptyAllowed) {
        return new ChunkChecks(checksum, offset, declaredLength, emptyAllowed, false);
    }
}
