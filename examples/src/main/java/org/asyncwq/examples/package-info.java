/**
 * The code of the project's documents, compiled and run as tests.
 *
 * <p>Every fenced {@code java} or {@code xml} block in {@code README.md} and {@code docs/*.md} is
 * a copy of a region of a file in this repository, and {@code DocumentedCodeTest} fails when the
 * two drift apart. The convention:
 *
 * <ol>
 *   <li>In the source, mark the region with a line {@code // tag::NAME[]} before it and a line
 *       {@code // end::NAME[]} after it (in XML, {@code <!-- tag::NAME[] -->} and {@code <!--
 *       end::NAME[] -->}). A name may be opened and closed several times in one file; the region
 *       is the concatenation of its pieces, in file order. That lets one block show the imports at
 *       the top of a file and a method body further down, or leave out a line that only hands a
 *       result to the test (such a line must change nothing the document describes).
 *   <li>In the document, put the line {@code <!-- example: PATH#NAME -->} directly above the
 *       opening fence, where {@code PATH} is the source file relative to the repository root. The
 *       comment does not render.
 *   <li>The block and the region are compared after every run of whitespace is turned into one
 *       space, so indentation and line breaks may differ; everything else must be identical,
 *       comments included.
 *   <li>Put the code under {@code examples/src/main/java/org/asyncwq/examples/<topic>/} and a test
 *       under {@code examples/src/test/java} that runs it and asserts what the document says it
 *       does. A module this module does not depend on yet (storage-engine, cli) is added to {@code
 *       examples/pom.xml} as a dependency.
 * </ol>
 *
 * <p>Blocks in other languages (shell commands, diagrams) are not checked.
 */
package org.asyncwq.examples;
