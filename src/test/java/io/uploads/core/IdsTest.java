package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersionSevenUuidsThatSortInTheOrderTheyWereMade() throws InterruptedException {
        List<String> made = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            made.add(Ids.next());
            if (i % 5_000 == 0) {
                Thread.sleep(2);   // across milliseconds too, not only within one
            }
        }
        assertThat(made).allSatisfy(id -> {
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(7);
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id);
        });
        assertThat(new HashSet<>(made)).hasSize(made.size());
        // as the database compares them: the strings, in the order they were made
        assertThat(made).isSorted();
    }

    @Test
    void anIdCarriesTheMillisecondItWasMadeIn() {
        long before = System.currentTimeMillis();
        UUID id = UUID.fromString(Ids.next());
        long after = System.currentTimeMillis();
        assertThat(id.getMostSignificantBits() >>> 16).isBetween(before, after);
    }
}
