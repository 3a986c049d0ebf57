#!/usr/bin/env python3
"""A reverse proxy in front of orgctl's emulator (127.0.0.1 only) that adds a fixed delay per
AWS request and, optionally, a per-service request rate with the service's own throttling error.

  latency_proxy.py --upstream URL [--port N] [--delay-ms 50] [--rate R] [--burst B] [--cache]
  latency_proxy.py --upstream URL --measure        # its own overhead at --delay-ms 0, then exits

Prints `LATENCY_PROXY_URL=http://127.0.0.1:PORT` once it accepts requests.

What it adds is the delay and nothing else of its own:
  - HTTP/1.1 keep-alive to the client (one thread per client connection, as many as the client
    opens; listen backlog 1024), TCP_NODELAY on the client and the upstream sockets; a lean
    HTTP/1.1 reader and writer on raw sockets (not http.server / http.client, whose header
    parsing costs more than the rest of the proxy), each response (status line, headers, body)
    sent with one write, a cached response as prepared bytes;
  - one persistent upstream connection per client connection (per thread), reopened if the
    emulator closes it; the request goes upstream with one write;
  - the delay is one time.sleep per request (before it is forwarded), so requests in flight
    overlap their delays; --measure prints the round trip through the proxy at --delay-ms 0
    against the emulator directly (sequential and 16 at a time), and the delay's accuracy.
--rate R: a token bucket per service (the SigV4 credential scope's `.../<region>/<service>/
aws4_request`), R tokens a second, --burst B of them at most (default R: one second's worth);
a request that finds the bucket empty is answered, after the delay, without being forwarded:
  organizations (X-Amz-Target AWSOrganizationsV20161128.*): HTTP 400
      {"__type":"TooManyRequestsException","Message":...}
  sso, identitystore: HTTP 400 {"__type":"ThrottlingException","message":...}
  any other service: HTTP 429 {"message":"Rate exceeded"}, x-amzn-ErrorType: ThrottlingException
--cache (not AWS; for benchmarks): the emulator is a Python process that spends ~10 ms of CPU
per request under one GIL, so 16 requests in flight queue behind each other there and the
measure becomes the emulator's; with --cache, successful read-only requests (Organizations
List*/Describe*/Get*, sso/identitystore List*/Describe*/Get*, sts GetCallerIdentity) are
answered from a record of the emulator's answer to the same request (same service, caller's
access key, operation and parameters; the signature and its date left out), so after a warm-up
pass the delay is all a request costs. Misses are forwarded and recorded.

Unsigned requests (the emulator's /orgctl-emulator/ control endpoints) pass without delay, rate
or cache. GET /proxy-stats answers {"forwarded", "throttled": {service: n}, "cache_hits",
"cache_misses", "requests": {service: n}, "peak_in_flight", "mean_in_flight" (the requests' time
in the proxy over the span from the first arrival to the last answer), "oversleep_ms_median",
...}; GET /proxy-stats/trace answers [[start s, end s, service, operation, "ok" | "throttled"], ...]
(times from the first request); POST /proxy-stats/reset clears the counts and the trace; POST /proxy-config {"delay_ms", "rate", "burst", "cache"} changes the settings
(rate null: no limit; the buckets start full).

As a library: `p = LatencyProxy(upstream, delay_ms=50, rate=None, cache=False).start()`;
p.url, p.stats(), p.trace(), p.reset_stats(), p.configure(delay_ms=..., rate=..., burst=..., cache=...),
p.stop(); measure_overhead(upstream) returns the overhead figures.
"""
import argparse
import http.client
import json
import socket
import statistics
import sys
import threading
import time
from urllib.parse import parse_qsl, urlparse

ORG_PREFIX = "AWSOrganizationsV20161128"
HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade", "content-length", "host"}
READ_PREFIXES = ("List", "Describe", "Get")


def local(url):
    u = urlparse(url)
    if u.hostname not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing {url}: the proxy only talks to 127.0.0.1")
    return u.hostname, u.port or 80


