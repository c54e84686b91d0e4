package io.uploads.core;

import io.uploads.config.UploadsConfig.ExistingFilePolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Turns a session's file into its final file at {@code files/{group}/{filename}} without copying
 * a byte: the recorded chunks are checked to cover the file from its start without a gap, the file
 * is cut to that length (a write that never committed may have left bytes past it) and fsynced,
 * and it is linked under its final name with {@code link(2)}, which fails rather than replace an
 * existing file. The final file is the session's inode, so running this again after a crash finds
 * the name it already placed instead of taking a second one. The SHA-256 comes from the digest
 * computed while the bytes arrived, read on from where that stops.
 */
public final class Assembler {

    private static final int MAX_RENAME_ATTEMPTS = 10_000;

    private final ChunkStore store;
    private final RunningDigests digests;
    private final ExistingFilePolicy policy;

    public Assembler(ChunkStore store, RunningDigests digests, ExistingFilePolicy policy) {
        this.store = store;
        this.digests = digests;
        this.policy = policy;
    }

    /** Where a finished file went, relative to the storage root, and what it is. */
    public record Placed(String relativePath, long size, String sha256) {}

    /**
     * @param last the bytes being recorded with this assembly, not yet in the running digests:
     *         their digest is the file's when it reaches its end
     * @throws UploadException {@code BYTES_UNUSABLE} when the chunks leave a gap or the file is
     *         short, {@code FILE_EXISTS} under the reject policy, {@code STORAGE_FULL} when the disk is full
     */
    public Placed assemble(UploadSession session, List<Chunk> chunks, ChunkStore.@Nullable Received last) {
        return place(session, recordedLength(session, chunks), last);
    }

