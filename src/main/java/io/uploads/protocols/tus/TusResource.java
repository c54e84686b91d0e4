package io.uploads.protocols.tus;

import io.dropwizard.auth.Auth;
import io.uploads.api.ApiError;
import io.uploads.config.UploadsConfig;
import io.uploads.core.Caller;
import io.uploads.core.Checksum;
import io.uploads.core.ChunkChecks;
import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadException;
import io.uploads.core.UploadException.Problem;
import io.uploads.core.ClientSessions;
import io.uploads.core.OffsetUploads;
import io.uploads.core.UploadSession;
import io.uploads.protocols.RequestBodies;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.OPTIONS;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * tus 1.0.0 with the extensions creation, creation-with-upload, creation-defer-length,
 * termination, checksum and expiration. Each PATCH body becomes one chunk of the session, recorded
 * under the session's row lock only if {@code Upload-Offset} still equals the bytes received, so
 * two PATCHes racing on one upload cannot both append: the loser is answered 409. OPTIONS alone
 * needs no token: it only describes the server.
 */
@Path("/files/tus")
@Produces(MediaType.APPLICATION_JSON)
@TusProtocol
public final class TusResource {

    private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /** How this resource answers a refusal (the mapper finds it by this class). */
    public static final TusErrors ERRORS = new TusErrors();

    private final OffsetUploads uploads;
    private final ClientSessions sessions;
    private final UploadsConfig limits;

    public TusResource(OffsetUploads uploads, ClientSessions sessions, UploadsConfig limits) {
        this.uploads = uploads;
        this.sessions = sessions;
        this.limits = limits;
    }

    /** "An OPTIONS request MAY be used to gather information about the Server's current configuration." */
    @OPTIONS
    public Response options() {
        return Response.noContent()
                .header(TusHeaders.TUS_VERSION, TusHeaders.TUS_VERSION_1_0_0)
                .header(TusHeaders.TUS_EXTENSION, TusHeaders.EXTENSIONS)
                .header(TusHeaders.TUS_MAX_SIZE, limits.maxUploadSize().toBytes())
                .header(TusHeaders.TUS_CHECKSUM_ALGORITHM, TusChecksums.ALGORITHM_LIST)
                .build();
    }

