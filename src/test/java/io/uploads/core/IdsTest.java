package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class IdsTest {

    @Test
    void idsAreVersionSevenUuidsThatSortByTheMillisecondTheyWereMadeIn() throws InterruptedException {
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
        assertThat(made.stream().map(IdsTest::millisecond).toList()).isSorted();
        // as the database compares them, the strings: in the order of their milliseconds
        assertThat(made.stream().sorted().map(IdsTest::millisecond).toList()).isSorted();
        assertThat(millisecond(made.get(made.size() - 1))).isGreaterThan(millisecond(made.get(0)));
    }

    @Test
    void idsMadeInOneMillisecondShareNoMoreThanTheirTime() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            ids.add(UUID.fromString(Ids.next()));
        }
        // made within one millisecond, a counted-up id would differ from the one before in its last bits only
        ids.sort(Comparator.naturalOrder());
        long nearNeighbours = 0;
        for (int i = 1; i < ids.size(); i++) {
            if (ids.get(i).getLeastSignificantBits() - ids.get(i - 1).getLeastSignificantBits() == 1) {
                nearNeighbours++;
            }
        }
        assertThat(nearNeighbours).isZero();
    }

    @Test
    void anIdCarriesTheMillisecondItWasMadeIn() {
        long before = System.currentTimeMillis();
        long made = millisecond(Ids.next());
        long after = System.currentTimeMillis();
        assertThat(made).isBetween(before, after);
    }

    private static long millisecond(String id) {
        return UUID.fromString(id).getMostSignificantBits() >>> 16;
    }
}
