# shellcheck shell=bash
# The test API server (test/agent/apiserver.py) inside a network namespace,
# shared by test/integration/test_agent_metrics.sh and e2e/cluster/lib.sh
# (test_agent.sh, test_cluster.sh): a TLS key and a self-signed certificate
# for its address, a bearer token, the server on HTTPS port 6443 and its
# plain-HTTP admin port on the namespace's loopback.

APISERVER_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# apiserver_start NETNS IP ADMIN_PORT DIR: writes DIR/api.key, DIR/ca.crt
# (the agent's --ca-file), DIR/token (its --token-file), DIR/apiserver.log
# and DIR/apiserver.pid; returns once the admin port answers, 1 after 10 s.
apiserver_start() {
	local ns=$1 ip=$2 admin_port=$3 dir=$4 end=$((SECONDS + 10))
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=kube-apiserver -addext "subjectAltName=IP:$ip" \
		-keyout "$dir/api.key" -out "$dir/ca.crt" 2>/dev/null
	head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$dir/token"
	ip netns exec "$ns" python3 "$APISERVER_ENV_DIR/apiserver.py" --listen "$ip:6443" \
		--admin-port "$admin_port" --cert "$dir/ca.crt" --key "$dir/api.key" \
		--token "$dir/token" >"$dir/apiserver.log" 2>&1 &
	echo $! >"$dir/apiserver.pid"
	until ip netns exec "$ns" curl -sf "http://127.0.0.1:$admin_port/stats" >/dev/null 2>&1; do
		if [ $SECONDS -ge "$end" ]; then
			echo "test API server did not answer: $(tail -5 "$dir/apiserver.log")" >&2
			return 1
		fi
		sleep 0.2
	done
}
