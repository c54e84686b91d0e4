package io.uploads.core;

import java.security.Principal;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An authenticated principal, as its token describes it, and the address its request came from
 * (the forwarded one behind a proxy that is trusted with {@code USE_FORWARDED_HEADERS}).
 */
public record Caller(String name, List<String> groups, Set<String> roles, String tokenId,
                     @Nullable String remoteAddress) implements Principal {

    public static final String UPLOADER = "uploader";
    public static final String ADMIN = "admin";

    public Caller(String name, List<String> groups, Set<String> roles, String tokenId) {
        this(name, groups, roles, tokenId, null);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }

    /** Who the audit trail names for what this caller does. */
    public Actor actor() {
        return new Actor(name, remoteAddress);
    }

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
