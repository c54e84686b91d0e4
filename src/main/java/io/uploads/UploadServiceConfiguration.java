package io.uploads;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.uploads.config.AdminPortConfig;
import io.uploads.config.AuthConfig;
import io.uploads.config.CorsConfig;
import io.uploads.config.DatabaseConfig;
import io.uploads.config.OperationsConfig;
import io.uploads.config.StorageConfig;
import io.uploads.config.UploadsConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

public class UploadServiceConfiguration extends Configuration {

    @Valid @NotNull @JsonProperty("database")
    private DatabaseConfig database;

    @Valid @NotNull @JsonProperty("storage")
    private StorageConfig storage;

    @Valid @NotNull @JsonProperty("uploads")
    private UploadsConfig uploads;

    @Valid @NotNull @JsonProperty("auth")
    private AuthConfig auth;

    @Valid @NotNull @JsonProperty("cors")
    private CorsConfig cors = new CorsConfig(null, null);

    @Valid @NotNull @JsonProperty("operations")
    private OperationsConfig operations = new OperationsConfig(null);

    @Valid @NotNull @JsonProperty("adminPort")
    private AdminPortConfig adminPort = new AdminPortConfig(false);

    public DatabaseConfig database() {
        return database;
    }

    public StorageConfig storage() {
        return storage;
    }

    public UploadsConfig uploads() {
        return uploads;
    }

    public AuthConfig auth() {
        return auth;
    }

    public CorsConfig cors() {
        return cors;
    }

    public OperationsConfig operations() {
        return operations;
    }

    public AdminPortConfig adminPort() {
        return adminPort;
    }
}
