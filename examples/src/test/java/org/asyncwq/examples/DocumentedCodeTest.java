package org.asyncwq.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.asyncwq.examples.DocumentedCode.Block;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every java and xml code block of README.md and docs/ is a copy of a source region of this
 * repository, compiled and run by this module's tests; a block that drifts from its source fails
 * here (the convention is in the package documentation of org.asyncwq.examples).
 */
class DocumentedCodeTest {

  private static List<Block> allBlocks() {
    Path root = Repository.root();
    List<Block> blocks = new ArrayList<>();
    for (Path doc : Repository.documents()) {
      blocks.addAll(DocumentedCode.blocks(doc.toString(), DocumentedCode.read(root.resolve(doc))));
    }
    return blocks;
  }

  @TestFactory
  Stream<DynamicTest> everyNamedBlockEqualsItsSourceRegion() {
    Path root = Repository.root();
    return allBlocks().stream().filter(Block::named).map(block -> DynamicTest.dynamicTest(
        block.toString(), () -> {
          Path source = root.resolve(block.source()).normalize();
          assertThat(source.startsWith(root))
              .as("%s names a source outside the repository", block).isTrue();
          assertThat(Files.isRegularFile(source))
              .as("%s names %s, which does not exist", block, block.source()).isTrue();
          String region =
              DocumentedCode.region(block.source(), DocumentedCode.read(source), block.region());
          assertThat(DocumentedCode.difference(block, region)).as("%s", block).isNull();
        }));
  }

  @Test
  void everyJavaAndXmlBlockNamesItsSource() {
    List<String> unnamed = new ArrayList<>();
    for (Block block : allBlocks()) {
      if (!block.named() && DocumentedCode.CHECKED_LANGUAGES.contains(block.language())) {
        unnamed.add(block.toString());
      }
    }
    assertThat(unnamed)
        .as("code blocks without a <!-- example: PATH#REGION --> line directly above them")
        .isEmpty();
  }

  @Test
  void readmeAndMigrationGuideShowOnlyCheckedCode() {
    Path root = Repository.root();
    List<Block> readme = DocumentedCode.blocks("README.md", DocumentedCode.read(root.resolve("README.md")));
    List<Block> guide =
        DocumentedCode.blocks("docs/MIGRATION.md", DocumentedCode.read(root.resolve("docs/MIGRATION.md")));
    assertThat(readme.stream().filter(Block::named)).hasSizeGreaterThanOrEqualTo(3);
    // six stages, a before and an after each, plus the consumer's BOM import
    assertThat(guide.stream().filter(Block::named)).hasSizeGreaterThanOrEqualTo(13);
  }

  @Test
  void aBlockThatDriftedFromItsSourceIsReported() {
    String source = "class A {\n  // tag::r[]\n  int x = 1;\n  // end::r[]\n}\n";
    String doc = "<!-- example: A.java#r -->\n```java\nint x = 2;\n```\n";
    Block block = DocumentedCode.blocks("doc.md", doc).get(0);
    assertThat(block.named()).isTrue();
    assertThat(DocumentedCode.difference(block, DocumentedCode.region("A.java", source, "r")))
        .contains("doc.md:2", "int x = 2", "int x = 1");
  }

  @Test
  void whitespaceAloneIsNoDrift() {
    String source = "class A {\n  // tag::r[]\n  int x = 1;\n      int y = 2;\n  // end::r[]\n}\n";
    String doc = "<!-- example: A.java#r -->\n```java\nint x = 1; int y =    2;\n```\n";
    Block block = DocumentedCode.blocks("doc.md", doc).get(0);
    assertThat(DocumentedCode.difference(block, DocumentedCode.region("A.java", source, "r"))).isNull();
  }

  @Test
  void aRegionIsTheConcatenationOfItsPiecesWithoutTheMarkers() {
    String source = "// tag::r[]\nimport a.B;\n// end::r[]\nclass A {\n  void f() {\n"
        + "    // tag::r[]\n    g();\n    // end::r[]\n    hidden();\n  }\n}\n";
    assertThat(DocumentedCode.normalise(DocumentedCode.region("A.java", source, "r")))
        .isEqualTo("import a.B; g();");
  }

  @Test
  void aMissingOrUnclosedRegionIsAnError() {
    assertThatThrownBy(() -> DocumentedCode.region("A.java", "class A {}\n", "r"))
        .hasMessageContaining("no region r");
    assertThatThrownBy(() -> DocumentedCode.region("A.java", "// tag::r[]\nint x;\n", "r"))
        .hasMessageContaining("never closed");
  }

  @Test
  void aJavaBlockWithoutMarkerIsFoundUnnamed() {
    List<Block> blocks = DocumentedCode.blocks("doc.md", "text\n```java\nint x;\n```\n```\nmvn -B verify\n```\n");
    assertThat(blocks).hasSize(2);
    assertThat(blocks.get(0).named()).isFalse();
    assertThat(blocks.get(0).language()).isEqualTo("java");
    assertThat(blocks.get(1).language()).isEmpty();
  }
}
