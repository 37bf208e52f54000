package org.asyncwq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeTest {
  @Test
  void readsBytesAndBinaryUnitsAsOperatorsWriteThem() {
    assertThat(ByteSize.parse("4096")).isEqualTo(4096);
    assertThat(ByteSize.parse("4096B")).isEqualTo(4096);
    assertThat(ByteSize.parse("64M")).isEqualTo(64L << 20);
    assertThat(ByteSize.parse("64MiB")).isEqualTo(64L << 20);
    assertThat(ByteSize.parse("1g")).isEqualTo(1L << 30);
    assertThat(ByteSize.parse("2 TB")).isEqualTo(2L << 40);
    assertThat(ByteSize.parse("8k")).isEqualTo(8192);
  }

  @Test
  void refusesWhatIsNotASizeSayingWhy() {
    assertThatThrownBy(() -> ByteSize.parse("1.5G")).isInstanceOf(TypeConversionException.class)
        .hasMessageContaining("'1.5G' is not a size");
    assertThatThrownBy(() -> ByteSize.parse("-1")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ByteSize.parse("lots")).hasMessageContaining("not a size");
    assertThatThrownBy(() -> ByteSize.parse("9999999999T")).hasMessageContaining("too large");
  }

  @Test
  void formatsForPeople() {
    assertThat(ByteSize.format(0)).isEqualTo("0 B");
    assertThat(ByteSize.format(1023)).isEqualTo("1023 B");
    assertThat(ByteSize.format(4096)).isEqualTo("4.0 KiB");
    assertThat(ByteSize.format(100L << 20)).isEqualTo("100.0 MiB");
    assertThat(ByteSize.format(3L << 30)).isEqualTo("3.0 GiB");
  }
}
