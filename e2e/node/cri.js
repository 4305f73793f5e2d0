#!/usr/bin/env node
// A minimal CRI client that stands in for kubelet: it calls containerd's CRI
// RuntimeService (runtime.v1) over the unix gRPC socket and prints JSON.
//
//   node cri.js SOCKET version
//   node cri.js SOCKET status                    -> runtime conditions (NetworkReady, ...)
//   node cri.js SOCKET run NAME UID [KEY=VALUE...] -> {"id": ...}; KEY=VALUE become
//                                                  pod annotations (as kubelet copies them)
//   node cri.js SOCKET inspect ID                -> {"state", "ip", "netns", "annotations"}
//   node cri.js SOCKET stop ID
//   node cri.js SOCKET remove ID
//   node cri.js SOCKET list
//
// NODE_PATH must point at the node_modules holding @grpc/grpc-js and
// @grpc/proto-loader (e2e/tools.sh node-modules). CRI_TIMEOUT_MS bounds each call.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const NAMESPACE = 'slicenet-e2e';
const timeoutMs = Number(process.env.CRI_TIMEOUT_MS || 60000);

function client(socket) {
  const def = protoLoader.loadSync(path.join(__dirname, 'cri-api.proto'), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const api = grpc.loadPackageDefinition(def).runtime.v1;
  return new api.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
}

function call(rt, method, req) {
  return new Promise((resolve, reject) => {
    rt[method](req, { deadline: Date.now() + timeoutMs }, (err, res) => {
      if (err) reject(new Error(`${method}: ${err.details || err.message}`));
      else resolve(res);
    });
  });
}

// The sandbox config kubelet would send for a pod with default settings
// (pod network namespace, no host namespaces).
function sandboxConfig(name, uid, annotations) {
  return {
    metadata: { name, uid, namespace: NAMESPACE, attempt: 0 },
    hostname: name,
    logDirectory: '',
    dnsConfig: { servers: [], searches: [], options: [] },
    labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': NAMESPACE, app: 'slicenet-e2e' },
    annotations,
    linux: {
      cgroupParent: '',
      securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
}

async function main(argv) {
  const [socket, cmd, ...args] = argv;
  if (!socket || !cmd) throw new Error('usage: cri.js SOCKET version|status|run|inspect|stop|remove|list ...');
  const rt = client(socket);
  let out;
  switch (cmd) {
    case 'version':
      out = await call(rt, 'Version', { version: 'v1' });
      break;
    case 'status': {
      const res = await call(rt, 'Status', { verbose: false });
      out = {};
      for (const c of res.status.conditions) out[c.type] = { status: c.status, reason: c.reason, message: c.message };
      break;
    }
    case 'run': {
      const [name, uid, ...kv] = args;
      const annotations = {};
      for (const a of kv) {
        const i = a.indexOf('=');
        if (i < 1) throw new Error(`annotation "${a}" is not KEY=VALUE`);
        annotations[a.slice(0, i)] = a.slice(i + 1);
      }
      const res = await call(rt, 'RunPodSandbox', { config: sandboxConfig(name, uid, annotations), runtimeHandler: '' });
      out = { id: res.podSandboxId };
      break;
    }
    case 'inspect': {
      const res = await call(rt, 'PodSandboxStatus', { podSandboxId: args[0], verbose: true });
      let info = {};
      try {
        info = JSON.parse(res.info.info || '{}');
      } catch (e) {
        info = {};
      }
      const st = res.status;
      // containerd 1.6: the netns path is in the sandbox's runtime spec;
      // cniResult is what the CNI plugins returned (per interface).
      let netns = info.netNamespacePath || '';
      const nss = (((info.runtimeSpec || {}).linux || {}).namespaces || []);
      for (const n of nss) if (n.type === 'network' && n.path) netns = n.path;
      out = {
        id: st.id,
        state: st.state,
        ip: st.network ? st.network.ip : '',
        netns,
        pid: info.pid || 0,
        annotations: st.annotations,
        cniResult: info.cniResult || null,
      };
      break;
    }
    case 'stop':
      await call(rt, 'StopPodSandbox', { podSandboxId: args[0] });
      out = { stopped: args[0] };
      break;
    case 'remove':
      await call(rt, 'RemovePodSandbox', { podSandboxId: args[0] });
      out = { removed: args[0] };
      break;
    case 'list': {
      const res = await call(rt, 'ListPodSandbox', { filter: { labelSelector: { app: 'slicenet-e2e' } } });
      out = res.items.map((p) => ({ id: p.id, name: p.metadata.name, state: p.state }));
      break;
    }
    default:
      throw new Error(`unknown command ${cmd}`);
  }
  rt.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`cri.js: ${err.message}\n`);
  process.exit(1);
});
