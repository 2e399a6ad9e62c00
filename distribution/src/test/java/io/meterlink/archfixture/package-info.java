/**
 * A class set that breaks every rule of {@link io.meterlink.cli.arch.Boundaries}: the architecture
 * test shows each rule fails on it. Never used by product code.
 */
package io.meterlink.archfixture;