def credential(headers):
    """(access key, service) from the SigV4 Authorization header, or (None, None)."""
    auth = headers.get("authorization") or ""
    if "Credential=" not in auth:
        return None, None
    scope = auth.split("Credential=", 1)[1].split(",", 1)[0].strip().split("/")
    return (scope[0], scope[3]) if len(scope) >= 5 else (None, None)


def operation(service, headers, body):
    """The operation's name: X-Amz-Target's (JSON protocols) or the form's Action (query)."""
    target = headers.get("x-amz-target")
    if target:
        return target.rsplit(".", 1)[-1]
    if body and (headers.get("content-type") or "").startswith("application/x-www-form-urlencoded"):
        return dict(parse_qsl(body.decode("utf-8", "replace"))).get("Action")
    return None


def cacheable(service, op):
    if not op:
        return False
    if service == "sts":
        return op == "GetCallerIdentity"
    return service in ("organizations", "sso", "identitystore") and op.startswith(READ_PREFIXES)


def cache_key(key_id, service, method, path, headers, body):
    ctype = headers.get("content-type") or ""
    try:
        if "json" in ctype:
            params = json.dumps(json.loads(body or b"{}"), sort_keys=True)
        elif ctype.startswith("application/x-www-form-urlencoded"):
            params = json.dumps(sorted(parse_qsl(body.decode())))
        else:
            params = body.decode("latin-1")
    except ValueError:
        params = body.decode("latin-1")
    return (key_id, service, method, path, headers.get("x-amz-target") or "", params)


def final(status, body):
    """Whether an answer may be replayed: a success, or a client error that is no throttling
    (e.g. DescribeResourcePolicy's ResourcePolicyNotFoundException)."""
    if status == 200:
        return True
    return 400 <= status < 429 and b"Throttl" not in body and b"TooManyRequests" not in body and b"Throttling" not in body


def throttle_reply(service, headers):
    """(status, headers, body) of the service's own throttling error."""
    if service == "organizations" or (headers.get("x-amz-target") or "").startswith(ORG_PREFIX):
        body = {"__type": "TooManyRequestsException", "Message": "AWS Organizations can't complete your request because another request is already in progress or the request rate is too high (latency_proxy --rate)."}
        return 400, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(body).encode()
    if service in ("sso", "identitystore"):
        body = {"__type": "ThrottlingException", "message": "Rate exceeded (latency_proxy --rate)"}
        return 400, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(body).encode()
    return 429, [("Content-Type", "application/json"), ("x-amzn-ErrorType", "ThrottlingException")], b'{"message":"Rate exceeded"}'


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = float(rate), float(burst)
        self.tokens, self.t = self.burst, time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


def _recv_head(sock, buf):
    """(head bytes, rest) of the next message on sock; (None, b"") when the peer closed first."""
    while True:
        i = buf.find(b"\r\n\r\n")
        if i >= 0:
            return buf[:i], buf[i + 4:]
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk


def _recv_exact(sock, buf, n):
    """(n bytes, rest) from buf then sock."""
    while len(buf) < n:
        chunk = sock.recv(max(65536, n - len(buf)))
        if not chunk:
            raise ConnectionError("peer closed mid-body")
        buf += chunk
    return buf[:n], buf[n:]


def _recv_chunked(sock, buf):
    """(decoded body, rest) of a chunked body."""
    body = []
    while True:
        while b"\r\n" not in buf:
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("peer closed mid-chunk")
            buf += chunk
        line, buf = buf.split(b"\r\n", 1)
        size = int(line.split(b";", 1)[0], 16)
        if size == 0:  # then trailers, if any, and an empty line
            while len(buf) < 2:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("peer closed mid-chunk")
                buf += chunk
            if buf.startswith(b"\r\n"):
                return b"".join(body), buf[2:]
            _, buf = _recv_head(sock, buf)
            return b"".join(body), buf
        data, buf = _recv_exact(sock, buf, size + 2)
        body.append(data[:-2])


