package io.uploads.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritebackTest {

    @TempDir
    Path dir;

    @Test
    void anEarlyFsyncThatFailedIsReportedToTheWriter() throws IOException {
        FileChannel file = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        file.close();    // the early fsync will fail on it, as one on a failing disk would
        Writeback writeback = new Writeback(file);

        writeback.written(Writeback.STEP);

        // Linux reports a write-back error to one fsync only: losing it would let a row record lost bytes
        assertThatThrownBy(writeback::finish).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void fewerBytesThanAStepStartNoEarlyFsync() throws IOException {
        FileChannel file = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        file.close();
        Writeback writeback = new Writeback(file);

        writeback.written(Writeback.STEP - 1);

        writeback.finish();    // nothing ran, so nothing failed
    }

    @Test
    void theBytesWrittenWhileEarlyFsyncsRunAreAllThere() throws IOException {
        Path path = dir.resolve("f");
        byte[] block = new byte[64 * 1024];
        long total = 0;
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             Writeback writeback = new Writeback(file)) {
            for (int i = 0; i < 100; i++) {
                java.util.Arrays.fill(block, (byte) i);
                total += file.write(ByteBuffer.wrap(block), total);
                writeback.written(block.length);
            }
            writeback.finish();
            file.force(false);
        }

        byte[] written = Files.readAllBytes(path);
        assertThat(written).hasSize((int) total);
        for (int i = 0; i < 100; i++) {
            assertThat(written[i * block.length]).isEqualTo((byte) i);
            assertThat(written[(i + 1) * block.length - 1]).isEqualTo((byte) i);
        }
    }
}
