package org.asyncwq.examples.readme;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.asyncwq.storage.block.ScrubReport;
// tag::store[]
import org.asyncwq.storage.*;
// end::store[]

/** README.md, "The object store in one example": put, read, list, locate, scrub, check, delete. */
public final class StoreExample {

  /** What the example observed, for the test to check. */
  public record Outcome(byte[] cat, ScrubReport report, boolean checkOk, List<String> names) {}

  /**
   * Runs the example as the README shows it: a store in {@code dir}, {@code bytes} as the cat
   * picture and the file {@code backupFile} as the backup.
   */
  public Outcome run(Path dir, byte[] bytes, Path backupFile) throws IOException {
    Outcome first;
    // tag::store[]
    try (Store store = Store.create(dir, StoreOptions.builder()
             .mirrors(2)                        // mirror-0.img, mirror-1.img in dir (RAID1)
             .deviceSize(64L << 20)             // sparse files; 1 GiB by default
             .build())) {
      store.put("photos/cat.jpg", new ByteArrayInputStream(bytes));   // durable when it returns
      store.put("backup.tar", backupFile);                            // streamed, bounded memory
      byte[] cat = store.read("photos/cat.jpg");                      // every block verified
      store.list("photos/");                                          // sorted by name
      store.locate("photos/cat.jpg", 0);                              // its block on each mirror
      ScrubReport report = store.scrub((done, total) -> {}).join();   // verify and repair all
      store.check().ok();                                             // trees and free space agree
      // end::store[]
      first = new Outcome(cat, report, store.check().ok(), List.of());
      // tag::store[]
    }
    try (Store store = Store.open(dir)) {                             // after a crash too
      store.delete("backup.tar");
      // end::store[]
      List<String> names = store.list("").stream().map(ObjectInfo::name).toList();
      return new Outcome(first.cat(), first.report(), first.checkOk(), names);
      // tag::store[]
    }
    // end::store[]
  }
}
