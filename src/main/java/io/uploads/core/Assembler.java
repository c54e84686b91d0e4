package io.uploads.core;

import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Turns a session's chunks into its final file at {@code files/{group}/{filename}}.
 *
 * <p>The data is read once: chunks are copied into one file while SHA-256 is computed on the
 * way; a single-chunk upload is not copied at all, only hashed and linked. The file appears under
 * its final name through {@code link(2)}, which fails rather than replace an existing file, and it
 * is the same inode as the session's assembled file, so running assembly again after a crash finds
 * the name it already placed instead of taking a second one.
 */
public final class Assembler {

    private static final int BUFFER_SIZE = 1024 * 1024;
    private static final int MAX_RENAME_ATTEMPTS = 10_000;
    static final String ASSEMBLED = "assembled";

    private final ChunkStore store;
    private final ExistingFilePolicy policy;

    public Assembler(ChunkStore store, ExistingFilePolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    /** Where a finished file went, relative to the storage root, and what it is. */
    public record Placed(String relativePath, long size, String sha256) {}

    /**
     * @throws UploadException {@code BYTES_UNUSABLE} when a chunk is missing or short on disk,
     *         {@code FILE_EXISTS} under the reject policy, {@code STORAGE_FULL} when the disk is full
     */
    public Placed assemble(UploadSession session, List<Chunk> chunks) {
        verifyOnDisk(session, chunks);
        try {
            MessageDigest sha256 = ChunkStore.digest("SHA-256");
            Path source = chunks.size() == 1
                    ? hashInPlace(store.chunkPath(session.id(), chunks.get(0).chunkNumber()), sha256)
                    : concatenate(session, chunks, sha256);
            String relative = place(source, session.groupName(), session.filename());
            return new Placed(relative, session.receivedBytes(), HexFormat.of().formatHex(sha256.digest()));
        } catch (IOException e) {
            throw ChunkStore.storageFailure(e, "cannot assemble session " + session.id());
        }
    }

    /** Whether the final name is free; the reject policy asks before it starts assembling. */
    public boolean nameTaken(String group, String filename) {
        return Files.exists(groupDir(group).resolve(filename));
    }

    private void verifyOnDisk(UploadSession session, List<Chunk> chunks) {
        long offset = 0;
        int expectedNumber = 1;
        for (Chunk c : chunks) {
            if (c.chunkNumber() != expectedNumber || c.chunkOffset() != offset) {
                throw unusable(session, "chunk " + c.chunkNumber() + " does not continue at offset " + offset);
            }
            long onDisk = store.chunkFileSize(session.id(), c.chunkNumber());
            if (onDisk != c.sizeBytes()) {
                throw unusable(session, "chunk " + c.chunkNumber() + " has " + onDisk + " bytes on disk, "
                        + c.sizeBytes() + " recorded");
            }
            offset += c.sizeBytes();
            expectedNumber++;
        }
        if (offset != session.receivedBytes()) {
            throw unusable(session, "chunks add up to " + offset + " bytes, " + session.receivedBytes() + " recorded");
        }
    }

    private static Path hashInPlace(Path file, MessageDigest sha256) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            while (in.read(buffer.clear()) >= 0) {
                sha256.update(buffer.flip());
            }
        }
        return file;
    }

    private Path concatenate(UploadSession session, List<Chunk> chunks, MessageDigest sha256) throws IOException {
        // truncating keeps the inode, so a name placed by an earlier, interrupted run still points here
        Path out = Files.createDirectories(store.sessionDir(session.id())).resolve(ASSEMBLED);
        try (FileChannel target = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
            for (Chunk c : chunks) {
                try (FileChannel in = FileChannel.open(store.chunkPath(session.id(), c.chunkNumber()),
                        StandardOpenOption.READ)) {
                    while (in.read(buffer.clear()) >= 0) {
                        buffer.flip();
                        sha256.update(buffer.duplicate());
                        while (buffer.hasRemaining()) {
                            target.write(buffer);
                        }
                    }
                }
            }
            target.force(true);
        }
        return out;
    }

    private String place(Path source, String group, String filename) throws IOException {
        Path dir = Files.createDirectories(groupDir(group));
        for (int attempt = 0; attempt < MAX_RENAME_ATTEMPTS; attempt++) {
            Path candidate = dir.resolve(candidateName(filename, attempt));
            if (Files.exists(candidate) && Files.isSameFile(candidate, source)) {
                return relative(candidate);     // placed by an earlier run of this same assembly
            }
            try {
                Files.createLink(candidate, source);
                ChunkStore.fsyncDirectory(dir);
                return relative(candidate);
            } catch (FileAlreadyExistsException taken) {
                if (policy == ExistingFilePolicy.reject) {
                    throw new UploadException(UploadException.Problem.FILE_EXISTS,
                            "a file named " + filename + " already exists in group " + group);
                }
            }
        }
        throw new UploadException(UploadException.Problem.FILE_EXISTS,
                "no free name for " + filename + " in group " + group);
    }

    /** {@code report.pdf}, then {@code report-1.pdf}, {@code report-2.pdf}, ... */
    static String candidateName(String filename, int attempt) {
        if (attempt == 0) {
            return filename;
        }
        int dot = filename.lastIndexOf('.');
        return dot > 0
                ? filename.substring(0, dot) + "-" + attempt + filename.substring(dot)
                : filename + "-" + attempt;
    }

    private Path groupDir(String group) {
        return store.root().resolve("files").resolve(group);
    }

    private String relative(Path p) {
        return store.root().relativize(p).toString();
    }

    private static UploadException unusable(UploadSession session, String why) {
        return new UploadException(UploadException.Problem.BYTES_UNUSABLE,
                "session " + session.id() + " cannot be assembled: " + why);
    }
}
