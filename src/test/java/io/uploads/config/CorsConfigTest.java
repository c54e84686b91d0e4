package io.uploads.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.dropwizard.util.Duration;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The {@code cors} section of the configuration, as an operator writes it. */
class CorsConfigTest {

    @Test
    void sectionGivingOnlyTheOriginsIsValidAndKeepsTheDefaultPreflightMaxAge() throws Exception {
        CorsConfig cors = parse("allowedOrigins: https://app.example.com, https://admin.example.com\n");

        assertThat(cors.origins()).containsExactly("https://app.example.com", "https://admin.example.com");
        assertThat(cors.enabled()).isTrue();
        assertThat(cors.preflightMaxAge()).isEqualTo(Duration.hours(1));
    }

    @Test
    void sectionGivingOnlyThePreflightMaxAgeLeavesCorsOff() throws Exception {
        CorsConfig cors = parse("preflightMaxAge: 10 minutes\n");

        assertThat(cors.enabled()).isFalse();
        assertThat(cors.preflightMaxAge()).isEqualTo(Duration.minutes(10));
    }

    private static CorsConfig parse(String yaml) throws Exception {
        return new YamlConfigurationFactory<>(CorsConfig.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw")
                .build(path -> new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "cors.yml");
    }
}
