package org.asyncwq.bench.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The baseline: each slot at a fixed offset of 2 plain files; a put writes the bytes to both with
 * positional writes and forces both ({@code force(false)}, data only, as the store's data blocks
 * are) before it returns; a get reads one file.
 */
final class RawFileSubject implements Subject {
  private final FileChannel[] files = new FileChannel[2];
  private final int objectSize;

  RawFileSubject(Path dir, int objectSize) throws IOException {
    Files.createDirectories(dir);
    this.objectSize = objectSize;
    for (int i = 0; i < files.length; i++) {
      files[i] = FileChannel.open(dir.resolve("raw-" + i + ".bin"), StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
  }

  @Override
  public void put(int slot, byte[] data) throws IOException {
    long at = (long) slot * objectSize;
    for (FileChannel f : files) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) {
        f.write(b, at + b.position());
      }
    }
    for (FileChannel f : files) {
      f.force(false);
    }
  }

  @Override
  public int get(int slot, byte[] into) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(into, 0, objectSize);
    long at = (long) slot * objectSize;
    while (b.hasRemaining()) {
      if (files[0].read(b, at + b.position()) < 0) {
        break;
      }
    }
    return b.position();
  }

  @Override
  public void close() throws IOException {
    for (FileChannel f : files) {
      f.close();
    }
  }
}
