package io.uploads.protocols.tus;

/** Header names and values of the tus 1.0.0 core protocol and the extensions we implement. */
public final class TusHeaders {

    /** "The Tus-Resumable header MUST be included in every request and response except for OPTIONS requests." */
    public static final String TUS_RESUMABLE = "Tus-Resumable";
    public static final String TUS_VERSION_1_0_0 = "1.0.0";
    /** "A comma-separated list of protocol versions supported by the Server." */
    public static final String TUS_VERSION = "Tus-Version";
    public static final String TUS_EXTENSION = "Tus-Extension";
    public static final String EXTENSIONS =
            "creation,creation-with-upload,creation-defer-length,termination,checksum,expiration";
    /** "The Tus-Max-Size response header MUST be a non-negative integer indicating the maximum allowed size." */
    public static final String TUS_MAX_SIZE = "Tus-Max-Size";
    public static final String TUS_CHECKSUM_ALGORITHM = "Tus-Checksum-Algorithm";

    /** "The Upload-Offset request and response header indicates a byte offset within a resource." */
    public static final String UPLOAD_OFFSET = "Upload-Offset";
    /** "The Upload-Length request and response header indicates the size of the entire upload in bytes." */
    public static final String UPLOAD_LENGTH = "Upload-Length";
    /** "The Upload-Defer-Length request and response header indicates that the size of the upload is not known currently." */
    public static final String UPLOAD_DEFER_LENGTH = "Upload-Defer-Length";
    public static final String UPLOAD_METADATA = "Upload-Metadata";
    /** "The Upload-Expires response header indicates the time after which the unfinished upload expires." */
    public static final String UPLOAD_EXPIRES = "Upload-Expires";
    /** "The Upload-Checksum request header contains information about the checksum of the current body payload." */
    public static final String UPLOAD_CHECKSUM = "Upload-Checksum";

    /** "All PATCH requests MUST use Content-Type: application/offset+octet-stream." */
    public static final String OFFSET_OCTET_STREAM = "application/offset+octet-stream";

    /** "460 Checksum Mismatch": the bytes were discarded, the offset did not move. */
    public static final int CHECKSUM_MISMATCH = 460;

    private TusHeaders() {}
}
