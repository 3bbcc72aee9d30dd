package dev.rapport.helm;

import static dev.rapport.helm.Rendered.env;
import static dev.rapport.helm.Rendered.parse;
import static dev.rapport.helm.Rendered.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * The chart as an operator meets it: {@code helm lint} and {@code helm template} (Helm itself, embedded) with each
 * {@code ci/*.yaml} and with bad values, the output read into typed Kubernetes objects.
 */
class ChartTest {

    private static final Path CHART = Rendered.CHART;
    private static final Path CI = Rendered.CI;
    private static final List<String> SERVICES = List.of("campaign-service", "channel-gateway", "profile-service",
            "service-desk-bridge", "suppression-service");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static Stream<Path> ciValues() throws IOException {
        try (Stream<Path> files = Files.list(CI)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** helm lint takes no values file here: it lints a copy of the chart whose values.yaml has the file merged in. */
    @ParameterizedTest
    @MethodSource("ciValues")
    void lintsCleanInStrictMode(Path values, @TempDir Path dir) throws IOException {
        Path chart = dir.resolve("rapport");
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path f : files.toList()) {
                Files.copy(f, chart.resolve(CHART.relativize(f).toString()));
            }
        }
        ObjectNode merged = (ObjectNode) YAML.readTree(CHART.resolve("values.yaml").toFile());
        merge(merged, (ObjectNode) YAML.readTree(values.toFile()));
        YAML.writeValue(chart.resolve("values.yaml").toFile(), merged);

        LintResult result = new Helm(chart).lint().strict().call();
        assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    private static void merge(ObjectNode into, ObjectNode from) {
        from.properties().forEach(e -> {
            if (e.getValue() instanceof ObjectNode o && into.get(e.getKey()) instanceof ObjectNode existing) {
                merge(existing, o);
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    @Test
    void rendersEveryServiceWithItsPortProbesImageAndSecrets() {
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t);

        assertThat(r.names(Deployment.class)).containsExactlyInAnyOrderElementsOf(
                SERVICES.stream().map(s -> "demo-rapport-" + s).toList());
        assertThat(r.names(Service.class)).isEqualTo(r.names(Deployment.class));
        Map<String, Integer> ports = Map.of("profile-service", 8081, "campaign-service", 8082, "suppression-service",
                8083, "channel-gateway", 8084, "service-desk-bridge", 8085);
        Map<String, String> clientSecrets = Map.of("profile-service", "profile-secret", "campaign-service",
                "campaign-secret", "suppression-service", "suppression-secret", "channel-gateway", "channel-secret",
                "service-desk-bridge", "desk-secret");
        for (String service : SERVICES) {
            Deployment d = r.get(Deployment.class, "demo-rapport-" + service);
            assertThat(d.getSpec().getReplicas()).isEqualTo(2);
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("rapport/" + service + ":0.1.0");
            assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(ports.get(service));
            assertThat(c.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
            assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
            assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
            assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
            assertThat(c.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
            assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
                    .containsEntry("prometheus.io/path", "/q/metrics")
                    .containsEntry("prometheus.io/port", String.valueOf(ports.get(service)));

            Map<String, EnvVar> env = env(c);
            assertThat(env.get("RAPPORT_DB_HOST").getValue()).isEqualTo("postgres.data.svc.cluster.local");
            assertThat(env.get("RAPPORT_DB_PORT").getValue()).isEqualTo("5432");
            assertThat(env.get("RAPPORT_DATABASE_CREATE_IF_MISSING").getValue()).isEqualTo("true");
            assertThat(env.get("RAPPORT_OIDC_URL").getValue()).isEqualTo("https://sso.example.com/realms/rapport");
            assertThat(env.get("RAPPORT_OTEL_DISABLED").getValue()).isEqualTo("true");
            assertThat(env).doesNotContainKey("OTEL_EXPORTER_OTLP_ENDPOINT");
            // secrets come from the Secret the chart made, each service with its own client secret
            assertThat(r.secretValue(env.get("RAPPORT_DB_PASSWORD"))).isEqualTo("db-secret");
            assertThat(r.secretValue(env.get("RAPPORT_REDIS_URL")))
                    .isEqualTo("redis://redis.data.svc.cluster.local:6379/0");
            assertThat(r.secretValue(env.get("RAPPORT_OIDC_CLIENT_SECRET"))).isEqualTo(clientSecrets.get(service));
            if (service.equals("service-desk-bridge")) {
                // the desk's webhook secrets, the agent page's client and Zendesk's API; a desk left out stays off
                assertThat(r.secretValue(env.get("RAPPORT_ZENDESK_WEBHOOK_SECRET"))).isEqualTo("zendesk-hook-secret");
                assertThat(r.secretValue(env.get("RAPPORT_FRESHDESK_WEBHOOK_SECRET"))).isEmpty();
                assertThat(r.secretValue(env.get("RAPPORT_AGENT_PAGE_SECRET"))).isEqualTo("agent-page-secret");
                assertThat(r.secretValue(env.get("RAPPORT_ZENDESK_API_TOKEN"))).isEqualTo("zendesk-api-token");
                assertThat(env.get("RAPPORT_ZENDESK_API_URL").getValue()).isEqualTo("https://example.zendesk.com");
                assertThat(env.get("RAPPORT_ZENDESK_API_USER").getValue()).isEqualTo("rapport@example.com");
            } else {
                assertThat(env).doesNotContainKeys("RAPPORT_AGENT_PAGE_SECRET", "RAPPORT_ZENDESK_WEBHOOK_SECRET");
            }

            Service s = r.get(Service.class, "demo-rapport-" + service);
            assertThat(s.getSpec().getPorts().get(0).getPort()).isEqualTo(ports.get(service));
            assertThat(s.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());

            PodDisruptionBudget pdb = r.get(PodDisruptionBudget.class, "demo-rapport-" + service);
            assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        }
        assertThat(r.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(r.all(NetworkPolicy.class)).isEmpty();
    }

    @Test
    void everyServiceFindsEveryOtherOneWhereItListens() {
        // one service moved to another port: it listens there, its Service serves there, and every caller dials there
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t.set("services.suppression-service.port", 9083));
        for (Deployment d : r.all(Deployment.class)) {
            Map<String, EnvVar> env = env(d.getSpec().getTemplate().getSpec().getContainers().get(0));
            for (String prefix : List.of("PROFILE", "CAMPAIGN", "SUPPRESSION", "CHANNEL", "DESK")) {
                String host = env.get("RAPPORT_" + prefix + "_HOST").getValue();
                int port = Integer.parseInt(env.get("RAPPORT_" + prefix + "_PORT").getValue());
                Service target = r.get(Service.class, host);
                assertThat(target.getSpec().getPorts().get(0).getPort()).as("%s from %s", host,
                        d.getMetadata().getName()).isEqualTo(port);
                Deployment served = r.get(Deployment.class, host);
                assertThat(served.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().get(0)
                        .getContainerPort()).isEqualTo(port);
            }
            assertThat(env.get("RAPPORT_SUPPRESSION_PORT").getValue()).isEqualTo("9083");
        }
    }

    @Test
    void productionValuesUseTheirOwnSecretsAutoscaleAndFenceTheServices() {
        Rendered r = render(CI.resolve("production-values.yaml"), t -> t);

        assertThat(r.all(Secret.class)).as("every secret is kept outside the chart").isEmpty();
        assertThat(r.names(Deployment.class)).doesNotContain("demo-rapport-service-desk-bridge").hasSize(4);
        for (Deployment d : r.all(Deployment.class)) {
            String service = d.getMetadata().getLabels().get("app.kubernetes.io/component");
            assertThat(d.getSpec().getReplicas()).as("the autoscaler owns the replicas").isNull();
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getImage()).isEqualTo("registry.example.com/rapport/" + service + ":0.1.0");
            assertThat(d.getSpec().getTemplate().getSpec().getImagePullSecrets().get(0).getName())
                    .isEqualTo("registry-credentials");
            Map<String, EnvVar> env = env(c);
            assertThat(env.get("RAPPORT_DB_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("rapport-db");
            assertThat(env.get("RAPPORT_DB_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
            assertThat(env.get("RAPPORT_REDIS_URL").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("rapport-redis");
            assertThat(env.get("RAPPORT_REDIS_URL").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("url");
            assertThat(env.get("RAPPORT_OIDC_CLIENT_SECRET").getValueFrom().getSecretKeyRef().getName())
                    .isEqualTo("rapport-oidc");
            assertThat(env.get("RAPPORT_OIDC_CLIENT_SECRET").getValueFrom().getSecretKeyRef().getKey())
                    .isEqualTo(service + "-client-secret");
            assertThat(env.get("RAPPORT_DATABASE_CREATE_IF_MISSING").getValue()).isEqualTo("false");
            assertThat(env.get("RAPPORT_OTEL_DISABLED").getValue()).isEqualTo("false");
            assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT").getValue())
                    .isEqualTo("http://otel-collector.observability:4317");
            // the spread constraint written once in defaults spreads each service's own pods
            assertThat(d.getSpec().getTemplate().getSpec().getTopologySpreadConstraints().get(0).getLabelSelector()
                    .getMatchLabels()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
        }
        // a service's own settings are merged over the defaults, key by key
        Container suppression = r.get(Deployment.class, "demo-rapport-suppression-service").getSpec().getTemplate()
                .getSpec().getContainers().get(0);
        assertThat(suppression.getResources().getRequests().get("cpu").toString()).isEqualTo("1");
        assertThat(suppression.getResources().getLimits().get("memory").toString()).isEqualTo("1536Mi");
        assertThat(r.get(HorizontalPodAutoscaler.class, "demo-rapport-suppression-service").getSpec()
                .getMaxReplicas()).isEqualTo(12);
        HorizontalPodAutoscaler profile = r.get(HorizontalPodAutoscaler.class, "demo-rapport-profile-service");
        assertThat(profile.getSpec().getMinReplicas()).isEqualTo(2);
        assertThat(profile.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(profile.getSpec().getScaleTargetRef().getName()).isEqualTo("demo-rapport-profile-service");

        NetworkPolicy policy = r.get(NetworkPolicy.class, "demo-rapport-profile-service");
        var from = policy.getSpec().getIngress().get(0).getFrom();
        assertThat(from).hasSize(2);
        assertThat(from.get(0).getPodSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", "demo")
                .doesNotContainKey("app.kubernetes.io/component");
        assertThat(from.get(1).getNamespaceSelector().getMatchLabels())
                .containsEntry("kubernetes.io/metadata.name", "ingress");
        assertThat(policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(8081);
    }

    @Test
    void anOpenNetworkPolicyStillLimitsThePort() {
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t.set("networkPolicy.enabled", true));
        NetworkPolicy policy = r.get(NetworkPolicy.class, "demo-rapport-campaign-service");
        assertThat(policy.getSpec().getIngress().get(0).getFrom()).isNullOrEmpty();
        assertThat(policy.getSpec().getIngress().get(0).getPorts().get(0).getPort().getIntVal()).isEqualTo(8082);
    }

    @Test
    void aDigestPinsTheImage() {
        String digest = "sha256:" + "ab".repeat(32);
        Rendered r = render(CI.resolve("default-values.yaml"),
                t -> t.set("services.profile-service.image.digest", digest));
        assertThat(r.get(Deployment.class, "demo-rapport-profile-service").getSpec().getTemplate().getSpec()
                .getContainers().get(0).getImage()).isEqualTo("rapport/profile-service@" + digest);
    }

    @Test
    void aLongReleaseNameKeepsEveryServiceApart() {
        String release = "a-release-name-of-fifty-three-characters-at-the-most";
        TemplateCommand command = new Helm(CHART).template().withName(release).withNamespace("shop")
                .withKubeVersion("1.31.0").withValuesFile(CI.resolve("default-values.yaml"));
        Rendered r = parse(command.call(), release);
        List<String> names = r.names(Deployment.class);
        assertThat(names).hasSize(5).doesNotHaveDuplicates().allMatch(n -> n.length() <= 63);
        for (String service : SERVICES) {
            assertThat(names).anyMatch(n -> n.endsWith("-" + service));
        }
    }

    @Test
    void aSpreadConstraintWithItsOwnSelectorIsKeptAsWritten() {
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t
                .set("defaults.topologySpreadConstraints[0].maxSkew", 1)
                .set("defaults.topologySpreadConstraints[0].topologyKey", "topology.kubernetes.io/zone")
                .set("defaults.topologySpreadConstraints[0].whenUnsatisfiable", "ScheduleAnyway")
                .set("defaults.topologySpreadConstraints[0].labelSelector.matchLabels.app\\.kubernetes\\.io/part-of",
                        "rapport"));
        assertThat(r.get(Deployment.class, "demo-rapport-profile-service").getSpec().getTemplate().getSpec()
                .getTopologySpreadConstraints().get(0).getLabelSelector().getMatchLabels())
                .containsExactly(Map.entry("app.kubernetes.io/part-of", "rapport"));
    }

    @Test
    void pullSecretsMayBeNamesOrObjects() {
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t.set("defaults.image.pullSecrets[0].name", "regcred"));
        assertThat(r.get(Deployment.class, "demo-rapport-profile-service").getSpec().getTemplate().getSpec()
                .getImagePullSecrets().get(0).getName()).isEqualTo("regcred");
    }

    // ---------------------------------------------------------------------------------------------- bad values ---

    @Test
    void refusesAMissingEndpointNamingIt() {
        assertThatThrownBy(() -> render(null, t -> t)).hasMessageContaining("postgresql.host is required");
        assertThatThrownBy(() -> render(CI.resolve("default-values.yaml"), t -> t.set("redis.url", "")))
                .hasMessageContaining("redis.url or redis.existingSecret is required");
        assertThatThrownBy(() -> render(CI.resolve("default-values.yaml"), t -> t.set("oidc.url", "")))
                .hasMessageContaining("oidc.url is required");
        assertThatThrownBy(() -> render(CI.resolve("default-values.yaml"),
                t -> t.set("oidc.clientSecrets.channel-gateway", "")))
                .hasMessageContaining("oidc.clientSecrets.channel-gateway or oidc.existingSecret is required");
    }

    @Test
    void aDisabledServiceNeedsNoClientSecretAndIsNotRendered() {
        Rendered r = render(CI.resolve("default-values.yaml"), t -> t.set("oidc.clientSecrets.channel-gateway", "")
                .set("services.channel-gateway.enabled", false));
        assertThat(r.names(Deployment.class)).hasSize(4).doesNotContain("demo-rapport-channel-gateway");
        assertThat(r.names(Service.class)).doesNotContain("demo-rapport-channel-gateway");
        assertThat(r.all(Secret.class).get(0).getData()).doesNotContainKey("channel-gateway-client-secret");
    }

    @Test
    void refusesValuesOfTheWrongShape() {
        Path values = CI.resolve("default-values.yaml");
        assertThatThrownBy(() -> render(values, t -> t.set("services.profile-servce.port", 8081)))
                .hasMessageContaining("profile-servce");
        assertThatThrownBy(() -> render(values, t -> t.set("services.profile-service.replicaCunt", 3)))
                .hasMessageContaining("replicaCunt");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.imag.tag", "1.0")))
                .hasMessageContaining("/defaults/imag");
        assertThatThrownBy(() -> render(values, t -> t.set("services.profile-service.port", 70000)))
                .hasMessageContaining("/services/profile-service/port");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.replicaCount", -1)))
                .hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render(values, t -> t.set("redis.url", "localhost:6379")))
                .hasMessageContaining("/redis/url");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.resources.limit.memory", "1Gi")))
                .hasMessageContaining("/defaults/resources");
        assertThatThrownBy(() -> render(values, t -> t.set("services.profile-service.extraEnv[0].name", "RAPPORT_DB_HOST")
                .set("services.profile-service.extraEnv[0].value", "elsewhere")))
                .hasMessageContaining("services.profile-service: extraEnv sets RAPPORT_DB_HOST");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.readinessProbe.periodSeconds", 0)))
                .hasMessageContaining("periodSeconds");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.image.pullPolicy", "Sometimes")))
                .hasMessageContaining("pullPolicy");
    }

    @Test
    void refusesContradictoryValues() {
        Path values = CI.resolve("default-values.yaml");
        assertThatThrownBy(() -> render(values, t -> t.set("defaults.autoscaling.enabled", true)
                .set("defaults.autoscaling.minReplicas", 5).set("defaults.autoscaling.maxReplicas", 3)))
                .hasMessageContaining("autoscaling.minReplicas (5) is more than autoscaling.maxReplicas (3)");
        assertThatThrownBy(() -> render(values, t -> t.set("services.profile-service.pdb.minAvailable", 1)
                .set("services.profile-service.pdb.maxUnavailable", 1)))
                .hasMessageContaining("services.profile-service: set pdb.minAvailable or pdb.maxUnavailable, not both");
    }
}
