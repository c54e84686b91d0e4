package io.uploads.core;

import org.jspecify.annotations.Nullable;

/**
 * What a flow.js or resumable.js request says about one chunk and the upload it belongs to. Both
 * libraries cut a file the same way: {@code totalChunks = max(floor(totalSize / chunkSize), 1)},
 * every chunk {@code chunkSize} bytes except the last, which takes the remainder (so it may be up
 * to {@code 2 * chunkSize - 1} bytes); with {@code forceChunkSize} it is {@code ceil} instead and
 * no chunk exceeds {@code chunkSize}.
 *
 * @param clientKey the client's identifier of the upload; never used as a path
 * @param group the destination group, when the request names one
 */
public record ParallelChunk(String clientKey, String filename, @Nullable String group, int number, long chunkSize,
                            long currentChunkSize, long totalSize, int totalChunks) {

    /** Longest identifier kept; flow.js builds it from size and relative path. */
    public static final int MAX_KEY_LENGTH = 255;

    /** Checks the numbers agree with each other the way the libraries compute them. */
    public ParallelChunk {
        if (clientKey.isEmpty() || clientKey.length() > MAX_KEY_LENGTH || clientKey.chars().anyMatch(Character::isISOControl)) {
            throw invalid("the identifier must be 1 to " + MAX_KEY_LENGTH + " characters without control characters");
        }
        if (chunkSize < 1 || totalSize < 0 || totalChunks < 1 || currentChunkSize < 0) {
            throw invalid("chunk size and total chunks must be at least 1, sizes not negative");
        }
        if (totalChunks != floorChunks(totalSize, chunkSize) && totalChunks != ceilChunks(totalSize, chunkSize)) {
            throw invalid(totalChunks + " chunks do not make " + totalSize + " bytes in chunks of " + chunkSize);
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

    private static long floorChunks(long totalSize, long chunkSize) {
        return Math.max(totalSize / chunkSize, 1);
    }

    private static long ceilChunks(long totalSize, long chunkSize) {
        return Math.max(totalSize / chunkSize + (totalSize % chunkSize == 0 ? 0 : 1), 1);
    }

    private static UploadException invalid(String message) {
        return new UploadException(UploadException.Problem.INVALID_REQUEST, message);
    }
}
