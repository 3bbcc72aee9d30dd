{{/*
Shared named templates. A "service context" is a dict of: root (the chart's top context), name (the service's name, a
key of .Values.services) and values (its settings merged over .Values.defaults, see rapport.serviceValues).
*/}}

{{/* The chart's name, at most 63 characters. */}}
{{- define "rapport.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the release name, with the chart's name added when the release name lacks it. */}}
{{- define "rapport.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "rapport.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one service's objects (Deployment, Service, ...): <fullname>-<service>. */}}
{{- define "rapport.serviceFullname" -}}
{{- /* the release part is shortened, never the service's name: two services must not end up with one name */ -}}
{{- printf "%s-%s" (include "rapport.fullname" .root | trunc (int (sub 62 (len .name))) | trimSuffix "-") .name -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "rapport.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "rapport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: rapport
{{- end -}}

{{/* Labels that pick the pods of every service of this release. */}}
{{- define "rapport.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "rapport.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels that pick one service's pods. */}}
{{- define "rapport.selectorLabels" -}}
{{ include "rapport.releaseSelectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* Labels of one service's objects. */}}
{{- define "rapport.serviceLabels" -}}
{{ include "rapport.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/*
One service's settings: .Values.defaults with the service's own entry merged over it, key by key (nested maps too).
Answers YAML; use with fromYaml.
*/}}
{{- define "rapport.serviceValues" -}}
{{- $own := index .root.Values.services .name | default dict -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own)) -}}
{{- end -}}

{{/* The service contexts of the enabled services, as a YAML list of {name, values}; use with fromYamlArray. */}}
{{- define "rapport.enabledServices" -}}
{{- $out := list -}}
{{- range $name, $own := .Values.services -}}
{{- if $own.enabled -}}
{{- $values := include "rapport.serviceValues" (dict "root" $ "name" $name) | fromYaml -}}
{{- $out = append $out (dict "name" $name "values" $values) -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* The image reference of one service: [registry/]repository(:tag|@digest). */}}
{{- define "rapport.image" -}}
{{- $image := .values.image -}}
{{- if not $image.repository -}}
{{- fail (printf "services.%s.image.repository is required" .name) -}}
{{- end -}}
{{- $ref := $image.repository -}}
{{- if $image.registry -}}
{{- $ref = printf "%s/%s" $image.registry $ref -}}
{{- end -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $ref $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $ref (default .root.Chart.AppVersion $image.tag | toString) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding the database password. */}}
{{- define "rapport.dbSecretName" -}}
{{- default (include "rapport.fullname" .) .Values.postgresql.existingSecret -}}
{{- end -}}

{{/* The Secret holding the Redis URL. */}}
{{- define "rapport.redisSecretName" -}}
{{- default (include "rapport.fullname" .) .Values.redis.existingSecret -}}
{{- end -}}

{{/* The Secret holding the services' client secrets. */}}
{{- define "rapport.oidcSecretName" -}}
{{- default (include "rapport.fullname" .) .Values.oidc.existingSecret -}}
{{- end -}}

{{/* The Secret holding service-desk-bridge's own secrets. */}}
{{- define "rapport.deskSecretName" -}}
{{- default (include "rapport.fullname" .) .Values.serviceDesk.existingSecret -}}
{{- end -}}

{{/* Whether the chart's Secret holds service-desk-bridge's secrets: the bridge is enabled and they are not elsewhere. */}}
{{- define "rapport.keepsDeskSecrets" -}}
{{- $desk := get .Values.services "service-desk-bridge" | default dict -}}
{{- if and (ne (toString $desk.enabled) "false") (not .Values.serviceDesk.existingSecret) -}}
true
{{- end -}}
{{- end -}}

{{/* Whether this chart creates its own Secret: when any of them lives in the chart's Secret. */}}
{{- define "rapport.createsSecret" -}}
{{- if or (not .Values.postgresql.existingSecret) (not .Values.redis.existingSecret) (not .Values.oidc.existingSecret) (include "rapport.keepsDeskSecrets" .) -}}
true
{{- end -}}
{{- end -}}

{{/* The service account's name. */}}
{{- define "rapport.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "rapport.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The environment variable that names another service's host or port, as the services read it
(common/src/main/resources/META-INF/microprofile-config.properties): RAPPORT_<PROFILE|CAMPAIGN|...>_HOST and _PORT.
*/}}
{{- define "rapport.envPrefix" -}}
{{- $prefixes := dict "profile-service" "RAPPORT_PROFILE" "campaign-service" "RAPPORT_CAMPAIGN" "suppression-service" "RAPPORT_SUPPRESSION" "channel-gateway" "RAPPORT_CHANNEL" "service-desk-bridge" "RAPPORT_DESK" -}}
{{- get $prefixes . -}}
{{- end -}}

{{/* Fails with a clear message when a required endpoint is missing or contradictory. */}}
{{- define "rapport.validate" -}}
{{- if not .Values.postgresql.host -}}
{{- fail "postgresql.host is required: the PostgreSQL server the services keep their databases on" -}}
{{- end -}}
{{- if and (not .Values.postgresql.password) (not .Values.postgresql.existingSecret) -}}
{{- fail "postgresql.password or postgresql.existingSecret is required" -}}
{{- end -}}
{{- if and (not .Values.redis.url) (not .Values.redis.existingSecret) -}}
{{- fail "redis.url or redis.existingSecret is required: the Redis server of the contact-pressure counters and the event stream" -}}
{{- end -}}
{{- if not .Values.oidc.url -}}
{{- fail "oidc.url is required: the URL of Keycloak's rapport realm, e.g. https://sso.example.com/realms/rapport" -}}
{{- end -}}
{{- if not .Values.oidc.existingSecret -}}
{{- range $name, $own := .Values.services -}}
{{- if and $own.enabled (not (get $.Values.oidc.clientSecrets $name)) -}}
{{- fail (printf "oidc.clientSecrets.%s or oidc.existingSecret is required: the secret of the %s client in Keycloak" $name $name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $svc := include "rapport.enabledServices" . | fromYamlArray -}}
{{- $a := $svc.values.autoscaling -}}
{{- if and $a.enabled (gt (int $a.minReplicas) (int $a.maxReplicas)) -}}
{{- fail (printf "services.%s: autoscaling.minReplicas (%v) is more than autoscaling.maxReplicas (%v)" $svc.name $a.minReplicas $a.maxReplicas) -}}
{{- end -}}
{{- /* the variables deployment.yaml sets: keep this list in step with its env block */ -}}
{{- $set := list "JAVA_TOOL_OPTIONS" "RAPPORT_DB_HOST" "RAPPORT_DB_PORT" "RAPPORT_DB_USER" "RAPPORT_DB_PASSWORD" "RAPPORT_DATABASE_CREATE_IF_MISSING" "RAPPORT_REDIS_URL" "RAPPORT_OIDC_URL" "RAPPORT_OIDC_CLIENT_SECRET" "RAPPORT_PHONE_REGION" "RAPPORT_OTEL_DISABLED" "OTEL_EXPORTER_OTLP_ENDPOINT" -}}
{{- range $prefix := list "RAPPORT_PROFILE" "RAPPORT_CAMPAIGN" "RAPPORT_SUPPRESSION" "RAPPORT_CHANNEL" "RAPPORT_DESK" -}}
{{- $set = concat $set (list (printf "%s_HOST" $prefix) (printf "%s_PORT" $prefix)) -}}
{{- end -}}
{{- if eq $svc.name "service-desk-bridge" -}}
{{- $set = concat $set (list "RAPPORT_ZENDESK_WEBHOOK_SECRET" "RAPPORT_FRESHDESK_WEBHOOK_SECRET" "RAPPORT_GENERIC_DESK_WEBHOOK_SECRET" "RAPPORT_AGENT_PAGE_SECRET" "RAPPORT_ZENDESK_API_TOKEN" "RAPPORT_ZENDESK_API_URL" "RAPPORT_ZENDESK_API_USER") -}}
{{- end -}}
{{- range $svc.values.extraEnv -}}
{{- if has .name $set -}}
{{- fail (printf "services.%s: extraEnv sets %s, which the chart sets from its values; change that value instead" $svc.name .name) -}}
{{- end -}}
{{- end -}}
{{- $p := $svc.values.pdb -}}
{{- if and $p.create (ne (toString $p.minAvailable) "") (ne (toString $p.maxUnavailable) "") -}}
{{- fail (printf "services.%s: set pdb.minAvailable or pdb.maxUnavailable, not both" $svc.name) -}}
{{- end -}}
{{- end -}}
{{- end -}}