def _parse_head(head):
    """(first line's three parts, headers as [(name, value)], lower-cased name -> value)."""
    lines = head.decode("latin-1").split("\r\n")
    first = lines[0].split(" ", 2)
    pairs = []
    for line in lines[1:]:
        k, _, v = line.partition(":")
        pairs.append((k.strip(), v.strip()))
    return first, pairs, {k.lower(): v for k, v in pairs}


def _response_bytes(status, headers, body, close=False):
    out = [f"HTTP/1.1 {status} {http.client.responses.get(status, '')}\r\n"]
    out += [f"{k}: {v}\r\n" for k, v in headers]
    out.append(f"Content-Length: {len(body)}\r\n")
    if close:
        out.append("Connection: close\r\n")
    out.append("\r\n")
    return "".join(out).encode("latin-1") + body


def _nodelay(sock):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Upstream:
    """One persistent connection to the emulator (one per client connection)."""

    def __init__(self, host, port):
        self.addr, self.sock, self.buf = (host, port), None, b""

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buf = None, b""

    def exchange(self, method, path, pairs, body):
        """(status, headers without hop-by-hop ones, body); one retry on a fresh connection."""
        lines = [f"{method} {path} HTTP/1.1\r\n"]
        lines += [f"{k}: {v}\r\n" for k, v in pairs if k.lower() not in HOP]
        lines.append(f"Host: {self.addr[0]}:{self.addr[1]}\r\nContent-Length: {len(body)}\r\n\r\n")
        data = "".join(lines).encode("latin-1") + body
        for attempt in (1, 2):
            fresh = self.sock is None
            try:
                if fresh:
                    self.sock = socket.create_connection(self.addr, timeout=300)
                    _nodelay(self.sock)
                self.sock.sendall(data)
                head, self.buf = _recv_head(self.sock, self.buf)
                if head is None:
                    raise ConnectionError("upstream closed")
                first, rpairs, rh = _parse_head(head)
                status = int(first[1])
                if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
                    rbody = b""
                elif "chunked" in rh.get("transfer-encoding", "").lower():
                    rbody, self.buf = _recv_chunked(self.sock, self.buf)
                elif "content-length" in rh:
                    rbody, self.buf = _recv_exact(self.sock, self.buf, int(rh["content-length"]))
                else:  # delimited by the close
                    chunks = [self.buf]
                    while True:
                        c = self.sock.recv(65536)
                        if not c:
                            break
                        chunks.append(c)
                    rbody = b"".join(chunks)
                    self.close()
                if rh.get("connection", "").lower() == "close" or first[0] == "HTTP/1.0":
                    self.close()
                return status, [(k, v) for k, v in rpairs if k.lower() not in HOP], rbody
            except (ConnectionError, OSError, ValueError, IndexError):
                self.close()
                if attempt == 2 or fresh:
                    return 502, [("Content-Type", "application/json")], b'{"message":"latency_proxy: upstream failed"}'


