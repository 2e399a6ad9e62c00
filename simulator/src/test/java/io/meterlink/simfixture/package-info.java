/**
 * A class set with the package cycles the simulator once had ({@code sim.bench} ↔ {@code sim.scenario},
 * {@code sim.mbus} → {@code sim.model} → {@code sim.faults} → {@code sim.mbus}): the simulator's
 * architecture test shows the no-cycles rule fails on it. Never used by product code.
 */
package io.meterlink.simfixture;
