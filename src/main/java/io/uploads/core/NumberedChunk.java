package io.uploads.core;

import org.jspecify.annotations.Nullable;

/**
 * One chunk of an upload cut into numbered chunks of a declared size, sent in any order: chunk
 * {@code n} holds the bytes from {@code (n - 1) * chunkSize}, every chunk but the last has
 * {@code chunkSize} bytes, and the last one ends where the file does. How a protocol numbers and
 * sizes its chunks beyond that (flow.js lets the last chunk grow) is the protocol's to check.
 *
 * @param clientKey the client's identifier of the upload; never used as a path
 * @param group the destination group, when the request names one
 * @param currentChunkSize this chunk's size in bytes
 */
public record NumberedChunk(String clientKey, String filename, @Nullable String group, int number, long chunkSize,
                            long currentChunkSize, long totalSize, int totalChunks) {

    /** Longest identifier kept. */
    public static final int MAX_KEY_LENGTH = 255;

    public NumberedChunk {
        if (clientKey.isEmpty() || clientKey.length() > MAX_KEY_LENGTH || clientKey.chars().anyMatch(Character::isISOControl)) {
            throw invalid("the identifier must be 1 to " + MAX_KEY_LENGTH + " characters without control characters");
        }
        if (chunkSize < 1 || totalSize < 0 || totalChunks < 1 || currentChunkSize < 0) {
            throw invalid("chunk size and total chunks must be at least 1, sizes not negative");
        }
        if (number < 1 || number > totalChunks) {
            throw invalid("chunk number " + number + " is not within 1.." + totalChunks);
        }
        long expected = number < totalChunks ? chunkSize : totalSize - (totalChunks - 1) * chunkSize;
        if (currentChunkSize != expected) {
            throw invalid("chunk " + number + " of " + totalChunks + " must have " + expected + " bytes, not "
                    + currentChunkSize);
        }
    }

    /** Where this chunk's bytes start in the file. */
    public long offset() {
        return (number - 1) * chunkSize;
    }

    /** Whether this request describes the same upload as the session it is meant for. */
    public void requireSameUpload(UploadSession session) {
        if (session.totalSize() == null || session.totalSize() != totalSize
                || session.totalChunks() == null || session.totalChunks() != totalChunks
                || session.chunkSize() == null || session.chunkSize() != chunkSize) {
            throw invalid("upload " + clientKey + " was started with " + session.totalSize() + " bytes in "
                    + session.totalChunks() + " chunks of " + session.chunkSize() + "; this chunk says "
                    + totalSize + " bytes in " + totalChunks + " chunks of " + chunkSize);
        }
        if (!session.filename().equals(filename)) {
            throw invalid("upload " + clientKey + " is of file " + session.filename() + ", not " + filename);
        }
        if (group != null && !session.groupName().equals(group)) {
            throw invalid("upload " + clientKey + " goes to group " + session.groupName() + ", not " + group);
        }
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}
