package io.uploads.core;

import org.jspecify.annotations.Nullable;

/**
 * What the client claims about a chunk before its bytes arrive.
 *
 * @param md5 hex md5 the bytes must have, or null
 * @param offset byte offset the chunk must start at, or null
 * @param declaredLength Content-Length, or -1 when the body is chunked
 * @param emptyAllowed whether a chunk of zero bytes is meaningful to the protocol
 */
public record ChunkChecks(@Nullable String md5, @Nullable Long offset, long declaredLength, boolean emptyAllowed) {

    public static ChunkChecks none() {
        return new ChunkChecks(null, null, -1, false);
    }
}
