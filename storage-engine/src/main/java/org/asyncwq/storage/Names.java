package org.asyncwq.storage;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Object names: 1 to 1024 bytes of UTF-8 with no NUL; anything else is refused saying why. */
final class Names {
  static final int MAX_BYTES = 1024;

  private Names() {}

  /** The UTF-8 bytes of a valid name. */
  static byte[] encode(String name) {
    if (name == null) {
      throw new IllegalArgumentException("object name must not be null");
    }
    if (name.isEmpty()) {
      throw new IllegalArgumentException("object name must not be empty");
    }
    return encodeChecked(name, "object name");
  }

  /** The UTF-8 bytes of a list prefix: like a name, but may be empty. */
  static byte[] encodePrefix(String prefix) {
    if (prefix == null) {
      throw new IllegalArgumentException("prefix must not be null (use \"\" to list everything)");
    }
    return encodeChecked(prefix, "prefix");
  }

  static String decode(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /**
   * A name read from the directory, strictly: a key that is not valid UTF-8 without NUL was never
   * written by {@code put} (damaged metadata whose checksum verified), and decoding it leniently
   * would list a name that no lookup can find.
   */
  static String decodeStored(byte[] bytes) throws CorruptStoreException {
    try {
      String s = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
      if (s.isEmpty() || s.indexOf('\0') >= 0) {
        throw new CorruptStoreException("damaged directory entry: an empty name or one with NUL");
      }
      return s;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new CorruptStoreException("damaged directory entry: its name is not valid UTF-8");
    }
  }

  private static byte[] encodeChecked(String s, String what) {
    int nul = s.indexOf('\0');
    if (nul >= 0) {
      throw new IllegalArgumentException(what + " contains a NUL character at index " + nul);
    }
    if (ascii(s)) { // every get and put encodes its name: skip the strict encoder when it can
      if (s.length() > MAX_BYTES) {
        throw new IllegalArgumentException(what + " is " + s.length()
            + " bytes of UTF-8; the limit is " + MAX_BYTES);
      }
      return s.getBytes(StandardCharsets.US_ASCII);
    }
    ByteBuffer b;
    try {
      b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(s));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(
          what + " is not valid Unicode (it has an unpaired surrogate), so it has no UTF-8 form");
    }
    if (b.remaining() > MAX_BYTES) {
      throw new IllegalArgumentException(what + " is " + b.remaining()
          + " bytes of UTF-8; the limit is " + MAX_BYTES);
    }
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  /** Whether every char is ASCII: its UTF-8 bytes are its chars, and it cannot be malformed. */
  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
