package org.asyncwq.storage.tree;

/** What a metadata page belongs to; written into its header. */
public enum PageKind {
  /** The object directory: object name to object record. */
  DIRECTORY(1),
  /** One object's extent map: block index within the object to a run of data blocks. */
  EXTENTS(2);

  final int code;

  PageKind(int code) {
    this.code = code;
  }

  static PageKind of(int code) {
    for (PageKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    return null;
  }
}
