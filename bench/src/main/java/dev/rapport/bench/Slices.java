package dev.rapport.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the slices of one kind of open-loop load measured, all together: latency, errors, time and the CPU each
 * group of processes used. Benchmarks alternate slices of a target and of its baseline over the same connections.
 */
final class Slices {

    final Histogram latency = new ConcurrentHistogram(3);
    long requests;
    long errors;
    double seconds;
    private final Map<String, Double> cpu = new HashMap<>();
    private final int rate;
    private final Supplier<Map<String, Double>> snapshot;
    private final List<String> groups;

    /**
     * @param rate requests per second of the open loop
     * @param snapshot the CPU each group used so far (Cpu.snapshot of the services measured)
     * @param groups the services' groups, named first in the report; empty for Cpu's own order
     */
    Slices(int rate, Supplier<Map<String, Double>> snapshot, List<String> groups) {
        this.rate = rate;
        this.snapshot = snapshot;
        this.groups = groups;
    }

    /** One slice of {@code total} requests at the rate. */
    void run(FixedRate.Connections connections, FixedRate.Protocol protocol, long total,
            LongFunction<byte[]> request) throws Exception {
        Map<String, Double> cpu0 = snapshot.get();
        long t0 = System.nanoTime();
        errors += FixedRate.run(connections, protocol, rate, total, request, latency);
        seconds += (System.nanoTime() - t0) / 1e9;
        snapshot.get().forEach((group, used) -> cpu.merge(group, used - cpu0.getOrDefault(group, 0.0),
                Double::sum));
        requests += total;
    }

    /** A row of the report's table: requests, errors, p50, p90, p99 (bold), p99.9 and max. */
    String row(String what) {
        return "| %s | %,d | %d | %.2f ms | %.2f ms | **%.2f ms** | %.2f ms | %.2f ms |".formatted(what, requests,
                errors, ms(latency, 50), ms(latency, 90), ms(latency, 99), ms(latency, 99.9),
                latency.getMaxValue() / 1000.0);
    }

    /** The CPU the groups used during the slices, in cores. */
    String cpu() {
        return groups.isEmpty() ? Cpu.between(Map.of(), cpu, seconds) : Cpu.between(Map.of(), cpu, seconds, groups);
    }

    /** A percentile of a histogram of microseconds, in milliseconds. */
    static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }
}
