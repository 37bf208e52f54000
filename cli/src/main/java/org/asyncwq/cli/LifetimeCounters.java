package org.asyncwq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.asyncwq.storage.block.DeviceStats;
import org.asyncwq.storage.block.VolumeStats;

/**
 * The error counters of a store over its whole life, kept in {@code device-stats.json} beside the
 * device files, as {@code btrfs device stats} keeps its counters on disk.
 *
 * <p>The store counts from zero each time it is opened; every command adds what it counted to this
 * file when it closes the store, so a repair made by one {@code get} is still shown by the next
 * {@code stat}. A replaced mirror starts again from zero. A missing or unreadable file counts as
 * zeros: the counters are a report, never needed to open the store.
 */
record LifetimeCounters(List<DeviceCounts> devices, VolumeCounts volume) {
  static final String FILE = "device-stats.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One mirror's counters, named as {@link DeviceStats} names them. */
  record DeviceCounts(
      long readErrors, long writeErrors, long flushErrors, long corruptionErrors, long generationErrors) {
    static final DeviceCounts ZERO = new DeviceCounts(0, 0, 0, 0, 0);

    DeviceCounts plus(DeviceStats s) {
      return new DeviceCounts(readErrors + s.readErrors(), writeErrors + s.writeErrors(),
          flushErrors + s.flushErrors(), corruptionErrors + s.corruptionErrors(),
          generationErrors + s.generationErrors());
    }
  }

  /** The volume's counters, named as {@link VolumeStats} names them. */
  record VolumeCounts(long reads, long writes, long corrected, long uncorrectable) {
    static final VolumeCounts ZERO = new VolumeCounts(0, 0, 0, 0);

    VolumeCounts plus(VolumeStats s) {
      return new VolumeCounts(reads + s.reads(), writes + s.writes(), corrected + s.corrected(),
          uncorrectable + s.uncorrectable());
    }
  }

  static LifetimeCounters read(Path storeDir) {
    try {
      LifetimeCounters counters = MAPPER.readValue(storeDir.resolve(FILE).toFile(), LifetimeCounters.class);
      if (counters.devices() != null && counters.volume() != null) {
        return counters;
      }
    } catch (NoSuchFileException e) {
      // A store that no command has closed yet.
    } catch (IOException e) {
      // Damaged or foreign: the counters start again; the store itself is unaffected.
    }
    return new LifetimeCounters(List.of(), VolumeCounts.ZERO);
  }

  DeviceCounts device(int mirror) {
    return mirror < devices.size() ? devices.get(mirror) : DeviceCounts.ZERO;
  }

  /** These counters plus one session's. */
  LifetimeCounters plus(List<DeviceStats> session, VolumeStats sessionVolume) {
    List<DeviceCounts> sum = new ArrayList<>();
    for (DeviceStats s : session) {
      sum.add(device(s.mirror()).plus(s));
    }
    return new LifetimeCounters(sum, volume.plus(sessionVolume));
  }

  /** The same counters with mirror {@code mirror} back at zero (its device was replaced). */
  LifetimeCounters reset(int mirror) {
    List<DeviceCounts> copy = new ArrayList<>(devices);
    if (mirror < copy.size()) {
      copy.set(mirror, DeviceCounts.ZERO);
    }
    return new LifetimeCounters(copy, volume);
  }

  /** Lifetime figures of one device: these counters plus what the open store counted. */
  DeviceStats lifetime(DeviceStats session) {
    DeviceCounts c = device(session.mirror()).plus(session);
    return new DeviceStats(session.mirror(), session.state(), c.readErrors(), c.writeErrors(),
        c.flushErrors(), c.corruptionErrors(), c.generationErrors());
  }

  VolumeStats lifetime(VolumeStats session) {
    VolumeCounts c = volume.plus(session);
    return new VolumeStats(c.reads(), c.writes(), c.corrected(), c.uncorrectable());
  }

  void write(Path storeDir) throws IOException {
    Path temporary = storeDir.resolve(FILE + ".new");
    MAPPER.writeValue(temporary.toFile(), this);
    Files.move(temporary, storeDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
