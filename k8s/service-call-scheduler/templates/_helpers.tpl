{{/* Chart name. */}}
{{- define "scs.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped base name for all resources. */}}
{{- define "scs.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "scs.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "scs.labels" -}}
helm.sh/chart: {{ include "scs.chart" . }}
app.kubernetes.io/name: {{ include "scs.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: service-call-scheduler
{{- end }}

{{/* Selector labels of one component. Call with (dict "root" $ "app" "<name>"). */}}
{{- define "scs.selectorLabels" -}}
app.kubernetes.io/name: {{ include "scs.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .app }}
{{- end }}

{{/* Resource name of one component. Call with (dict "root" $ "app" "<name>"). */}}
{{- define "scs.componentName" -}}
{{- printf "%s-%s" (include "scs.fullname" .root) .app | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "scs.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "scs.configMapName" -}}
{{- printf "%s-config" (include "scs.fullname" .) }}
{{- end }}

{{/* Secret read by the Deployments. */}}
{{- define "scs.secretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-secrets" (include "scs.fullname" .)) }}
{{- end }}

{{/* Secret read by the hook Jobs: they run before the release's own Secret exists. */}}
{{- define "scs.hooksSecretName" -}}
{{- .Values.secret.existingSecret | default (printf "%s-hooks" (include "scs.fullname" .)) }}
{{- end }}

{{- define "scs.kafkaBrokers" -}}
{{- required "config.KAFKA_BROKERS is required (comma list of Kafka-API brokers)" .Values.config.KAFKA_BROKERS }}
{{- end }}

{{- define "scs.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "scs.fullname" .) }}
{{- else }}
{{- .Values.serviceAccount.name | default "default" }}
{{- end }}
{{- end }}

{{/*
The topic and consumer group each consumer app reads: libs/common/src/contracts/topics.ts (the chart
test checks they agree). Call with the app name; renders "" for the gateway.
*/}}
{{- define "scs.consumerTopic" -}}
{{- get (dict "scheduler-core" "scheduler.commands.v1" "executor" "scheduler.executions.v1" "projector" "scheduler.events.v1") . }}
{{- end }}

{{- define "scs.consumerGroup" -}}
{{- get (dict "scheduler-core" "scheduler-core" "executor" "executor" "projector" "projector") . }}
{{- end }}

{{/* "true" when KEDA, not a CPU HPA, scales this app. Call with (dict "root" $ "app" "<name>"). */}}
{{- define "scs.scaledByKeda" -}}
{{- $app := index .root.Values.apps .app }}
{{- if and .root.Values.keda.enabled $app.hpa.enabled (include "scs.consumerGroup" .app) }}true{{ end }}
{{- end }}

{{/* A hook Job's activeDeadlineSeconds, refused unless Helm's wait outlives it. Call with (dict "root" $ "job" "<values key>"). */}}
{{- define "scs.hookDeadline" -}}
{{- $deadline := int (index .root.Values .job).activeDeadlineSeconds }}
{{- if ge $deadline (int .root.Values.helmTimeoutSeconds) }}
{{- fail (printf "%s.activeDeadlineSeconds (%d) must be below helmTimeoutSeconds (%d, Helm's --timeout): Helm would stop waiting while the Job still runs" .job $deadline (int .root.Values.helmTimeoutSeconds)) }}
{{- end }}
{{- $deadline }}
{{- end }}

{{/*
One config.* value as a quoted string. Numbers from a values file arrive as float64: keep 1000000
from turning into 1e+06. Call with (dict "root" $ "key" $key "value" $value).
*/}}
{{- define "scs.configValue" -}}
{{- if eq .key "KAFKA_BROKERS" }}
{{- include "scs.kafkaBrokers" .root | quote }}
{{- else if kindIs "float64" .value }}
{{- .value | int64 | toString | quote }}
{{- else }}
{{- .value | toString | quote }}
{{- end }}
{{- end }}
