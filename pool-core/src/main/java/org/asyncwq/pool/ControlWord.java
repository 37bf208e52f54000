package org.asyncwq.pool;

/**
 * The layout of a pool's control word, {@link WorkerRoster#ctl}: one {@code long}, changed only by
 * CAS, that holds everything the decision after a queued work needs, so that decision costs one
 * volatile read when every worker is already awake. This class only names the fields and decodes
 * them; the roster owns the word and every transition of it.
 *
 * <pre>
 *   bits  0-14  top     slot of the most recently idle worker (the idle stack's top), 0 = none
 *   bits 15-29  total   live workers + threads starting: the slots in use, never above maxWorkers
 *                       when a start is decided (seed 000's num_workers_starting is part of it)
 *   bits 30-44  starting threads asked for that have not registered yet
 *   bit  45     STOP    stop() or stopNow() was called: no new work
 *   bit  46     NOW     stopNow() was called: no work is taken any more
 *   bit  47     DONE    stopping, no slot in use and nothing queued: no thread will ever run again
 *   bit  48     FROZEN  freeze(): no work is taken until thaw()
 *   bits 49-63  version bumped by every push onto the idle stack, so a pop that read a stale
 *                       successor fails its CAS (the ABA of a Treiber stack of reused nodes)
 * </pre>
 */
final class ControlWord {
  static final int MAX_CAP = 0x7fff;
  static final int TOTAL_SHIFT = 15;
  static final int STARTING_SHIFT = 30;
  static final int VERSION_SHIFT = 49;
  static final long TOP_MASK = MAX_CAP;
  static final long ONE_TOTAL = 1L << TOTAL_SHIFT;
  static final long ONE_STARTING = 1L << STARTING_SHIFT;
  static final long ONE_VERSION = 1L << VERSION_SHIFT;
  static final long STOP = 1L << 45;
  static final long NOW = 1L << 46;
  static final long DONE = 1L << 47;
  static final long FROZEN = 1L << 48;

  private ControlWord() {}

  static int top(long c) {
    return (int) (c & TOP_MASK);
  }

  static int total(long c) {
    return (int) ((c >>> TOTAL_SHIFT) & MAX_CAP);
  }

  static int starting(long c) {
    return (int) ((c >>> STARTING_SHIFT) & MAX_CAP);
  }

  static int live(long c) {
    return total(c) - starting(c);
  }

  /** The pool's run state as {@code toString()} names it. */
  static String stateName(long c) {
    return (c & DONE) != 0 ? "TERMINATED"
        : (c & NOW) != 0 ? "STOPPING_NOW"
        : (c & STOP) != 0 ? "STOPPING" : "RUNNING";
  }
}
