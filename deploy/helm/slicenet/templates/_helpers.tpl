{{/* Chart name, truncated to the 63 characters a label allows. */}}
{{- define "slicenet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, unless the release already contains the chart name. */}}
{{- define "slicenet.fullname" -}}
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

{{- define "slicenet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slicenet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "slicenet.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "slicenet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: slicenet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "slicenet.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "slicenet.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "slicenet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The slice table file (ConfigMap key slices.json). */}}
{{- define "slicenet.slicesJson" -}}
{{- $classes := required "slices.classes must list at least one class" .Values.slices.classes }}
{{- if not (hasKey $classes .Values.slices.defaultSlice) }}
{{- fail (printf "slices.defaultSlice %q is not a key of slices.classes" .Values.slices.defaultSlice) }}
{{- end }}
{{- dict "defaultSlice" .Values.slices.defaultSlice "slices" $classes | toPrettyJson }}
{{- end }}

{{/* The conflist (ConfigMap key = cni.confFileName). The slice table is not
     inline: "slicesFile" names the node's copy of slices.json. */}}
{{- define "slicenet.conflist" -}}
{{- $c := .Values.cni }}
{{- $plugin := dict "type" "slicenet"
      "capabilities" (dict "io.kubernetes.cri.pod-annotations" true "ips" true "mac" true "deviceID" true "CNIDeviceInfoFile" true)
      "ipam" $c.ipam
      "slicesFile" $c.slicesFile
      "stateDir" $c.stateDir
      "logFile" $c.logFile
      "logLevel" $c.logLevel
      "vhostuser" (dict "daemonSocket" .Values.daemon.controlSocket "socketDir" .Values.daemon.socketDir) }}
{{- $plugin = mergeOverwrite $plugin (deepCopy $c.extraConfig) }}
{{- $list := dict "cniVersion" $c.cniVersion "name" $c.networkName "plugins" (list $plugin) }}
{{- if $c.cniVersions }}
{{- $_ := set $list "cniVersions" $c.cniVersions }}
{{- end }}
{{- $list | toPrettyJson }}
{{- end }}

{{/* hostPath mounts shared by the installer containers. */}}
{{- define "slicenet.installerMounts" -}}
- name: config
  mountPath: /etc/slicenet-config
  readOnly: true
- name: cni-bin
  mountPath: /host/cni/bin
- name: cni-conf
  mountPath: /host/cni/net.d
- name: slicenet-etc
  mountPath: /host/slicenet-etc
{{- end }}

{{- define "slicenet.installerEnv" -}}
- name: HOST_BIN_DIR
  value: /host/cni/bin
- name: HOST_CONF_DIR
  value: /host/cni/net.d
- name: HOST_SLICES_DIR
  value: /host/slicenet-etc
- name: SLICES_FILE_NAME
  value: {{ base .Values.cni.slicesFile | quote }}
- name: CONFIG_DIR
  value: /etc/slicenet-config
- name: CONF_NAME
  value: {{ .Values.cni.confFileName | quote }}
- name: TAKE_OVER
  value: {{ .Values.cni.takeOver | quote }}
- name: SYNC_INTERVAL
  value: {{ .Values.cni.syncIntervalSeconds | quote }}
- name: UNINSTALL_ON_STOP
  value: {{ .Values.cni.uninstallOnStop | quote }}
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end }}
