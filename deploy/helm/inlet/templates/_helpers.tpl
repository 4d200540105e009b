{{/* Names and labels shared by the templates. */}}
{{- define "inlet.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "inlet.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "inlet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "inlet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "inlet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "inlet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* The Secret the pods read INLET_API_TOKEN, INLET_DB_URL and the connector secrets from. */}}
{{- define "inlet.secretName" -}}
{{- default (include "inlet.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* The API token: the value given, else the one already in the cluster, else a new random one. */}}
{{- define "inlet.apiToken" -}}
{{- if .Values.apiToken -}}
{{- .Values.apiToken -}}
{{- else -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "inlet.fullname" .) -}}
{{- if and $existing (index $existing.data "INLET_API_TOKEN") -}}
{{- index $existing.data "INLET_API_TOKEN" | b64dec -}}
{{- else -}}
{{- randAlphaNum 40 -}}
{{- end -}}
{{- end -}}
{{- end -}}