class _Conn:
    """One client connection: HTTP/1.1 keep-alive, requests served in order."""

    def __init__(self, proxy, sock):
        self.p, self.sock = proxy, sock
        self.up = _Upstream(proxy.upstream_host, proxy.upstream_port)

    def run(self):
        buf = b""
        try:
            _nodelay(self.sock)
            while True:
                head, buf = _recv_head(self.sock, buf)
                if head is None:
                    return
                (method, path, version), pairs, h = _parse_head(head)
                if "chunked" in h.get("transfer-encoding", "").lower():
                    body, buf = _recv_chunked(self.sock, buf)
                else:
                    body, buf = _recv_exact(self.sock, buf, int(h.get("content-length") or 0))
                conn = h.get("connection", "").lower()
                close = conn == "close" or (version == "HTTP/1.0" and conn != "keep-alive")
                self.sock.sendall(self.serve(method, path, pairs, h, body, close))
                if close:
                    return
        except (ConnectionError, OSError, ValueError):
            return
        finally:
            self.up.close()
            self.sock.close()

    def serve(self, method, path, pairs, h, body, close):
        p = self.p
        if path.startswith("/proxy-stats") or path == "/proxy-config":
            return _response_bytes(*self.control(method, path, body), close)
        key_id, service = credential(h)
        if service is None:  # the emulator's control endpoints: straight through
            return _response_bytes(*self.up.exchange(method, path, pairs, body), close)
        t_in = p._enter(service)
        outcome = "ok"
        try:
            delay = p.delay_ms / 1000.0
            if delay > 0:
                t0 = time.perf_counter()
                time.sleep(delay)
                p._slept(time.perf_counter() - t0 - delay)
            if not p._admit(service):
                outcome = "throttled"
                return _response_bytes(*throttle_reply(service, h), close)
            key = None
            if p.cache:
                op = operation(service, h, body)
                if cacheable(service, op):
                    key = cache_key(key_id, service, method, path, h, body)
                    hit = p._cache.get(key)
                    if hit is not None:
                        p._count("cache_hits")
                        return hit if not close else _response_bytes(*p._cache_parts[key], close)
                    p._count("cache_misses")
            status, headers, rbody = self.up.exchange(method, path, pairs, body)
            p._count("forwarded")
            if key is not None and final(status, rbody):
                p._cache_parts[key] = (status, headers, rbody)
                p._cache[key] = _response_bytes(status, headers, rbody)
            return _response_bytes(status, headers, rbody, close)
        finally:
            p._leave(t_in, service, h, body, outcome)

    def control(self, method, path, body):
        js = [("Content-Type", "application/json")]
        if path == "/proxy-stats" and method == "GET":
            return 200, js, json.dumps(self.p.stats()).encode()
        if path == "/proxy-stats/trace" and method == "GET":
            return 200, js, json.dumps(self.p.trace()).encode()
        if path == "/proxy-stats/reset" and method == "POST":
            self.p.reset_stats()
            return 200, js, b"{}"
        if path == "/proxy-config" and method == "POST":
            self.p.configure(**json.loads(body or b"{}"))
            return 200, js, json.dumps(self.p.settings()).encode()
        return 404, js, b'{"message":"not found"}'


_UNSET = object()


