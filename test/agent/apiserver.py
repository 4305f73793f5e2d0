#!/usr/bin/env python3
"""A small Kubernetes API server for slicenet-agent tests (python3 stdlib only).

Serves Nodes over HTTPS in the real wire format:
  GET /api/v1/nodes[?limit=N&continue=T&resourceVersion=RV]
      NodeList with metadata.resourceVersion (and metadata.continue when paged)
  GET /api/v1/nodes?watch=1&resourceVersion=RV[&allowWatchBookmarks=true&timeoutSeconds=S]
      chunked stream of {"type":"ADDED|MODIFIED|DELETED|BOOKMARK|ERROR","object":{...}}\n
  POST /api/v1/namespaces/NS/events   an Event (kind Event, namespace NS): 201
      with the stored object (metadata.name from generateName), kept for /events
Every request needs "Authorization: Bearer <token>" (401 Status otherwise).
A resourceVersion older than the compacted history is 410 Gone: an HTTP 410
Status, or (--expire mode "event") a 200 stream holding one ERROR event, as
the watch cache does. Only get/list/watch of nodes and create of events
exist, like the agent's RBAC.

Control channel: plain HTTP on 127.0.0.1:ADMIN_PORT.
  PUT    /nodes/NAME   body {"podCIDRs":[...], "internalIPs":[...]}   add or modify
  DELETE /nodes/NAME
  POST   /expire?mode=http|event   forget all history, end every watch
  GET    /stats        {"lists":..,"watches":..,"gone":..,"unauthorized":..,"rv":..}
  GET    /events       the Events created, oldest first
"""
import argparse
import base64
import http.server
import json
import ssl
import threading
import time
import urllib.parse
import uuid

lock = threading.Condition()
nodes = {}          # name -> Node object
history = []        # (rv, event dict)
events = []         # Event objects POSTed by the agent
state = {"rv": 100, "min_rv": 0, "epoch": 0, "expire_mode": "http"}
stats = {"lists": 0, "watches": 0, "gone": 0, "unauthorized": 0, "events_sent": 0}


def node_object(name, spec, uid):
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": name, "uid": uid, "resourceVersion": str(state["rv"]),
                     "labels": {"kubernetes.io/hostname": name},
                     "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"podCIDR": (spec.get("podCIDRs") or [""])[0],
                 "podCIDRs": spec.get("podCIDRs", [])},
        "status": {
            "addresses": [{"type": "InternalIP", "address": a} for a in spec.get("internalIPs", [])]
            + [{"type": "Hostname", "address": name}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
            # Real Nodes carry tens of KB of images: make events span several reads.
            "images": [{"names": ["registry.example/img-%d@sha256:%s" % (i, "a" * 64)],
                        "sizeBytes": 1000000 + i} for i in range(40)],
        },
    }


