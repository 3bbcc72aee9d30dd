package dev.rapport.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** The objects {@code helm template} rendered, read into typed Kubernetes objects; shared by the chart's tests. */
record Rendered(List<HasMetadata> objects) {

    static final Path CHART = Path.of("rapport");
    static final Path CI = CHART.resolve("ci");
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    /** helm template as release "demo" in namespace "shop", the values file (if any) and the settings given. */
    static Rendered render(Path values, UnaryOperator<TemplateCommand> settings) {
        TemplateCommand command = new Helm(CHART).template().withName("demo").withNamespace("shop")
                .withKubeVersion("1.31.0");
        if (values != null) {
            command = command.withValuesFile(values);
        }
        return parse(settings.apply(command).call(), "demo");
    }

    /** The objects of helm template's output, each checked for the namespace and the release's label. */
    static Rendered parse(String yaml, String release) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---\\s*$")) {
            if (document.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#"))) {
                objects.add(KUBERNETES.unmarshal(document, HasMetadata.class));
            }
        }
        for (HasMetadata o : objects) {
            assertThat(o.getMetadata().getNamespace()).as("namespace of %s", o.getMetadata().getName())
                    .isEqualTo("shop");
            assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", release);
        }
        return new Rendered(objects);
    }

    /** A container's environment by name; a variable set twice fails. */
    static Map<String, EnvVar> env(Container c) {
        return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e, (a, b) -> {
            throw new AssertionError("environment variable set twice: " + a.getName());
        }));
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> List<String> names(Class<T> kind) {
        return all(kind).stream().map(o -> o.getMetadata().getName()).sorted().toList();
    }

    <T extends HasMetadata> T get(Class<T> kind, String name) {
        List<T> found = all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertThat(found).as("%s %s", kind.getSimpleName(), name).hasSize(1);
        return found.get(0);
    }

    /** The value an environment variable takes from a Secret rendered here. */
    String secretValue(EnvVar var) {
        var ref = var.getValueFrom().getSecretKeyRef();
        Map<String, String> data = new HashMap<>(get(Secret.class, ref.getName()).getData());
        assertThat(data).as("Secret %s", ref.getName()).containsKey(ref.getKey());
        return new String(Base64.getDecoder().decode(data.get(ref.getKey())), StandardCharsets.UTF_8);
    }
}
