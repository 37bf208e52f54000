package org.asyncwq.examples.migration;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** Stage 4's state: entries appended to ledgers, each ledger's entries in the order appended. */
public final class Ledgers {
  /** One entry for one ledger. */
  public record Update(String ledger, int entry) {}

  private final Map<String, List<Integer>> entries = new ConcurrentHashMap<>();

  /** Appends an update's entry to its ledger. */
  public void append(Update update) {
    entries.computeIfAbsent(update.ledger(), k -> Collections.synchronizedList(new ArrayList<>()))
        .add(update.entry());
  }

  /** Every ledger's entries in the order appended, ledgers sorted by name. */
  public Map<String, List<Integer>> entries() {
    Map<String, List<Integer>> copy = new TreeMap<>();
    entries.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return copy;
  }
}
