package org.asyncwq.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes as operators write them ({@code 4096}, {@code 64M}, {@code 64MiB}, {@code 1G}), always in
 * powers of 1024 as mkfs.btrfs and zpool read them, and back into the same form for display.
 */
final class ByteSize implements ITypeConverter<Long> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)\\s*(?:([kmgtKMGT])(?:i?[bB])?|[bB])?");
  private static final String UNITS = "KMGT";

  @Override
  public Long convert(String value) {
    return parse(value);
  }

  /** Parses a size, rejecting anything that is not a whole number of bytes with a clear reason. */
  static long parse(String value) {
    Matcher m = SIZE.matcher(value.trim());
    if (!m.matches()) {
      throw new TypeConversionException(
          "'" + value + "' is not a size: write a number of bytes with an optional unit, e.g. 64M or 1GiB");
    }
    long number;
    try {
      number = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      throw new TypeConversionException("'" + value + "' is too large a size");
    }
    int shift =
        m.group(2) == null ? 0 : 10 * (1 + UNITS.indexOf(m.group(2).toUpperCase(Locale.ROOT)));
    if (number > (Long.MAX_VALUE >> shift)) {
      throw new TypeConversionException("'" + value + "' is too large a size");
    }
    return number << shift;
  }

  /** A size for people: {@code 0 B}, {@code 4.0 KiB}, {@code 100.0 MiB}. */
  static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    int unit = Math.min((63 - Long.numberOfLeadingZeros(bytes)) / 10, UNITS.length());
    return String.format(Locale.ROOT, "%.1f %siB", bytes / (double) (1L << (10 * unit)), UNITS.charAt(unit - 1));
  }
}
