{{/* The chart name, or nameOverride. */}}
{{- define "llama-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* RELEASE-NAME, or RELEASE when it already holds the name; fullnameOverride wins. 63 characters at most (a DNS label). */}}
{{- define "llama-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := include "llama-operator.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "llama-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "llama-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: operator
{{- end }}

{{/* The labels the Deployment, Service and PodDisruptionBudget select the operator pods by. */}}
{{- define "llama-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "llama-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "llama-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "llama-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name must name an existing ServiceAccount when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "llama-operator.leaderElectionNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
The namespaced permissions the operator uses, derived from the API calls it makes (tests/charts checks them
against the requests of an operator running a job in the dev cluster).
*/}}
{{- define "llama-operator.namespacedRules" -}}
# LlamaTrainingJobs: watched, read again after a status conflict, deleted when their ttlSecondsAfterFinished runs out.
- apiGroups: ["llamaoperator.dev"]
  resources: ["llamatrainingjobs"]
  verbs: ["get", "list", "watch", "delete"]
- apiGroups: ["llamaoperator.dev"]
  resources: ["llamatrainingjobs/status"]
  verbs: ["update"]
# Children carry an ownerReference with blockOwnerDeletion: setting it needs update on the owner's finalizers
# (checked by the OwnerReferencesPermissionEnforcement admission plugin, never requested as such).
- apiGroups: ["llamaoperator.dev"]
  resources: ["llamatrainingjobs/finalizers"]
  verbs: ["update"]
# A stage's trainer pods: a gang is deleted with one deletecollection; a lost node's pod is force-deleted by name.
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch", "create", "delete", "deletecollection"]
# A stage's headless Service and job ConfigMap (read from informer caches, never by name; updated to repair an edit).
- apiGroups: [""]
  resources: ["services", "configmaps"]
  verbs: ["list", "watch", "create", "update", "delete"]
# Gang scheduling: PodGroups of the coscheduling plugin and of Volcano (updated to repair an edit).
- apiGroups: ["scheduling.x-k8s.io", "scheduling.volcano.sh"]
  resources: ["podgroups"]
  verbs: ["list", "watch", "create", "update", "delete"]
# Blob credentials a job's spec.checkpoint.storage.azureBlob.secretRef names.
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
# Job events (created, then their count patched when they repeat).
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
{{- end }}

{{/* Cluster-scoped permissions: the operator watches nodes (lost-node detection). */}}
{{- define "llama-operator.clusterRules" -}}
- apiGroups: [""]
  resources: ["nodes"]
  verbs: ["list", "watch"]
{{- end }}

{{/* Values that contradict each other fail the render with a message naming them. */}}
{{- define "llama-operator.validate" -}}
{{- if and (gt (int .Values.replicaCount) 1) (not .Values.leaderElection.enabled) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled: true (two active operators would fight over the same jobs)" }}
{{- end }}
{{- if not (has .Values.logging.format (list "json" "text")) }}
{{- fail (printf "logging.format must be json or text, not %q" .Values.logging.format) }}
{{- end }}
{{- if not (has .Values.logging.level (list "Verbose" "Debug" "Information" "Warning" "Error")) }}
{{- fail (printf "logging.level must be one of Verbose, Debug, Information, Warning, Error, not %q" .Values.logging.level) }}
{{- end }}
{{- if and .Values.blobStorage.workloadIdentity.enabled (not .Values.blobStorage.workloadIdentity.clientId) }}
{{- fail "blobStorage.workloadIdentity.clientId is required when blobStorage.workloadIdentity.enabled is true" }}
{{- end }}
{{- if not (has .Values.webhook.failurePolicy (list "Fail" "Ignore")) }}
{{- fail (printf "webhook.failurePolicy must be Fail or Ignore, not %q" .Values.webhook.failurePolicy) }}
{{- end }}
{{- if or (lt (int .Values.webhook.timeoutSeconds) 1) (gt (int .Values.webhook.timeoutSeconds) 30) }}
{{- fail (printf "webhook.timeoutSeconds must be between 1 and 30, not %v" .Values.webhook.timeoutSeconds) }}
{{- end }}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.service.enabled) }}
{{- fail "metrics.serviceMonitor.enabled needs metrics.service.enabled: the ServiceMonitor scrapes through that Service" }}
{{- end }}
{{- end }}

{{/* The labels the operator puts on every trainer and averaging pod (TrainerLabels in LlamaOperator.Core). */}}
{{- define "llama-operator.trainerLabels" -}}
app.kubernetes.io/name: llama-trainer
app.kubernetes.io/managed-by: llamaoperator
{{- end }}

{{/* The webhook's Service, certificate Secret and the DNS names its certificate must hold. */}}
{{- define "llama-operator.webhookServiceName" -}}
{{- printf "%s-webhook" (include "llama-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "llama-operator.webhookSecretName" -}}
{{- printf "%s-webhook-tls" (include "llama-operator.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