def record(kind, obj):
    """Called with lock held: bump the RV, keep the event, wake watchers."""
    state["rv"] += 1
    obj["metadata"]["resourceVersion"] = str(state["rv"])
    history.append((state["rv"], {"type": kind, "object": obj}))
    lock.notify_all()


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Api(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = ""

    def log_message(self, fmt, *args):
        print("api: " + fmt % args, flush=True)

    def send_json(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Authorization") != "Bearer " + self.token:
            with lock:
                stats["unauthorized"] += 1
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        parts = url.path.split("/")
        if len(parts) != 6 or parts[1:4] != ["api", "v1", "namespaces"] or parts[5] != "events":
            return self.send_json(405, status(405, "MethodNotAllowed", "only events are created"))
        if self.headers.get("Content-Type") != "application/json":
            return self.send_json(415, status(415, "UnsupportedMediaType", "json only"))
        try:
            obj = json.loads(body)
        except ValueError:
            return self.send_json(400, status(400, "BadRequest", "not JSON"))
        meta = obj.get("metadata", {})
        if obj.get("kind") != "Event" or meta.get("namespace", parts[4]) != parts[4]:
            return self.send_json(400, status(400, "BadRequest", "not an Event of " + parts[4]))
        with lock:
            state["rv"] += 1
            meta["namespace"] = parts[4]
            meta.setdefault("name", meta.get("generateName", "") + uuid.uuid4().hex[:5])
            meta["uid"] = str(uuid.uuid4())
            meta["resourceVersion"] = str(state["rv"])
            obj["metadata"] = meta
            events.append(obj)
        self.send_json(201, obj)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if self.headers.get("Authorization") != "Bearer " + self.token:
            with lock:
                stats["unauthorized"] += 1
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        if url.path != "/api/v1/nodes":
            return self.send_json(404, status(404, "NotFound", "only nodes are served"))
        if q.get("watch") in ("1", "true"):
            return self.watch(q)
        return self.list(q)

    def too_old(self, rv):
        return rv not in ("", "0") and (not rv.isdigit() or int(rv) < state["min_rv"])

    def list(self, q):
        with lock:
            stats["lists"] += 1
            rv = q.get("resourceVersion", "")
            offset = 0
            if q.get("continue"):
                crv, _, off = base64.b64decode(q["continue"]).decode().partition(":")
                if int(crv) != state["rv"]:
                    stats["gone"] += 1
                    return self.send_json(410, status(410, "Expired", "continue token expired"))
                offset = int(off)
            elif self.too_old(rv):
                stats["gone"] += 1
                return self.send_json(410, status(410, "Expired",
                                      "too old resource version: %s (%d)" % (rv, state["min_rv"])))
            items = [nodes[n] for n in sorted(nodes)]
            limit = int(q.get("limit", "0") or 0)
            meta = {"resourceVersion": str(state["rv"])}
            if limit and offset + limit < len(items):
                meta["continue"] = base64.b64encode(
                    ("%d:%d" % (state["rv"], offset + limit)).encode()).decode()
            if limit:
                items = items[offset:offset + limit]
            body = {"kind": "NodeList", "apiVersion": "v1", "metadata": meta, "items": items}
        self.send_json(200, body)

    def watch(self, q):
        rv = q.get("resourceVersion", "")
        timeout = min(int(q.get("timeoutSeconds", "1800")), 1800)
        bookmarks = q.get("allowWatchBookmarks") == "true"
        with lock:
            stats["watches"] += 1
            gone = self.too_old(rv)
            if gone:
                stats["gone"] += 1
                mode = state["expire_mode"]
            epoch = state["epoch"]
            last = int(rv) if rv.isdigit() else state["rv"]
        msg = "too old resource version: %s (%d)" % (rv, state["min_rv"])
        if gone and mode == "http":
            return self.send_json(410, status(410, "Expired", msg))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        if gone:
            self.chunk(json.dumps({"type": "ERROR", "object": status(410, "Expired", msg)})
                       .encode() + b"\n")
            return self.chunk(b"")
        deadline = time.monotonic() + timeout
        next_bookmark = time.monotonic() + 2
        try:
            while True:
                with lock:
                    lock.wait_for(lambda: state["epoch"] != epoch or state["rv"] > last,
                                  timeout=0.5)
                    if state["epoch"] != epoch:
                        break
                    events = [e for r, e in history if r > last]
                    last = state["rv"]
                    stats["events_sent"] += len(events)
                for e in events:
                    self.chunk(json.dumps(e, separators=(",", ":")).encode() + b"\n")
                now = time.monotonic()
                if now >= deadline:
                    break
                if bookmarks and now >= next_bookmark:
                    next_bookmark = now + 2
                    self.chunk(json.dumps({"type": "BOOKMARK", "object": {
                        "kind": "Node", "apiVersion": "v1",
                        "metadata": {"resourceVersion": str(last)}}}).encode() + b"\n")
            self.chunk(b"")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


class Admin(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        print("admin: " + fmt % args, flush=True)

    def reply(self, code, obj):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        name = self.path.rsplit("/", 1)[-1]
        spec = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            old = nodes.get(name)
            obj = node_object(name, spec, old["metadata"]["uid"] if old else str(uuid.uuid4()))
            nodes[name] = obj
            record("MODIFIED" if old else "ADDED", json.loads(json.dumps(obj)))
        self.reply(200, {"rv": state["rv"]})

    def do_DELETE(self):
        name = self.path.rsplit("/", 1)[-1]
        with lock:
            obj = nodes.pop(name, None)
            if obj:
                record("DELETED", json.loads(json.dumps(obj)))
        self.reply(200 if obj else 404, {"rv": state["rv"]})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path != "/expire":
            return self.reply(404, {})
        with lock:
            state["expire_mode"] = q.get("mode", "http")
            state["min_rv"] = state["rv"] + 1
            history.clear()
            state["epoch"] += 1
            lock.notify_all()
        self.reply(200, {"min_rv": state["min_rv"]})

    def do_GET(self):
        with lock:
            if self.path == "/events":
                return self.reply(200, events)
            self.reply(200, dict(stats, rv=state["rv"], nodes=sorted(nodes)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--listen", required=True, help="host:port for HTTPS")
    p.add_argument("--admin-port", type=int, required=True)
    p.add_argument("--cert", required=True)
    p.add_argument("--key", required=True)
    p.add_argument("--token", required=True, help="file holding the accepted token")
    args = p.parse_args()
    with open(args.token) as f:
        Api.token = f.read().strip()
    host, port = args.listen.rsplit(":", 1)
    api = http.server.ThreadingHTTPServer((host, int(port)), Api)
    api.daemon_threads = True
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    api.socket = ctx.wrap_socket(api.socket, server_side=True)
    admin = http.server.ThreadingHTTPServer(("127.0.0.1", args.admin_port), Admin)
    admin.daemon_threads = True
    threading.Thread(target=admin.serve_forever, daemon=True).start()
    print("serving https://%s, admin on 127.0.0.1:%d" % (args.listen, args.admin_port), flush=True)
    api.serve_forever()


if __name__ == "__main__":
    main()
