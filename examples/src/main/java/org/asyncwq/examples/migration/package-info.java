/**
 * The six stages of docs/MIGRATION.md: for each, the JDK-executor code a team starts from
 * ({@code StageNBefore}) and the asyncwq code it ends with ({@code StageNAfter}), which the tests
 * run side by side and expect to give the same result.
 */
package org.asyncwq.examples.migration;
