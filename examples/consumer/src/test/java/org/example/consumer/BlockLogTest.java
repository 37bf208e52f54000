package org.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class BlockLogTest {

  @Test
  void linesComeBackChecksummedInInputOrder() throws Exception {
    List<String> lines = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      String line = "line " + i;
      lines.add(line);
      CRC32 c = new CRC32();
      c.update(line.getBytes(StandardCharsets.UTF_8));
      expected.add(String.format("%08x %s", c.getValue(), line));
    }
    assertEquals(expected, BlockLog.checksum(lines));
  }

  @Test
  void poolOrderedBringsPoolCoreAndNoOtherAsyncwqModule() throws Exception {
    Class.forName("org.asyncwq.pool.WorkerPool"); // pool-ordered's own dependency came along
    assertThrows(ClassNotFoundException.class, () -> Class.forName("org.asyncwq.priority.WorkQueue"));
  }
}
