package org.asyncwq.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.asyncwq.ordered.OrderedWorkQueue;
import org.asyncwq.pool.WorkerPool;
import org.asyncwq.priority.WorkQueue;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Module-level reuse holds for every published module: the BOM lists it, its jar names its Java
 * module, and the consumer project imports the BOM at this build's version.
 */
class ModuleReuseTest {
  /** Reactor modules that are not libraries and are not published to users. */
  private static final List<String> NOT_PUBLISHED = List.of("examples", "benchmarks", "asyncwq-bom");

  @Test
  void everyPublishedModuleIsInTheBomAndNamesItsJavaModule() throws Exception {
    Path root = Repository.root();
    Document parent = parse(root.resolve("pom.xml"));
    List<String> bom = texts(parse(root.resolve("asyncwq-bom/pom.xml")), "artifactId");
    List<String> published = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (String module : texts(parent, "module")) {
      Document pom = parse(root.resolve(module).resolve("pom.xml"));
      String packaging = first(pom, "packaging");
      if (NOT_PUBLISHED.contains(module) || "pom".equals(packaging)) {
        continue;
      }
      String artifactId = directChild(pom.getDocumentElement(), "artifactId");
      published.add(artifactId);
      if (!bom.contains(artifactId)) {
        problems.add(artifactId + " is missing from asyncwq-bom/pom.xml");
      }
      String name = first(pom, "asyncwq.module");
      if (name == null || !name.matches("org\\.asyncwq(\\.[a-z][a-z0-9]*)+")) {
        problems.add(module + "/pom.xml sets no <asyncwq.module> (its Automatic-Module-Name)");
      }
    }
    assertThat(published).contains("pool-core", "pool-ordered", "pool-priority");
    assertThat(problems).isEmpty();
  }

  @Test
  void theBomPinsAsyncwqModulesOnlyAndHasNoParent() throws Exception {
    Document bom = parse(Repository.root().resolve("asyncwq-bom/pom.xml"));
    assertThat(bom.getElementsByTagName("parent").getLength()).isZero();
    NodeList groups = bom.getElementsByTagName("dependency");
    for (int i = 0; i < groups.getLength(); i++) {
      Element dependency = (Element) groups.item(i);
      assertThat(directChild(dependency, "groupId")).isEqualTo("org.asyncwq");
      assertThat(directChild(dependency, "version")).isEqualTo("${project.version}");
    }
  }

  @Test
  void bomAndConsumerFollowTheBuildsVersion() throws Exception {
    Path root = Repository.root();
    String version = directChild(parse(root.resolve("pom.xml")).getDocumentElement(), "version");
    String bomVersion =
        directChild(parse(root.resolve("asyncwq-bom/pom.xml")).getDocumentElement(), "version");
    assertThat(bomVersion).as("asyncwq-bom's version").isEqualTo(version);
    assertThat(first(parse(root.resolve("examples/consumer/pom.xml")), "asyncwq.version"))
        .as("the BOM version examples/consumer imports").isEqualTo(version);
  }

  @Test
  void everyPoolJarCarriesItsAutomaticModuleName() throws Exception {
    Map<Class<?>, String> expected = new LinkedHashMap<>();
    expected.put(WorkerPool.class, "org.asyncwq.pool");
    expected.put(OrderedWorkQueue.class, "org.asyncwq.ordered");
    expected.put(WorkQueue.class, "org.asyncwq.priority");
    for (Map.Entry<Class<?>, String> e : expected.entrySet()) {
      Path location = location(e.getKey());
      // `mvn test` puts target/classes on the class path; `mvn verify` (what CI runs) the jars.
      assumeTrue(location.toString().endsWith(".jar"), "classes not from a jar: " + location);
      try (JarFile jar = new JarFile(location.toFile())) {
        assertThat(jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
            .as("Automatic-Module-Name of %s", location.getFileName()).isEqualTo(e.getValue());
      }
    }
  }

  private static Path location(Class<?> type) throws URISyntaxException {
    return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  private static Document parse(Path pom) throws Exception {
    assertThat(Files.isRegularFile(pom)).as("%s exists", pom).isTrue();
    try {
      return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    } catch (IOException e) {
      throw new IOException("cannot read " + pom, e);
    }
  }

  private static List<String> texts(Document doc, String tag) {
    List<String> out = new ArrayList<>();
    NodeList nodes = doc.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    return out;
  }

  private static String first(Document doc, String tag) {
    NodeList nodes = doc.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }

  private static String directChild(Element parent, String tag) {
    for (org.w3c.dom.Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element && ((Element) n).getTagName().equals(tag)) {
        return n.getTextContent().trim();
      }
    }
    return null;
  }
}
