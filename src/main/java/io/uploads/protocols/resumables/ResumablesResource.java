package io.uploads.protocols.resumables;

import io.dropwizard.auth.Auth;
import io.uploads.config.UploadsConfig;
import io.uploads.core.Caller;
import io.uploads.core.Checksum;
import io.uploads.core.ChunkChecks;
import io.uploads.core.Filenames;
import io.uploads.core.Protocol;
import io.uploads.core.SessionSnapshot;
import io.uploads.core.UploadException;
import io.uploads.core.ClientSessions;
import io.uploads.core.Completion;
import io.uploads.core.SequentialUploads;
import io.uploads.core.WholeUploads;
import io.uploads.protocols.RequestBodies;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import org.jspecify.annotations.Nullable;

/**
 * The native "resumables" API, compatible with the TSD file API and its client. Paths work with or
 * without the TSD prefix {@code /v1/{project}} and with the group as a path segment, as the TSD
 * client sends them ({@code /v1/p11/files/stream/p11-member-group/file.bin?chunk=1}).
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.UPLOADER)
public final class ResumablesResource {

    /** {@code files}, or {@code v1/{project}/files}; the project segment is accepted and not used. */
    private static final String FILES = "{base: (v1/[^/]+/)?files}";
    private static final String STREAM = FILES + "/stream";
    private static final String RESUMABLES = FILES + "/resumables";

    private final SequentialUploads uploads;
    private final WholeUploads wholeUploads;
    private final Completion completion;
    private final ClientSessions sessions;
    private final UploadsConfig limits;

    public ResumablesResource(SequentialUploads uploads, WholeUploads wholeUploads, Completion completion,
                              ClientSessions sessions, UploadsConfig limits) {
        this.uploads = uploads;
        this.wholeUploads = wholeUploads;
        this.completion = completion;
        this.sessions = sessions;
        this.limits = limits;
    }

    /**
     * {@code chunk=1} without {@code id} creates a session; {@code chunk=n&id=..} appends chunk n,
     * which must be {@code max_chunk + 1} (or {@code max_chunk} again, with the same bytes);
     * {@code chunk=end&id=..} assembles the file.
     */
    @PATCH
    @Path(STREAM + "/{filename}")
    public Response patch(@Auth Caller caller, @PathParam("filename") String filename, @Context UriInfo uri,
                          @Context HttpHeaders headers, InputStream body) {
        return patchChunk(caller, null, filename, uri, headers, body);
    }

    @PATCH
    @Path(STREAM + "/{group}/{filename}")
    public Response patchInGroup(@Auth Caller caller, @PathParam("group") String group,
                                 @PathParam("filename") String filename, @Context UriInfo uri,
                                 @Context HttpHeaders headers, InputStream body) {
        return patchChunk(caller, group, filename, uri, headers, body);
    }

    /** A whole file in one request (the TSD client's choice below its resumable threshold). */
    @PUT
    @Path(STREAM + "/{filename}")
    public Response put(@Auth Caller caller, @PathParam("filename") String filename, @Context UriInfo uri,
                        @Context HttpHeaders headers, InputStream body) {
        return putWhole(caller, null, filename, uri, headers, body);
    }

    @PUT
    @Path(STREAM + "/{group}/{filename}")
    public Response putInGroup(@Auth Caller caller, @PathParam("group") String group,
                               @PathParam("filename") String filename, @Context UriInfo uri,
                               @Context HttpHeaders headers, InputStream body) {
        return putWhole(caller, group, filename, uri, headers, body);
    }

    @GET
    @Path(RESUMABLES)
    public ResumableList list(@Auth Caller caller) {
        return new ResumableList(sessions.listOpen(caller).stream().map(ResumableInfo::of).toList());
    }

    /** With {@code id}, that session; without, the caller's most recently active open one for the file. */
    @GET
    @Path(RESUMABLES + "/{filename}")
    public ResumableInfo get(@Auth Caller caller, @PathParam("filename") String filename, @Context UriInfo uri) {
        Filenames.requireValid(filename);
        String id = ChunkQuery.id(uri.getQueryParameters(), false);
        SessionSnapshot snapshot = id != null
                ? sessions.findResumable(caller, id, filename)
                : sessions.latestResumable(caller, filename).orElseThrow(() -> new UploadException(
                        UploadException.Problem.NOT_FOUND, "no open upload of " + filename));
        return ResumableInfo.of(snapshot);
    }

    @DELETE
    @Path(RESUMABLES + "/{filename}")
    public Message delete(@Auth Caller caller, @PathParam("filename") String filename, @Context UriInfo uri) {
        Filenames.requireValid(filename);
        sessions.abort(caller, ChunkQuery.id(uri.getQueryParameters(), true), filename);
        return new Message("resumable deleted");
    }

    @DELETE
    @Path(RESUMABLES)
    public Message deleteById(@Auth Caller caller, @Context UriInfo uri) {
        sessions.abort(caller, ChunkQuery.id(uri.getQueryParameters(), true), null);
        return new Message("resumable deleted");
    }

    private Response patchChunk(Caller caller, @Nullable String pathGroup, String filename, UriInfo uri,
                                HttpHeaders headers, InputStream body) {
        Filenames.requireValid(filename);
        ChunkQuery q = ChunkQuery.parse(uri.getQueryParameters(), pathGroup);
        SessionSnapshot result;
        if (q.isEnd()) {
            result = completion.complete(caller, Protocol.RESUMABLES, requireId(q), filename, q.group());
        } else {
            ChunkChecks checks = ChunkChecks.whole(q.md5sum() == null ? null : Checksum.md5Hex(q.md5sum()), q.offset(),
                    RequestBodies.contentLength(headers), false);
            if (q.id() == null) {
                if (q.chunk() != 1) {
                    throw new UploadException(UploadException.Problem.INVALID_REQUEST,
                            "id is required for chunk " + q.chunk() + "; only chunk 1 starts an upload");
                }
                result = uploads.start(caller, Protocol.RESUMABLES, filename, q.group(), body, checks,
                        limits.maxChunkSize().toBytes());
            } else {
                result = uploads.append(caller, q.id(), filename, q.chunk(), q.group(), body, checks);
            }
        }
        return Response.status(Response.Status.CREATED).entity(ResumableInfo.of(result)).build();
    }

    private Response putWhole(Caller caller, @Nullable String pathGroup, String filename, UriInfo uri,
                              HttpHeaders headers, InputStream body) {
        String group = ChunkQuery.group(uri.getQueryParameters(), pathGroup);
        ChunkChecks checks = ChunkChecks.whole(null, null, RequestBodies.contentLength(headers), true);
        SessionSnapshot done = wholeUploads.upload(caller, filename, group, body, checks, limits.maxUploadSize().toBytes());
        return Response.status(Response.Status.CREATED).entity(ResumableInfo.of(done)).build();
    }

    private static String requireId(ChunkQuery q) {
        if (q.id() == null) {
            throw new UploadException(UploadException.Problem.INVALID_REQUEST, "id is required with chunk=end");
        }
        return q.id();
    }
}
