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