    /**
     * Places the session's file cut to {@code size} bytes, which its caller knows to be the
     * upload's (the recorded chunks cover them, or the writer of the last ones holds the claim on
     * the rest of the file).
     */
    Placed place(UploadSession session, long size, ChunkStore.@Nullable Received last) {
        String id = session.id();
        try {
            if (size == 0) {
                store.createIfMissing(id);
            }
            long onDisk = store.fileSize(id);
            if (onDisk < size) {
                throw unusable(session, "its file has " + onDisk + " bytes on disk, " + size + " recorded");
            }
            Path file = store.sessionFile(id);
            if (onDisk > size) {
                // every write was fsynced with its size; only a cut needs another
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(size);
                    ch.force(true);
                }
            }
            String sha256 = digests.sha256(store, id, size, last);
            String relative = link(file, session.groupName(), session.filename());
            return new Placed(relative, size, sha256);
        } catch (IOException e) {
            throw ChunkStore.storageFailure(e, "cannot complete session " + id);
        }
    }

    /** Whether {@code placed} holds exactly the bytes that {@code chunks} record. */
    boolean holdsRecorded(UploadSession session, List<Chunk> chunks, Placed placed) {
        try {
            // and the name still is the session's file: nothing removed it meanwhile
            return recordedLength(session, chunks) == placed.size()
                    && Files.isSameFile(store.root().resolve(placed.relativePath()), store.sessionFile(session.id()));
        } catch (UploadException | IOException e) {
            return false;
        }
    }

    /**
     * Whether the final name is taken by another file than session {@code sessionId}'s (a
     * completion whose transaction never committed may have placed that one), or at all when
     * there is no session yet; the reject policy asks before it starts assembling.
     */
    public boolean nameTaken(String group, String filename, @Nullable String sessionId) {
        Path name = groupDir(group).resolve(filename);
        try {
            return Files.exists(name) && (sessionId == null || !Files.isSameFile(name, store.sessionFile(sessionId)));
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * The name under which the session's file is placed, if any: a completion links it there
     * before its transaction commits, so one that never committed leaves it behind.
     */
    public Optional<Path> placedName(UploadSession session) {
        try {
            return linkedIn(groupDir(session.groupName()), store.sessionFile(session.id()));
        } catch (IOException e) {
            throw ChunkStore.storageFailure(e, "cannot look for the final name of session " + session.id());
        }
    }

    /**
     * The name in {@code dir} that {@code file} is linked under, if any. Looked for by the file's
     * identity, not along the names a completion tries in turn: a lower name may have been freed
     * since this one was placed (a consumer took its file away), and the first gap is no proof.
     * Only a file with a second name has one, so the directory is read only then.
     */
    private static Optional<Path> linkedIn(Path dir, Path file) throws IOException {
        BasicFileAttributes bytes;
        try {
            if (((Number) Files.getAttribute(file, "unix:nlink")).intValue() < 2) {
                return Optional.empty();
            }
            bytes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (UnsupportedOperationException e) {
            bytes = Files.readAttributes(file, BasicFileAttributes.class);   // cannot tell: read the directory
        }
        if (bytes.fileKey() == null || !Files.isDirectory(dir)) {
            return Optional.empty();
        }
        return namesIn(dir, bytes.fileKey()).stream().findFirst();
    }

    /** The names in {@code dir} of the file whose identity is {@code fileKey}. */
    private static List<Path> namesIn(Path dir, Object fileKey) throws IOException {
        List<Path> names = new ArrayList<>();
        for (Path name : ChunkStore.list(dir)) {
            if (fileKey.equals(fileKey(name))) {
                names.add(name);
            }
        }
        return names;
    }

    /**
     * The final names that link to the file of session {@code sessionId}, which no completed row
     * points to: a creation-with-upload links its name inside the transaction that creates the
     * session, so a crash before that commit leaves a name and no row to find it by. Only the group
     * directories changed since the file was last written can hold one (linking a name changes
     * its directory), and only when the file has more than one name.
     */
    public List<Path> namesOfUnrecorded(String sessionId) {
        Path file = store.sessionFile(sessionId);
        try {
            if (((Number) Files.getAttribute(file, "unix:nlink")).intValue() < 2) {
                return List.of();
            }
            BasicFileAttributes bytes = Files.readAttributes(file, BasicFileAttributes.class);
            if (bytes.fileKey() == null) {
                return List.of();
            }
            List<Path> names = new ArrayList<>();
            for (Path dir : ChunkStore.list(filesDir())) {
                if (!Files.isDirectory(dir) || Files.getLastModifiedTime(dir).compareTo(bytes.lastModifiedTime()) < 0) {
                    continue;
                }
                names.addAll(namesIn(dir, bytes.fileKey()));
            }
            return names;
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return List.of();   // no file, or a file system that cannot tell how many names a file has
        } catch (IOException e) {
            throw ChunkStore.storageFailure(e, "cannot look for the final names of session " + sessionId);
        }
    }

    /** The file's identity (device and inode), or null when it was removed meanwhile. */
    private static @Nullable Object fileKey(Path name) throws IOException {
        try {
            return Files.readAttributes(name, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** Removes a final name whose completion did not commit; the session's own file stays. */
    public void unplace(Placed placed) {
        unplace(store.root().resolve(placed.relativePath()));
    }

    public void unplace(Path placed) {
        try {
            Files.deleteIfExists(placed);
            ChunkStore.fsyncDirectory(placed.getParent());
        } catch (IOException e) {
            throw ChunkStore.storageFailure(e, "cannot remove " + relative(placed));
        }
    }

    /** The recorded chunks, in offset order, cover [0, received bytes) exactly once. */
    private static long recordedLength(UploadSession session, List<Chunk> chunks) {
        long offset = 0;
        for (Chunk c : chunks.stream().sorted(Comparator.comparingLong(Chunk::chunkOffset)).toList()) {
            if (c.chunkOffset() != offset) {
                throw unusable(session, "chunk " + c.chunkNumber() + " starts at " + c.chunkOffset() + ", not " + offset);
            }
            offset += c.sizeBytes();
        }
        if (offset != session.receivedBytes()) {
            throw unusable(session, "chunks add up to " + offset + " bytes, " + session.receivedBytes() + " recorded");
        }
        return offset;
    }

    private String link(Path source, String group, String filename) throws IOException {
        Path dir = groupDir(group);
        if (!Files.isDirectory(dir)) {
            // only when missing: createDirectories finds an existing directory by an exception
            Files.createDirectories(dir);
            // the group's directory must outlast a power loss as the names in it do
            ChunkStore.fsyncDirectory(dir.getParent());
        }
        Optional<Path> placed = linkedIn(dir, source);
        if (placed.isPresent()) {
            return relative(placed.get());      // by an earlier run of this same assembly
        }
        for (int attempt = 0; attempt < MAX_RENAME_ATTEMPTS; attempt++) {
            Path candidate = dir.resolve(candidateName(filename, attempt));
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

    /**
     * {@code report.pdf}, then {@code report-1.pdf}, {@code report-2.pdf}, ...; the part before the
     * extension is cut short where the name would pass the file system's limit of 255 bytes, which
     * a valid filename may already fill.
     */
    static String candidateName(String filename, int attempt) {
        if (attempt == 0) {
            return filename;
        }
        int dot = filename.lastIndexOf('.');
        String stem = dot > 0 ? filename.substring(0, dot) : filename;
        String suffix = "-" + attempt + (dot > 0 ? filename.substring(dot) : "");
        if (utf8Length(suffix) >= Filenames.MAX_BYTES) {
            // an extension that leaves no room: the number goes at the end of the whole name
            stem = filename;
            suffix = "-" + attempt;
        }
        return cutToBytes(stem, Filenames.MAX_BYTES - utf8Length(suffix)) + suffix;
    }

    /** The longest start of {@code text} within {@code bytes} bytes of UTF-8, never half a character. */
    private static String cutToBytes(String text, int bytes) {
        int used = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int length = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
            if (used + length > bytes) {
                break;
            }
            used += length;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }

    private static int utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    private Path groupDir(String group) {
        return filesDir().resolve(group);
    }

    private Path filesDir() {
        return store.root().resolve("files");
    }

    private String relative(Path p) {
        return store.root().relativize(p).toString();
    }

    private static UploadException unusable(UploadSession session, String why) {
        return new UploadException(UploadException.Problem.BYTES_UNUSABLE,
                "session " + session.id() + " cannot be assembled: " + why);
    }
}
