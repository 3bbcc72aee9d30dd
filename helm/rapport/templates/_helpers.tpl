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

{{/* The Secret holding channel-gateway's own secrets. */}}
{{- define "rapport.channelSecretName" -}}
{{- default (include "rapport.fullname" .) .Values.channels.existingSecret -}}
{{- end -}}

{{/* Whether channel-gateway is enabled. */}}
{{- define "rapport.channelGatewayEnabled" -}}
{{- $gateway := get .Values.services "channel-gateway" | default dict -}}
{{- if ne (toString $gateway.enabled) "false" -}}
true
{{- end -}}
{{- end -}}

{{/* Whether the chart's Secret holds channel-gateway's secrets: the gateway is enabled and they are not elsewhere. */}}
{{- define "rapport.keepsChannelSecrets" -}}
{{- if and (include "rapport.channelGatewayEnabled" .) (not .Values.channels.existingSecret) -}}
true
{{- end -}}
{{- end -}}

{{/*
The email providers channel-gateway sends through, as a YAML list (use with fromYamlArray): the chosen one, and the
fallback that takes over while it keeps failing, if any. Both need their settings and secrets.
*/}}
{{- define "rapport.emailProviders" -}}
{{- $email := .Values.channels.email -}}
{{- toYaml (compact (list $email.provider $email.fallback) | uniq) -}}
{{- end -}}

{{/*
channel-gateway's secrets in the chart's Secret, as a YAML map of key to value: the tracking key and the secrets of
the providers in use (a provider that is off has none). deployment.yaml refers to these keys under the same
conditions, in the chart's Secret or in channels.existingSecret.
*/}}
{{- define "rapport.channelSecrets" -}}
{{- $ch := .Values.channels -}}
{{- $out := dict "tracking-secret" $ch.trackingSecret -}}
{{- $email := include "rapport.emailProviders" . | fromYamlArray -}}
{{- if has "smtp" $email -}}
{{- $_ := set $out "smtp-password" $ch.email.smtp.password -}}
{{- end -}}
{{- if has "sendgrid" $email -}}
{{- $_ := set $out "sendgrid-api-key" $ch.email.sendgrid.apiKey -}}
{{- end -}}
{{- if $ch.sms.twilio.enabled -}}
{{- $_ := set $out "twilio-auth-token" $ch.sms.twilio.authToken -}}
{{- end -}}
{{- if $ch.push.fcm.enabled -}}
{{- $_ := set $out "fcm-service-account.json" $ch.push.fcm.serviceAccountJson -}}
{{- end -}}
{{- with $ch.messenger.telegram -}}
{{- if .enabled -}}
{{- $_ := set $out "telegram-bot-token" .botToken -}}
{{- $_ := set $out "telegram-webhook-secret" .webhookSecret -}}
{{- end -}}
{{- end -}}
{{- with $ch.messenger.whatsapp -}}
{{- if .enabled -}}
{{- $_ := set $out "whatsapp-token" .token -}}
{{- $_ := set $out "whatsapp-app-secret" .appSecret -}}
{{- $_ := set $out "whatsapp-verify-token" .verifyToken -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/* Where channel-gateway reads the FCM service account's JSON key: a file of the Secret's volume. */}}
{{- define "rapport.fcmServiceAccountFile" -}}
/etc/rapport/fcm/service-account.json
{{- end -}}

{{/* Whether this chart creates its own Secret: when any of them lives in the chart's Secret. */}}
{{- define "rapport.createsSecret" -}}
{{- if or (not .Values.postgresql.existingSecret) (not .Values.redis.existingSecret) (not .Values.oidc.existingSecret) (include "rapport.keepsDeskSecrets" .) (include "rapport.keepsChannelSecrets" .) -}}
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
{{- if include "rapport.channelGatewayEnabled" . -}}
{{- include "rapport.validateChannels" . -}}
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
{{- if eq $svc.name "channel-gateway" -}}
{{- $set = concat $set (include "rapport.channelEnvNames" $ | fromYamlArray) -}}
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

{{/*
Every variable channel-gateway takes from `channels`, set or not (a provider that is off sets none): extraEnv may not
set them, so a provider's secret never ends up in a plain env value. Keep it in step with deployment.yaml.
*/}}
{{- define "rapport.channelEnvNames" -}}
{{- toYaml (list "RAPPORT_TRACKING_SECRET" "RAPPORT_CHANNEL_PUBLIC_URL" "RAPPORT_EMAIL_FROM" "RAPPORT_EMAIL_PROVIDER" "RAPPORT_EMAIL_FALLBACK_PROVIDER" "RAPPORT_SMTP_HOST" "RAPPORT_SMTP_PORT" "RAPPORT_SMTP_START_TLS" "RAPPORT_SMTP_USER" "RAPPORT_SMTP_PASSWORD" "RAPPORT_SENDGRID_API_URL" "RAPPORT_SENDGRID_API_KEY" "RAPPORT_SENDGRID_WEBHOOK_PUBLIC_KEY" "RAPPORT_TWILIO_API_URL" "RAPPORT_TWILIO_ACCOUNT_SID" "RAPPORT_TWILIO_AUTH_TOKEN" "RAPPORT_TWILIO_FROM" "RAPPORT_FCM_API_URL" "RAPPORT_FCM_PROJECT_ID" "RAPPORT_FCM_SERVICE_ACCOUNT_FILE" "RAPPORT_TELEGRAM_API_URL" "RAPPORT_TELEGRAM_BOT_TOKEN" "RAPPORT_TELEGRAM_WEBHOOK_SECRET" "RAPPORT_WHATSAPP_API_URL" "RAPPORT_WHATSAPP_TOKEN" "RAPPORT_WHATSAPP_PHONE_NUMBER_ID" "RAPPORT_WHATSAPP_APP_SECRET" "RAPPORT_WHATSAPP_VERIFY_TOKEN" "RAPPORT_SMTP_RATE_LIMIT" "RAPPORT_SENDGRID_RATE_LIMIT" "RAPPORT_TWILIO_RATE_LIMIT" "RAPPORT_FCM_RATE_LIMIT" "RAPPORT_TELEGRAM_RATE_LIMIT" "RAPPORT_WHATSAPP_RATE_LIMIT" "RAPPORT_PROVIDER_TIMEOUT") -}}
{{- end -}}

