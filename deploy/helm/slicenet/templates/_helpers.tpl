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

{{/* Component names: <fullname>-cni (installer), <fullname>-daemon (slicenetd), <fullname>-agent. */}}
{{- define "slicenet.cniName" -}}
{{- printf "%s-cni" (include "slicenet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "slicenet.daemonName" -}}
{{- printf "%s-daemon" (include "slicenet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "slicenet.agentName" -}}
{{- printf "%s-agent" (include "slicenet.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "true" in primary mode, "" in secondary mode. */}}
{{- define "slicenet.primary" -}}
{{- if eq .Values.mode "primary" }}true{{ end }}
{{- end }}

{{/* The first IPv4 network of cluster.podCIDRs (the conflist's clusterCIDR), or "". */}}
{{- define "slicenet.clusterCIDR4" -}}
{{- $found := "" }}
{{- range .Values.cluster.podCIDRs }}
{{- if and (not $found) (not (contains ":" .)) }}
{{- $found = . }}
{{- end }}
{{- end }}
{{- $found }}
{{- end }}

{{/* True (non-empty) when a class lists a datapath other than veth. */}}
{{- define "slicenet.fastClass" -}}
{{- range .datapaths }}{{ if ne . "veth" }}true{{ end }}{{ end }}
{{- end }}

{{/*
  Primary mode: every class with a fast datapath as the agent's
  --data-subnet values ("CIDR/BLOCKLEN", each once), space-separated. Fails,
  as the plugin would, when such a class has no dataSubnet.
*/}}
{{- define "slicenet.dataSubnets" -}}
{{- $out := list }}
{{- range .Values.slices.classes }}
{{- if include "slicenet.fastClass" . }}
{{- if not .dataSubnet }}
{{- fail (printf "mode primary: class %q lists %s and needs a dataSubnet (its data network)" .name (join "/" (without .datapaths "veth"))) }}
{{- end }}
{{- $out = append $out (printf "%s/%d" .dataSubnet (int (default 24 .dataBlockPrefix))) }}
{{- end }}
{{- end }}
{{- join " " (uniq $out) }}
{{- end }}

{{/* slicenetd's --uplink: daemon.uplink, or in primary mode the tap the agent routes data blocks through. */}}
{{- define "slicenet.daemonUplink" -}}
{{- if .Values.daemon.uplink }}
{{- .Values.daemon.uplink }}
{{- else if include "slicenet.primary" . }}
{{- print "tap:slicenet-up" }}
{{- end }}
{{- end }}

{{/* The agent's --data-uplink: the tap's name when slicenetd's uplink is a tap (primary mode). */}}
{{- define "slicenet.dataUplink" -}}
{{- $u := include "slicenet.daemonUplink" . }}
{{- if and (include "slicenet.primary" .) .Values.daemon.enabled (hasPrefix "tap:" $u) (include "slicenet.dataSubnets" .) }}
{{- trimPrefix "tap:" $u }}
{{- end }}
{{- end }}

{{/* The IPAM store directory (slicenet-ipam and host-local's dataDir). */}}
{{- define "slicenet.ipamStoreDir" -}}
{{- default "/var/lib/cni/networks" .Values.cni.ipam.dataDir }}
{{- end }}

{{/* [registry/]repository then @digest, or :tag (default appVersion). */}}
{{- define "slicenet.image" -}}
{{- $i := .Values.image }}
{{- $repo := $i.repository }}
{{- if $i.registry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" $i.registry) $i.repository }}
{{- end }}
{{- if $i.digest }}
{{- printf "%s@%s" $repo $i.digest }}
{{- else }}
{{- printf "%s:%s" $repo (default .Chart.AppVersion $i.tag) }}
{{- end }}
{{- end }}

{{/* The name of the default class: slices.defaultSlice or the first class. */}}
{{- define "slicenet.defaultSlice" -}}
{{- default (first .Values.slices.classes).name .Values.slices.defaultSlice }}
{{- end }}

{{/*
  The slice table file (ConfigMap key slices.json), in the plugin's format:
  {"defaultSlice": ..., "slices": {"<name>": {...}}}. The values hold a list
  (replaced wholesale by Helm, never merged with the defaults); names must
  be unique and defaultSlice one of them.
*/}}
{{- define "slicenet.slicesJson" -}}
{{- $table := dict }}
{{- range .Values.slices.classes }}
{{- if hasKey $table .name }}
{{- fail (printf "slices.classes: class %q is listed twice" .name) }}
{{- end }}
{{- if include "slicenet.primary" $ }}
{{- $_ := set $table .name (omit . "name") }}
{{- else }}
{{- /* Data networks exist only in primary mode. */ -}}
{{- $_ := set $table .name (omit . "name" "dataSubnet" "dataBlockPrefix" "dataIfname") }}
{{- end }}
{{- end }}
{{- $default := include "slicenet.defaultSlice" . }}
{{- if not (hasKey $table $default) }}
{{- fail (printf "slices.defaultSlice %q is not the name of a class in slices.classes" $default) }}
{{- end }}
{{- dict "defaultSlice" $default "slices" $table | toPrettyJson }}
{{- end }}

{{/* The plugin's vhostuser section. */}}
{{- define "slicenet.vhostuserConf" -}}
{{- $v := .Values.vhostuser }}
{{- $conf := dict "daemonSocket" .Values.daemon.controlSocket "socketDir" .Values.daemon.socketDir
      "podSocketDir" $v.podSocketDir "mode" $v.mode "queues" $v.queues "timeoutMs" $v.timeoutMs }}
{{- if not (kindIs "invalid" $v.podDirectory.group) }}
{{- $_ := set $conf "podDirGroup" $v.podDirectory.group }}
{{- end }}
{{- if $v.podDirectory.mode }}
{{- $_ := set $conf "podDirMode" $v.podDirectory.mode }}
{{- end }}
{{- $conf | toJson }}
{{- end }}

{{/* The conflist (ConfigMap key = cni.confFileName). The slice table is not
     inline: "slicesFile" names the node's copy of slices.json. Primary
     mode adds "mode", "clusterCIDR", IPAM from the agent's ranges file and
     portmap after slicenet (e2e/cluster/test_cluster.sh runs the same). */}}
{{- define "slicenet.conflist" -}}
{{- $c := .Values.cni }}
{{- $ipam := $c.ipam }}
{{- if include "slicenet.primary" . }}
{{- $ipam = dict "type" "slicenet-ipam" "rangesFile" .Values.cluster.rangesFile "dataDir" (include "slicenet.ipamStoreDir" .) }}
{{- end }}
{{- $plugin := dict "type" "slicenet"
      "capabilities" (dict "io.kubernetes.cri.pod-annotations" true "ips" true "mac" true "deviceID" true "CNIDeviceInfoFile" true)
      "ipam" $ipam
      "slicesFile" $c.slicesFile
      "stateDir" $c.stateDir
      "logFile" $c.logFile
      "logLevel" $c.logLevel
      "vhostuser" (include "slicenet.vhostuserConf" . | fromJson) }}
{{- if .Values.sriov }}
{{- $_ := set $plugin "sriov" .Values.sriov }}
{{- end }}
{{- $chain := list }}
{{- if include "slicenet.primary" . }}
{{- $_ := set $plugin "mode" "primary" }}
{{- $cidr := include "slicenet.clusterCIDR4" . }}
{{- if $cidr }}
{{- $_ := set $plugin "clusterCIDR" $cidr }}
{{- else if include "slicenet.dataSubnets" . }}
{{- fail "mode primary: cluster.podCIDRs needs an IPv4 network (the data blocks of fast classes follow the IPv4 pod ranges)" }}
{{- end }}
{{- if $c.portmap }}
{{- $chain = append $chain (dict "type" "portmap" "capabilities" (dict "portMappings" true)) }}
{{- end }}
{{- end }}
{{- $plugin = mergeOverwrite $plugin (deepCopy $c.extraConfig) }}
{{- $list := dict "cniVersion" $c.cniVersion "name" $c.networkName "plugins" (concat (list $plugin) $chain) }}
{{- if $c.cniVersions }}
{{- $_ := set $list "cniVersions" $c.cniVersions }}
{{- end }}
{{- $list | toPrettyJson }}
{{- end }}

{{/* A path below daemon.runDir, relative to it (the installer mounts runDir). */}}
{{- define "slicenet.belowRunDir" -}}
{{- $run := trimSuffix "/" .root.Values.daemon.runDir }}
{{- if not (hasPrefix (printf "%s/" $run) .path) }}
{{- fail (printf "%s %q must lie below daemon.runDir %q" .what .path $run) }}
{{- end }}
{{- trimPrefix (printf "%s/" $run) .path }}
{{- end }}

{{/* Hugepages in MB for EAL -m, from daemon.hugepages.amount (Mi or Gi). */}}
{{- define "slicenet.hugepagesMB" -}}
{{- $a := .Values.daemon.hugepages.amount }}
{{- if hasSuffix "Gi" $a }}
{{- mul (trimSuffix "Gi" $a | atoi) 1024 }}
{{- else }}
{{- trimSuffix "Mi" $a | atoi }}
{{- end }}
{{- end }}

{{/* IPAM data the uninstall removes: only for the stores we know the layout of. */}}
{{- define "slicenet.ipamDataDir" -}}
{{- $ipam := .Values.cni.ipam }}
{{- if or (include "slicenet.primary" .) (has $ipam.type (list "slicenet-ipam" "host-local")) }}
{{- default "/var/lib/cni/networks" $ipam.dataDir }}
{{- end }}
{{- end }}

{{/* What the installer containers see of the host, below /host. */}}
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
- name: slicenet-run
  mountPath: /host/run
- name: cni-state-parent
  mountPath: /host/cni-state-parent
{{- if include "slicenet.ipamDataDir" . }}
- name: ipam-data
  mountPath: /host/ipam
{{- end }}
{{- if .Values.cni.logFile }}
- name: log-dir
  mountPath: /host/log
{{- end }}
{{- if .Values.daemon.enabled }}
- name: daemon-state
  mountPath: /host/daemon-state
{{- end }}
{{- end }}

{{/* The installer's environment: deploy/image/slicenet-install-cni documents each. */}}
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
- name: NETWORK_NAME
  value: {{ .Values.cni.networkName | quote }}
- name: TAKE_OVER
  value: {{ .Values.cni.takeOver | quote }}
- name: SYNC_INTERVAL
  value: {{ .Values.cni.syncIntervalSeconds | quote }}
- name: UNINSTALL_ON_STOP
  value: {{ .Values.cni.uninstall | quote }}
- name: STATUS_FILE
  value: {{ printf "/host/run/%s" (include "slicenet.belowRunDir" (dict "root" . "path" .Values.installer.statusFile "what" "installer.statusFile")) | quote }}
- name: HOST_RUN_DIR
  value: /host/run
- name: SOCKET_DIR_NAME
  value: {{ include "slicenet.belowRunDir" (dict "root" . "path" .Values.daemon.socketDir "what" "daemon.socketDir") | quote }}
- name: RUN_DIR_NAMES
  value: {{ include "slicenet.runDirNames" . | quote }}
- name: CONTROL_SOCKET_NAME
  value: {{ include "slicenet.belowRunDir" (dict "root" . "path" .Values.daemon.controlSocket "what" "daemon.controlSocket") | quote }}
- name: HOST_STATE_PARENT
  value: /host/cni-state-parent
- name: STATE_NAME
  value: {{ base .Values.cni.stateDir | quote }}
{{- if include "slicenet.ipamDataDir" . }}
- name: HOST_IPAM_DIR
  value: /host/ipam
{{- end }}
{{- if .Values.cni.logFile }}
- name: HOST_LOG_DIR
  value: /host/log
- name: LOG_NAME
  value: {{ base .Values.cni.logFile | quote }}
{{- end }}
{{- if .Values.daemon.enabled }}
- name: HOST_DAEMON_STATE_DIR
  value: /host/daemon-state
{{- end }}
{{- if include "slicenet.primary" . }}
# The conflist's rangesFile exists only once the agent ran: validation
# reads a stand-in holding the cluster's range instead.
- name: RANGES_FILE
  value: {{ .Values.cluster.rangesFile | quote }}
- name: RANGES_STAND_IN_SUBNET
  value: {{ default (first .Values.cluster.podCIDRs) (include "slicenet.clusterCIDR4" .) | quote }}
{{- end }}
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
{{- end }}

{{/* The installers run as root (host directories are root's) with no capability. */}}
{{- define "slicenet.installerSecurityContext" -}}
runAsUser: 0
privileged: false
allowPrivilegeEscalation: false
capabilities:
  drop: [ALL]
{{- end }}

{{/* What uninstall removes below daemon.runDir: the pods' socket directories
     and, when it lies there, the SR-IOV descriptor directory. */}}
{{- define "slicenet.runDirNames" -}}
{{- $run := trimSuffix "/" .Values.daemon.runDir }}
{{- $names := list (include "slicenet.belowRunDir" (dict "root" . "path" .Values.daemon.socketDir "what" "daemon.socketDir")) }}
{{- $descriptors := default "/run/slicenet/sriov" .Values.sriov.descriptorDir }}
{{- if hasPrefix (printf "%s/" $run) $descriptors }}
{{- $names = append $names (trimPrefix (printf "%s/" $run) $descriptors) }}
{{- end }}
{{- join " " $names }}
{{- end }}

{{/* Labels of the pod templates: no chart or app version, so a chart upgrade
     that changes nothing a pod runs does not restart it. */}}
{{- define "slicenet.podLabels" -}}
{{ include "slicenet.selectorLabels" . }}
app.kubernetes.io/part-of: slicenet
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}
