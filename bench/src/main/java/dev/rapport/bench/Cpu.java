package dev.rapport.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU seconds used by the processes of the machine, grouped by command, read from /proc: what a run spent where. On a
 * virtual machine it also reads the time the hypervisor gave to other guests while this one had work to do (steal):
 * a latency tail with much steal says more about the host's neighbours than about the code.
 */
final class Cpu {

    private static final double TICKS = 100.0; // USER_HZ on Linux

    private Cpu() {
    }

    /**
     * CPU seconds per process group: postgres, redis, the service (a java with the jar), this benchmark, others; and
     * "stolen", the seconds the hypervisor ran other guests on this machine's CPUs.
     */
    static Map<String, Double> snapshot(String serviceJar) {
        return snapshot(serviceJar == null ? Map.of() : Map.of("service", serviceJar));
    }

    /**
     * As {@link #snapshot(String)} for a benchmark of several services at once (a request that crosses them): each
     * service is a group of its own, named by the key, found by its jar (the value).
     */
    static Map<String, Double> snapshot(Map<String, String> services) {
        // by absolute path (dev/stack.sh starts each jar so): another checkout's services on the same machine, whose
        // paths end the same, are not counted as these
        Map<String, String> jars = new LinkedHashMap<>();
        services.forEach((group, jar) -> jars.put(group, Path.of(jar).toAbsolutePath().toString()));
        Map<String, Double> out = new LinkedHashMap<>();
        try {
            // cpu  user nice system idle iowait irq softirq steal ...
            String[] total = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            out.put("stolen", Long.parseLong(total[8]) / TICKS);
        } catch (IOException | RuntimeException ignored) {
            // not Linux, or a kernel without steal accounting
        }
        long self = ProcessHandle.current().pid();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    String group;
                    if (Long.parseLong(p.getFileName().toString()) == self) {
                        group = "load generator";
                    } else if (cmd.contains("postgres")) {
                        // backends that ended were reaped by the postmaster: their time is in its children's time
                        ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                        group = "postgresql";
                    } else if (cmd.contains("redis-server")) {
                        group = "redis";
                    } else {
                        group = jars.entrySet().stream().filter(s -> cmd.contains(s.getValue()))
                                .map(Map.Entry::getKey).findFirst().orElse("other");
                    }
                    out.merge(group, ticks / TICKS, Double::sum);
                } catch (IOException | RuntimeException ignored) {
                    // the process ended
                }
            });
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /** CPU used per group between two snapshots, in cores (CPU seconds per second), as "group 0.4 core, …". */
    static String between(Map<String, Double> before, Map<String, Double> after, double wallSeconds) {
        return between(before, after, wallSeconds, List.of("service"));
    }

    /** As {@link #between(Map, Map, double)}, with the services' groups named first, in the order given. */
    static String between(Map<String, Double> before, Map<String, Double> after, double wallSeconds,
            List<String> services) {
        StringBuilder out = new StringBuilder();
        List<String> groups = new ArrayList<>(services);
        groups.addAll(List.of("postgresql", "redis", "load generator", "other", "stolen"));
        for (String group : groups) {
            double used = after.getOrDefault(group, 0.0) - before.getOrDefault(group, 0.0);
            out.append(out.isEmpty() ? "" : ", ").append(group.equals("stolen") ? "stolen by the hypervisor" : group)
                    .append(' ')
                    .append("%.1f core".formatted(used / wallSeconds));
        }
        return out.toString();
    }
}
