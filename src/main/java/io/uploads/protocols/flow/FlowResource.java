package io.uploads.protocols.flow;

import io.dropwizard.auth.Auth;
import io.uploads.core.Caller;
import io.uploads.core.NumberedChunks;
import io.uploads.core.UploadException;
import io.uploads.protocols.RequestBodies;
import jakarta.annotation.security.RolesAllowed;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * flow.js and resumable.js: {@code GET /flow} asks whether a chunk is already here (200 yes,
 * 204 send it), {@code POST /flow} sends one, as {@code multipart/form-data} (the libraries'
 * default) or as the raw body with the parameters in the query ({@code method: 'octet'}).
 *
 * <p>Status codes are chosen for how the libraries react: flow.js gives up on 404, 413, 415,
 * 500 and 501 and retries anything else; resumable.js gives up on 400, 401, 403, 404, 409, 415,
 * 500 and 501. A chunk that can never be right (bad parameters, wrong size) is 400.
 */
@Path("/flow")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Caller.UPLOADER)
public final class FlowResource {

    private final NumberedChunks uploads;
    private final Clock clock;

    public FlowResource(NumberedChunks uploads, Clock clock) {
        this.uploads = uploads;
        this.clock = clock;
    }

    /** The test chunk: the libraries send every chunk's parameters first and skip the ones we have. */
    @GET
    public Response test(@Auth Caller caller, @Context UriInfo uri) {
        Instant askedAt = clock.instant();
        FlowParams params = FlowParams.parse(uri.getQueryParameters());
        return uploads.hasChunk(caller, params.chunk(), askedAt)
                ? Response.ok(Map.of("chunk", params.chunk().number(), "present", true)).build()
                : Response.noContent().build();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public FlowChunkAnswer upload(@Auth Caller caller, @Context UriInfo uri, @Context HttpHeaders headers,
                                  @Context HttpServletRequest request, InputStream body) {
        MediaType type = headers.getMediaType();
        long length = RequestBodies.contentLength(headers);
        Map<String, List<String>> values = new HashMap<>(uri.getQueryParameters());
        InputStream chunkBytes = body;
        if (type != null && type.isCompatible(MediaType.MULTIPART_FORM_DATA_TYPE)) {
            MultipartChunk multipart = MultipartChunk.read(headers.getHeaderString(HttpHeaders.CONTENT_TYPE), length, body);
            multipart.fields().forEach((name, given) -> values.merge(name, given, FlowResource::both));
            chunkBytes = multipart.file();
        } else if (type != null && (type.getType().equals("multipart")
                || type.isCompatible(MediaType.APPLICATION_FORM_URLENCODED_TYPE))) {
            throw new UploadException(UploadException.Problem.UNSUPPORTED_MEDIA_TYPE, "a chunk is sent as "
                    + MediaType.MULTIPART_FORM_DATA + " with a 'file' part, or as the raw body; not as " + type);
        }
        // any other type is a raw chunk: flow.js's octet method labels it with the file's own type
        FlowParams params = FlowParams.parse(values);
        FlowChunkAnswer answer;
        try {
            answer = FlowChunkAnswer.of(uploads.record(caller, params.protocol(), params.chunk(), chunkBytes));
        } catch (RuntimeException e) {
            uploads.answered(caller, params.chunk(), false);
            throw e;
        }
        // a completion counts as answered once its answer has left for the client, not before:
        // killed in between, the service must still answer the client that asks again for it
        AnswerDelivery.afterDelivery(request, delivered -> uploads.answered(caller, params.chunk(), delivered));
        return answer;
    }

    /**
     * A parameter in both the query and the form: resumable.js sends every parameter both ways,
     * so the same value twice is one value; different values stay two, which is refused.
     */
    private static List<String> both(List<String> query, List<String> form) {
        if (query.equals(form)) {
            return query;
        }
        List<String> all = new ArrayList<>(query);
        all.addAll(form);
        return all;
    }
}
