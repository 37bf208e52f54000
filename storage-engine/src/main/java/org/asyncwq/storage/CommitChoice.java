package org.asyncwq.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.asyncwq.storage.tree.CowTree;
import org.asyncwq.storage.tree.PageKind;

/**
 * The commit an open takes, and how it got there: the newest commit whose directory root reads
 * back verified on some mirror and, if it is the newest of all and not sealed, whose every written
 * block {@link CommitProof} finds on some mirror (repairing the other copies); the commit just
 * before it (its space is not free until the next commit); and the commits refused on the way.
 * Only the newest commit can be incomplete: a newer round starts after an older one's flush ended,
 * and a sealed commit is known complete (see {@link Superblock}).
 *
 * @param chosen the commit to open
 * @param previous the commit one generation older, or null if none verified
 * @param refused the commits newer than {@code chosen} whose root or proof failed
 */
record CommitChoice(Superblock chosen, Superblock previous, List<Superblock> refused) {
  private static final Logger log = LogManager.getLogger(CommitChoice.class);

  /**
   * Tries the commits of {@code slots} newest first.
   *
   * @throws CorruptStoreException if no commit's root verifies, or the newest commit's proof found
   *     a block it cannot tell missing from unreadable ({@link CommitProof.Unprovable})
   */
  static CommitChoice of(Mirrors mirrors, SuperblockSlots slots) throws CorruptStoreException {
    Superblock chosen = null;
    Superblock previous = null;
    IOException rootProblem = null;
    long newestGeneration = slots.newest().generation();
    List<Superblock> refused = new ArrayList<>();
    for (Superblock sb : slots.distinctCommits()) {
      if (chosen != null) {
        if (sb.generation() < chosen.generation()) {
          if (sb.generation() == chosen.generation() - 1) {
            previous = sb;
          }
          break;
        }
        continue;
      }
      try {
        new CowTree(mirrors, PageKind.DIRECTORY, Store.DIRECTORY_OWNER, sb.directory()).height();
        // Only the newest commit can be incomplete: a newer round starts after an older one's
        // flush ended. A sealed one is known complete (see Superblock).
        if (sb.generation() == newestGeneration && !sb.sealed()) {
          long blocks = CommitProof.verify(mirrors, sb);
          log.debug("commit {} proved: its {} blocks verified on every mirror", sb.generation(),
              blocks);
        }
        chosen = sb;
      } catch (CommitProof.Unprovable e) {
        throw new CorruptStoreException(e.getMessage(), e);
      } catch (IOException e) {
        rootProblem = e;
        refused.add(sb);
        log.warn("superblock generation {} is refused, trying the previous commit: {}",
            sb.generation(), e.toString());
      }
    }
    if (chosen == null) {
      throw new CorruptStoreException("no superblock's directory root verifies on any mirror",
          rootProblem);
    }
    return new CommitChoice(chosen, previous, refused);
  }
}
