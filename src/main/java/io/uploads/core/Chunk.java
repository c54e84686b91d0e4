package io.uploads.core;

import java.time.Instant;

/** One row of {@code upload_chunk}: bytes {@code [chunkOffset, chunkOffset + sizeBytes)} of the file. */
public record Chunk(
        String sessionId,
        int chunkNumber,
        long chunkOffset,
        long sizeBytes,
        String md5,
        Instant receivedAt) {

    /** md5 of no bytes: what "the last chunk" hashes to before any chunk exists. */
    public static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

    public long endOffset() {
        return chunkOffset + sizeBytes;
    }
}
