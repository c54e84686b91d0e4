package io.uploads.core;

import java.util.Optional;

/** A session with its highest chunk: what a client needs to verify its bytes and resume. */
public record SessionSnapshot(UploadSession session, Optional<Chunk> lastChunk) {

    public long lastChunkSize() {
        return lastChunk.map(Chunk::sizeBytes).orElse(0L);
    }

    public String lastChunkMd5() {
        return lastChunk.map(Chunk::md5).orElse(Chunk.EMPTY_MD5);
    }
}
