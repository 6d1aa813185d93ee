{{/* Labels shared by every object of a release. */}}
{{- define "outpost.labels" -}}
app.kubernetes.io/name: outpost
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector of the gateway pods. */}}
{{- define "outpost.gatewaySelector" -}}
app.kubernetes.io/name: outpost
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: gateway
{{- end -}}

{{/* Selector of the management-plane pod. */}}
{{- define "outpost.controlPlaneSelector" -}}
app.kubernetes.io/name: outpost
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: control-plane
{{- end -}}

{{/* The image, pinned to the chart's appVersion unless a tag is given. */}}
{{- define "outpost.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* Pod security: uid 1001, no privilege escalation. */}}
{{- define "outpost.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1001
runAsGroup: 1001
fsGroup: 1001
seccompProfile:
  {{- toYaml .Values.seccompProfile | nindent 2 }}
{{- end -}}

{{/* Container security: read-only root filesystem, no capabilities. */}}
{{- define "outpost.containerSecurityContext" -}}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
capabilities:
  drop:
    - ALL
{{- end -}}