class LatencyProxy:
    def __init__(self, upstream, port=0, delay_ms=50.0, rate=None, burst=None, cache=False):
        self.upstream_host, self.upstream_port = local(upstream)
        self.port = port
        self.delay_ms, self.cache = float(delay_ms), bool(cache)
        self._lock = threading.Lock()
        self._cache = {}  # key -> the response's bytes
        self._cache_parts = {}  # key -> (status, headers, body)
        self._rate, self._burst, self._buckets = None, None, {}
        self.configure(rate=rate, burst=burst)
        self.reset_stats()
        self._server = None

    # -- settings -----------------------------------------------------------------------------
    def configure(self, delay_ms=_UNSET, rate=_UNSET, burst=_UNSET, cache=_UNSET, clear_cache=False):
        with self._lock:
            if delay_ms is not _UNSET:
                self.delay_ms = float(delay_ms)
            if cache is not _UNSET:
                self.cache = bool(cache)
            if clear_cache:
                self._cache.clear()
                self._cache_parts.clear()
            if rate is not _UNSET or burst is not _UNSET:
                if rate is not _UNSET:
                    self._rate = float(rate) if rate else None
                if burst is not _UNSET:
                    self._burst = float(burst) if burst else None
                self._buckets = {}  # they start full
        return self

    def settings(self):
        return {"delay_ms": self.delay_ms, "rate": self._rate, "burst": self._burst or self._rate, "cache": self.cache, "cached": len(self._cache)}

    # -- counters -----------------------------------------------------------------------------
    def reset_stats(self):
        with self._lock:
            self._stats = {"forwarded": 0, "throttled": {}, "cache_hits": 0, "cache_misses": 0, "requests": {}, "peak_in_flight": 0}
            self._in_flight = 0
            self._oversleep = []  # seconds each delay's sleep lasted beyond it
            self._busy = 0.0  # the signed requests' seconds in the proxy, summed
            self._trace = []
            self._first = self._last = None

    def stats(self):
        with self._lock:
            s = json.loads(json.dumps(self._stats))
            s["throttled_total"] = sum(s["throttled"].values())
            s["span_s"] = (self._last - self._first) if self._first is not None else 0.0
            s["mean_in_flight"] = self._busy / s["span_s"] if s["span_s"] > 0 else 0.0
            s["oversleep_ms_median"] = statistics.median(self._oversleep) * 1000 if self._oversleep else 0.0
            s["oversleep_ms_max"] = max(self._oversleep) * 1000 if self._oversleep else 0.0
            s.update(self.settings())
            return s

    def _slept(self, over):
        with self._lock:
            self._oversleep.append(over)

    def _count(self, name):
        with self._lock:
            self._stats[name] += 1

    def _enter(self, service):
        with self._lock:
            now = time.monotonic()
            self._first = now if self._first is None else self._first
            self._in_flight += 1
            self._stats["peak_in_flight"] = max(self._stats["peak_in_flight"], self._in_flight)
            self._stats["requests"][service] = self._stats["requests"].get(service, 0) + 1
            return now

    def _leave(self, t_in, service, h, body, outcome="ok"):
        now = time.monotonic()
        with self._lock:
            self._in_flight -= 1
            self._last = now
            self._busy += now - t_in
            if len(self._trace) < 100000:
                self._trace.append((t_in, now, service, h, body, outcome))

    def span(self):
        """(first arrival, last answer) of the signed requests since the last reset, time.monotonic()."""
        with self._lock:
            return self._first, self._last

    def trace(self):
        """[(start s, end s, service, operation, outcome)] of the signed requests since the last
        reset, times from the first one's arrival; outcome "throttled" (answered by --rate) or "ok"
        (forwarded or replayed)."""
        with self._lock:
            rows = list(self._trace)
        t0 = rows[0][0] if rows else 0.0
        return [(round(a - t0, 6), round(b - t0, 6), svc, operation(svc, h, body), out) for a, b, svc, h, body, out in rows]

    def _admit(self, service):
        with self._lock:
            if self._rate is None:
                return True
            b = self._buckets.get(service)
            if b is None:
                b = self._buckets[service] = Bucket(self._rate, self._burst or self._rate)
            if b.take():
                return True
            self._stats["throttled"][service] = self._stats["throttled"].get(service, 0) + 1
            return False

    # -- life ---------------------------------------------------------------------------------
    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        s.listen(1024)
        self._server, self.port = s, s.getsockname()[1]
        threading.Thread(target=self._accept, args=(s,), daemon=True).start()
        return self

    def _accept(self, s):
        while True:
            try:
                c, _ = s.accept()
            except OSError:  # closed by stop()
                return
            threading.Thread(target=_Conn(self, c).run, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self._server is not None:
            try:
                self._server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self._server.close()
            self._server = None


# -- overhead measure -----------------------------------------------------------------------------
def _signed_describe(host, port):
    """A signed Organizations DescribeOrganization request (method, path, headers, body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b"{}"
    req = AWSRequest(method="POST", url=f"http://{host}:{port}/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{ORG_PREFIX}.DescribeOrganization"})
    SigV4Auth(Credentials("testing", "testing"), "organizations", "us-east-1").add_auth(req)
    return dict(req.headers.items()), body


def _connect(url):
    host, port = local(url)
    c = http.client.HTTPConnection(host, port)
    c.connect()
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return c


def _once(c, headers, body):
    t0 = time.perf_counter()
    c.request("POST", "/", body=body, headers=headers)
    r = c.getresponse()
    r.read()
    return time.perf_counter() - t0


def _round_trips(url, n, parallel=1):
    headers, body = _signed_describe(*local(url))
    times, lock = [], threading.Lock()

    def worker(k):
        c = _connect(url)
        mine = [_once(c, headers, body) for _ in range(k)]
        c.close()
        with lock:
            times.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n // parallel,)) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, time.perf_counter() - t0


def _paired(upstream, proxy_url, n):
    """Round trips alternately direct and through the proxy: (direct, through, differences)."""
    headers, body = _signed_describe(*local(upstream))
    cd, cp = _connect(upstream), _connect(proxy_url)
    direct, via = [], []
    for _ in range(n):
        direct.append(_once(cd, headers, body))
        via.append(_once(cp, headers, body))
    cd.close(), cp.close()
    return direct, via, [v - d for d, v in zip(direct, via)]


def measure_overhead(upstream, n=300, delay_ms=50.0):
    """The proxy's own cost: DescribeOrganization round trips through a proxy at --delay-ms 0 and
    directly, alternately (the median of the differences), and 16 at a time; the round trip of a
    --cache hit at delay 0 (all the proxy does then is its own work); and the delay's accuracy
    through the cache at delay_ms, one and 16 at a time. Returns a dict of milliseconds."""
    p = LatencyProxy(upstream, delay_ms=0).start()
    try:
        _paired(upstream, p.url, 20)  # warm up
        direct, via, diff = _paired(upstream, p.url, n)
        _, wall_d16 = _round_trips(upstream, n, 16)
        _, wall_v16 = _round_trips(p.url, n, 16)
        p.configure(cache=True)
        _round_trips(p.url, 5)
        cached, _ = _round_trips(p.url, n)
        p.configure(delay_ms=delay_ms)
        p.reset_stats()
        delayed, _ = _round_trips(p.url, 40)
        over = p.stats()["oversleep_ms_median"]
        _, wall_dl16 = _round_trips(p.url, n, 16)
    finally:
        p.stop()
    med = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    return {
        "direct_ms": med(direct), "proxy_ms": med(via), "overhead_ms": med(diff), "requests": n,
        "direct16_wall_ms": wall_d16 * 1000, "proxy16_wall_ms": wall_v16 * 1000,
        "cache_hit_ms": med(cached), "delay_ms": delay_ms, "delayed_ms": med(delayed), "delay_error_ms": med(delayed) - delay_ms, "oversleep_ms": over,
        "delayed16_wall_ms": wall_dl16 * 1000, "delayed16_ideal_ms": (n // 16) * delay_ms,
    }


def overhead_lines(m):
    return [
        f"proxy overhead at --delay-ms 0 (DescribeOrganization, {m['requests']} pairs, medians): direct {m['direct_ms']:.2f} ms, through the proxy {m['proxy_ms']:.2f} ms, "
        f"difference {m['overhead_ms']:+.2f} ms per request",
        f"  16 at a time, {m['requests']} requests: direct {m['direct16_wall_ms']:.0f} ms, through the proxy {m['proxy16_wall_ms']:.0f} ms (the emulator's CPU, one GIL, is the bound here)",
        f"  --cache hit at delay 0 (the proxy's own work, client included): {m['cache_hit_ms']:.2f} ms per round trip; at --delay-ms {m['delay_ms']:g}: {m['delayed_ms']:.2f} ms (+{m['delay_error_ms']:.2f} ms; time.sleep itself +{m['oversleep_ms']:.2f}), "
        f"16 at a time {m['delayed16_wall_ms']:.0f} ms for {m['requests']} (ideal {m['delayed16_ideal_ms']:.0f} ms)",
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True, help="the emulator's URL (127.0.0.1)")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--rate", type=float, default=None, help="requests/s per service (token bucket); above it, the service's throttling error")
    ap.add_argument("--burst", type=float, default=None, help="the bucket's size (default: --rate)")
    ap.add_argument("--cache", action="store_true", help="answer repeated read-only requests from a record of the emulator's answer")
    ap.add_argument("--measure", action="store_true", help="print the proxy's own overhead against the emulator and exit")
    a = ap.parse_args()
    local(a.upstream)
    if a.measure:
        for line in overhead_lines(measure_overhead(a.upstream, delay_ms=a.delay_ms or 50.0)):
            print(line)
        return 0
    p = LatencyProxy(a.upstream, a.port, a.delay_ms, a.rate, a.burst, a.cache).start()
    print(f"LATENCY_PROXY_URL={p.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        p.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
