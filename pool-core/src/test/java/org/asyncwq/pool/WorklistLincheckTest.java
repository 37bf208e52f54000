package org.asyncwq.pool;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The worklist is a linearizable FIFO with a take gate: concurrent pushes and takes behave as some
 * order of the same calls on a queue, a take returns nothing while the gate is closed (freeze), and
 * no work is taken twice or lost. The ring starts at two slots, so scenarios of a few pushes grow
 * it while takes race with the growth, and the slots are reused across laps.
 */
// Stress mode first: the first Lincheck run in a JVM instruments classes lazily, which under the
// model checker's fixed 30 s per-run budget can be misread as a hang on a loaded machine.
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
@Param(name = "id", gen = IntGen.class, conf = "1:9")
public class WorklistLincheckTest {
  private final Worklist worklist = new Worklist(2);

  /** A work that only carries an id for the results. */
  static final class IdWork extends Work {
    final int id;

    IdWork(int id) {
      this.id = id;
    }

    @Override
    protected void run() {}
  }

  @Operation
  public void push(@Param(name = "id") int id) {
    worklist.push(new IdWork(id));
  }

  @Operation
  public int take() {
    Work w = worklist.take(null);
    return w == null ? -1 : ((IdWork) w).id;
  }

  @Operation
  public void freeze() {
    worklist.closeGate(Worklist.FROZEN_GATE);
  }

  @Operation
  public void thaw() {
    worklist.openGate(Worklist.FROZEN_GATE);
  }

  /** The sequential specification: a FIFO whose take answers nothing while frozen. */
  public static final class Model {
    private final ArrayDeque<Integer> queue = new ArrayDeque<>();
    private boolean frozen;

    public void push(int id) {
      queue.addLast(id);
    }

    public int take() {
      Integer id = frozen ? null : queue.pollFirst();
      return id == null ? -1 : id;
    }

    public void freeze() {
      frozen = true;
    }

    public void thaw() {
      frozen = false;
    }
  }

  @Test
  @Order(1)
  void stressedPushTakeAndGateAreLinearizable() {
    new StressOptions()
        .iterations(Stress.rounds(20))
        .invocationsPerIteration(1_000)
        .threads(3)
        .actorsPerThread(4)
        .actorsBefore(2)
        .actorsAfter(2)
        .sequentialSpecification(Model.class)
        .check(WorklistLincheckTest.class);
  }

  @Test
  @Order(2)
  void modelCheckedPushTakeGrowthAndGateAreLinearizable() {
    new ModelCheckingOptions()
        .iterations(Stress.rounds(20))
        .invocationsPerIteration(500)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .actorsAfter(1)
        .sequentialSpecification(Model.class)
        .check(WorklistLincheckTest.class);
  }
}
