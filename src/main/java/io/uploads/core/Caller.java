package io.uploads.core;

import java.security.Principal;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** An authenticated principal, as its token describes it. */
public record Caller(String name, List<String> groups, Set<String> roles, String tokenId) implements Principal {

    public static final String UPLOADER = "uploader";
    public static final String ADMIN = "admin";

    @Override
    public String getName() {
        return name;
    }

    /**
     * The group an upload goes to: the requested one if the caller belongs to it, else the
     * caller's first group when none was requested.
     */
    public String groupFor(@Nullable String requested) {
        if (requested == null) {
            if (groups.isEmpty()) {
                throw new UploadException(UploadException.Problem.FORBIDDEN_GROUP,
                        "principal " + name + " belongs to no group");
            }
            return groups.get(0);
        }
        if (!groups.contains(requested)) {
            throw new UploadException(UploadException.Problem.FORBIDDEN_GROUP,
                    "principal " + name + " may not upload into group " + requested);
        }
        return requested;
    }
}