{{/* Fails with a clear message when channel-gateway lacks a setting it needs; only while it is enabled. */}}
{{- define "rapport.validateChannels" -}}
{{- $ch := .Values.channels -}}
{{- $own := not $ch.existingSecret -}}
{{- if not $ch.publicUrl -}}
{{- fail "channels.publicUrl is required while channel-gateway is enabled: the https URL providers and email recipients reach it at, e.g. https://rapport.example.com" -}}
{{- end -}}
{{- if $own -}}
{{- if not $ch.trackingSecret -}}
{{- fail "channels.trackingSecret or channels.existingSecret is required while channel-gateway is enabled: the key email tracking links are signed with, at least 16 characters" -}}
{{- end -}}
{{- /* in characters, as the gateway counts them, not bytes */ -}}
{{- $length := splitList "" $ch.trackingSecret | len -}}
{{- if lt $length 16 -}}
{{- fail (printf "channels.trackingSecret must have at least 16 characters (it has %d)" $length) -}}
{{- end -}}
{{- end -}}
{{- $email := $ch.email -}}
{{- if and $email.fallback (eq $email.fallback $email.provider) -}}
{{- fail (printf "channels.email.fallback must differ from channels.email.provider (both are %s): the fallback is the other provider, taking over while the chosen one keeps failing; leave it empty for none" $email.fallback) -}}
{{- end -}}
{{- /* the fallback sends too, so it needs what the chosen provider would; the chosen one's message comes first */ -}}
{{- range $role := list "provider" "fallback" -}}
{{- $name := get $email $role -}}
{{- if and (eq $name "smtp") (not $email.smtp.host) -}}
{{- $hint := ternary "(or set channels.email.provider to sendgrid)" "while SendGrid keeps failing (or leave channels.email.fallback empty)" (eq $role "provider") -}}
{{- fail (printf "channels.email.smtp.host is required while channels.email.%s is smtp: the SMTP server channel-gateway sends email through %s" $role $hint) -}}
{{- end -}}
{{- if and (eq $name "sendgrid") $own (not $email.sendgrid.apiKey) -}}
{{- fail (printf "channels.email.sendgrid.apiKey or channels.existingSecret is required while channels.email.%s is sendgrid" $role) -}}
{{- end -}}
{{- end -}}
{{- /* the schema checks the form too; a timeout past the lease would count a slow send as an interrupted one */ -}}
{{- $timeout := toString $ch.providerTimeout -}}
{{- if not (regexMatch "^[1-9][0-9]*(ms|s|m)$" $timeout) -}}
{{- fail (printf "channels.providerTimeout (%s) must be a duration such as 15s: a number and ms, s or m" $timeout) -}}
{{- end -}}
{{- $count := regexFind "^[0-9]+" $timeout -}}
{{- $most := get (dict "ms" 60000 "s" 60 "m" 1) (trimPrefix $count $timeout) -}}
{{- /* int64 reads a number too long for it as 0 */ -}}
{{- if or (lt ($count | int64) 1) (gt ($count | int64) (int64 $most)) -}}
{{- fail (printf "channels.providerTimeout (%s) must be at most 60s: it must stay well under the 2 minutes channel-gateway holds a message it hands to a provider (its lease), past which the hand-off counts as interrupted" $timeout) -}}
{{- end -}}
{{- with $ch.sms.twilio -}}
{{- if .enabled -}}
{{- if not .accountSid -}}
{{- fail "channels.sms.twilio.accountSid is required while channels.sms.twilio is enabled" -}}
{{- end -}}
{{- if and $own (not .authToken) -}}
{{- fail "channels.sms.twilio.authToken or channels.existingSecret is required while channels.sms.twilio is enabled" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with $ch.push.fcm -}}
{{- if .enabled -}}
{{- if not .projectId -}}
{{- fail "channels.push.fcm.projectId is required while channels.push.fcm is enabled" -}}
{{- end -}}
{{- if $own -}}
{{- if not .serviceAccountJson -}}
{{- fail "channels.push.fcm.serviceAccountJson or channels.existingSecret is required while channels.push.fcm is enabled: the JSON key of a service account allowed to send for the project" -}}
{{- end -}}
{{- $key := fromJson .serviceAccountJson -}}
{{- if or (hasKey $key "Error") (not $key.private_key) (not $key.client_email) -}}
{{- fail "channels.push.fcm.serviceAccountJson is not a service account's JSON key (an object with client_email and private_key)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with $ch.messenger.telegram -}}
{{- if and .enabled $own (not .botToken) -}}
{{- fail "channels.messenger.telegram.botToken or channels.existingSecret is required while channels.messenger.telegram is enabled" -}}
{{- end -}}
{{- end -}}
{{- with $ch.messenger.whatsapp -}}
{{- if .enabled -}}
{{- if not .phoneNumberId -}}
{{- fail "channels.messenger.whatsapp.phoneNumberId is required while channels.messenger.whatsapp is enabled" -}}
{{- end -}}
{{- if and $own (not .token) -}}
{{- fail "channels.messenger.whatsapp.token or channels.existingSecret is required while channels.messenger.whatsapp is enabled" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