    /**
     * creation: "The Client MUST send a POST request against a known upload creation URL to request
     * a new upload resource." With a body (creation-with-upload) the first bytes come along.
     */
    @POST
    @RolesAllowed(Caller.UPLOADER)
    @Consumes(MediaType.WILDCARD)
    public Response create(@Auth Caller caller, @Context UriInfo uri, @Context HttpHeaders headers, InputStream body) {
        Long length = lengthOrDeferred(headers);
        TusMetadata metadata = TusMetadata.parse(headers.getHeaderString(TusHeaders.UPLOAD_METADATA));
        UploadSession session;
        if (hasBody(headers)) {
            OffsetUploads.Created created = uploads.createWithBody(caller, Protocol.TUS, metadata.filename(),
                    metadata.group(), length, metadata.header(), body, patchChecks(headers));
            session = created.session();
            UploadException e = created.refused();
            if (e != null) {
                // the upload exists although its first bytes were refused: the client may resume it
                return ERRORS.decorate(Response.status(ERRORS.status(e.problem())))
                        .location(location(uri, session))
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new ApiError(ERRORS.status(e.problem()), e.getMessage(), e.problem().code()))
                        .build();
            }
        } else {
            session = uploads.create(caller, Protocol.TUS, metadata.filename(), metadata.group(), length,
                    metadata.header());
        }
        return withExpiry(Response.created(location(uri, session)), session)
                .header(TusHeaders.UPLOAD_OFFSET, session.receivedBytes())
                .build();
    }

    private static URI location(UriInfo uri, UploadSession session) {
        return uri.getBaseUriBuilder().path(TusResource.class).path(session.id()).build();
    }

    /** "The Server MUST always include the Upload-Offset header in the response for a HEAD request." */
    @HEAD
    @RolesAllowed(Caller.UPLOADER)
    @Path("{id}")
    public Response head(@Auth Caller caller, @PathParam("id") String id) {
        UploadSession session = live(caller, id);
        Response.ResponseBuilder answer = Response.ok()
                .header(TusHeaders.UPLOAD_OFFSET, session.receivedBytes())
                // "The Server MUST prevent the client and/or proxies from caching the response"
                .header(HttpHeaders.CACHE_CONTROL, "no-store");
        if (session.totalSize() != null) {
            answer.header(TusHeaders.UPLOAD_LENGTH, session.totalSize());
        } else {
            answer.header(TusHeaders.UPLOAD_DEFER_LENGTH, 1);
        }
        if (session.clientMetadata() != null) {
            answer.header(TusHeaders.UPLOAD_METADATA, session.clientMetadata());
        }
        return withExpiry(answer, session).build();
    }

    /**
     * "The Server SHOULD accept PATCH requests against any upload URL and apply the bytes contained
     * in the message at the given offset specified by the Upload-Offset header."
     */
    @PATCH
    @RolesAllowed(Caller.UPLOADER)
    @Path("{id}")
    @Consumes(MediaType.WILDCARD)
    public Response patch(@Auth Caller caller, @PathParam("id") String id, @Context HttpHeaders headers,
                          InputStream body) {
        UploadSession live = live(caller, id);
        ChunkChecks checks = patchChecks(headers);
        long offset = requiredNumber(headers, TusHeaders.UPLOAD_OFFSET);
        Long length = optionalNumber(headers, TusHeaders.UPLOAD_LENGTH);
        UploadSession session = uploads.append(caller, live, offset, length, body, checks);
        return withExpiry(Response.noContent(), session)
                .header(TusHeaders.UPLOAD_OFFSET, session.receivedBytes())
                .build();
    }

    /** termination: "the Server SHOULD free associated resources and MUST respond with 204 No Content." */
    @DELETE
    @RolesAllowed(Caller.UPLOADER)
    @Path("{id}")
    public Response terminate(@Auth Caller caller, @PathParam("id") String id) {
        live(caller, id);
        sessions.abort(caller, id, null);
        return Response.noContent().build();
    }

    /** The caller's upload that HEAD may describe: 404 when unknown or terminated, 410 when expired. */
    private UploadSession live(Caller caller, String id) {
        if (!UPLOAD_ID.matcher(id).matches()) {
            throw new UploadException(Problem.NOT_FOUND, "no upload " + id);
        }
        UploadSession session = sessions.owned(caller, id);
        if (session.protocol() != Protocol.TUS || session.state() == SessionState.ABORTED
                || session.state() == SessionState.FAILED) {
            throw new UploadException(Problem.NOT_FOUND, "no upload " + id);
        }
        if (sessions.expired(session)) {
            throw new UploadException(Problem.SESSION_EXPIRED, "upload " + id + " expired at " + session.expiresAt());
        }
        return session;
    }

    /** "All PATCH requests MUST use Content-Type: application/offset+octet-stream, otherwise the server SHOULD return a 415." */
    private static ChunkChecks patchChecks(HttpHeaders headers) {
        MediaType type = headers.getMediaType();
        if (type == null || !(type.getType() + "/" + type.getSubtype()).equalsIgnoreCase(TusHeaders.OFFSET_OCTET_STREAM)) {
            throw new UploadException(Problem.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type must be " + TusHeaders.OFFSET_OCTET_STREAM + ", not " + type);
        }
        return new ChunkChecks(checksum(headers), null, RequestBodies.contentLength(headers), true, true);
    }

    /** checksum: "Upload-Checksum: <algorithm> <base64 of the digest>"; an unknown algorithm is 400. */
    private static @Nullable Checksum checksum(HttpHeaders headers) {
        String raw = headers.getHeaderString(TusHeaders.UPLOAD_CHECKSUM);
        if (raw == null) {
            return null;
        }
        String[] parts = raw.trim().split(" ");
        try {
            if (parts.length != 2) {
                throw new IllegalArgumentException("Upload-Checksum must be an algorithm and a base64 digest");
            }
            return TusChecksums.of(parts[0], Base64.getDecoder().decode(parts[1]));
        } catch (IllegalArgumentException e) {
            throw new UploadException(Problem.INVALID_REQUEST, e.getMessage());
        }
    }

    /** Exactly one of {@code Upload-Length} and {@code Upload-Defer-Length: 1}; null means deferred. */
    private static @Nullable Long lengthOrDeferred(HttpHeaders headers) {
        Long length = optionalNumber(headers, TusHeaders.UPLOAD_LENGTH);
        String defer = headers.getHeaderString(TusHeaders.UPLOAD_DEFER_LENGTH);
        if (defer != null && !defer.trim().equals("1")) {
            throw new UploadException(Problem.INVALID_REQUEST, "Upload-Defer-Length must be 1");
        }
        if ((length == null) == (defer == null)) {
            throw new UploadException(Problem.INVALID_REQUEST,
                    "give either Upload-Length or Upload-Defer-Length: 1, not " + (length == null ? "neither" : "both"));
        }
        return length;
    }

    private static long requiredNumber(HttpHeaders headers, String name) {
        Long value = optionalNumber(headers, name);
        if (value == null) {
            throw new UploadException(Problem.INVALID_REQUEST, name + " is required");
        }
        return value;
    }

    private static @Nullable Long optionalNumber(HttpHeaders headers, String name) {
        String raw = headers.getHeaderString(name);
        if (raw == null) {
            return null;
        }
        try {
            long value = Long.parseLong(raw.trim());
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // answered below
        }
        throw new UploadException(Problem.INVALID_REQUEST, name + " must be a non-negative integer, not " + raw);
    }

    private static boolean hasBody(HttpHeaders headers) {
        String length = headers.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        return headers.getHeaderString("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
    }

    /** expiration: "The Upload-Expires response header indicates the time after which the unfinished upload expires." */
    private static Response.ResponseBuilder withExpiry(Response.ResponseBuilder answer, UploadSession session) {
        if (session.state() == SessionState.OPEN) {
            answer.header(TusHeaders.UPLOAD_EXPIRES,
                    DateTimeFormatter.RFC_1123_DATE_TIME.format(session.expiresAt().atOffset(ZoneOffset.UTC)));
        }
        return answer;
    }
}
