package io.uploads.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DatabaseConfigTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:h2:./data/uploads;AUTO_SERVER=TRUE | jdbc:h2:./data/uploads;AUTO_SERVER=TRUE;LOCK_TIMEOUT=10000;WRITE_DELAY=0",
            "jdbc:h2:/srv/db                          | jdbc:h2:/srv/db;LOCK_TIMEOUT=10000;WRITE_DELAY=0",
            "jdbc:h2:/srv/db;write_delay=100          | jdbc:h2:/srv/db;write_delay=100;LOCK_TIMEOUT=10000",
            "jdbc:h2:/srv/db;LOCK_TIMEOUT=1;WRITE_DELAY=0 | jdbc:h2:/srv/db;LOCK_TIMEOUT=1;WRITE_DELAY=0",
            "jdbc:postgresql://db:5432/uploads        | jdbc:postgresql://db:5432/uploads"})
    void addsTheH2SettingsTheServiceNeedsUnlessGiven(String given, String effective) {
        DatabaseConfig config = new DatabaseConfig(given, "sa", "", 4);

        assertThat(config.effectiveUrl()).isEqualTo(effective);
        assertThat(config.dataSourceFactory().getDriverClass())
                .isEqualTo(given.startsWith("jdbc:h2:") ? "org.h2.Driver" : "org.postgresql.Driver");
    }
}
