#!/usr/bin/env python3
"""The reference reader of bench/floor_bench.py: the reads `orgctl plan` makes of an organization
with no policies and no Identity Center in the file, issued N at a time (default 16) as soon as
their inputs are known, through a plain, cheap client.

  reference_reader.py --endpoint URL [--concurrency 16] [--order deep|fifo] [--tags] [--json]

The reads (what `orgctl --api-stats plan` reports for such a file): sts GetCallerIdentity;
Organizations DescribeOrganization, ListRoots, ListAWSServiceAccessForOrganization,
ListDelegatedAdministrators, DescribeResourcePolicy (all at once, at the start); per delegated
administrator ListDelegatedServicesForAccount; the tree: per parent (the root, then every OU as
soon as the page naming it has arrived, so there is no barrier per level)
ListOrganizationalUnitsForParent and ListAccountsForParent. Every list pages to its end with
MaxResults 20 and NextToken (a page is asked for as soon as the previous one answered).
--tags: also ListTagsForResource of every member account (what `plan` reads when the file
declares every account's tags), each as soon as the page naming the account and
DescribeOrganization (which names the management account, left out) have arrived; these come
after every read of the tree waiting for a worker (they unlock nothing).

The client: botocore's SigV4 signer and one keep-alive http.client connection per worker thread,
the JSON decoded with json.loads (no boto3 client: measured on 300 ListAccountsForParent calls,
a boto3 client with a large max_pool_connections costs ~2.5 ms of CPU per call -- serializer,
parser, event hooks -- and this ~0.6 ms, most of it the signature). Requests waiting for a worker go
deepest in the tree first (--order deep; continuation pages count as deeper), which shortens the
critical path; --order fifo takes them as they came.

Prints the wall time (first request sent to last answer read), the calls per operation and, with
--json, one line `reference-reader {...}` (wall_ms, total_calls, api_calls, throttled, errors).
Throttling errors are retried after 50-100 ms (so the reader also works behind a rate-limiting
proxy; it does not pace itself).
"""
import argparse
import heapq
import http.client
import itertools
import json
import random
import socket
import sys
import threading
import time
from urllib.parse import urlparse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ORG = "AWSOrganizationsV20161128"
CREDS = Credentials("testing", "testing")
THROTTLES = ("TooManyRequestsException", "ThrottlingException", "Throttling")


class ApiError(Exception):
    def __init__(self, status, code, body):
        super().__init__(f"HTTP {status} {code}: {body[:200]!r}")
        self.status, self.code = status, code


class Client:
    """One keep-alive connection (one per worker thread)."""

    def __init__(self, url):
        u = urlparse(url)
        if u.hostname not in ("127.0.0.1", "localhost"):
            sys.exit(f"refusing {url}: the reference reader only talks to 127.0.0.1")
        self.host, self.port, self.netloc = u.hostname, u.port or 80, u.netloc
        self.conn = None

    def _send(self, service, headers, body):
        req = AWSRequest(method="POST", url=f"http://{self.netloc}/", data=body, headers=headers)
        SigV4Auth(CREDS, service, "us-east-1").add_auth(req)
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=300)
                self.conn.connect()
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                self.conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
                r = self.conn.getresponse()
                data = r.read()
                if r.will_close:
                    self.conn.close()
                    self.conn = None
                return r.status, r.getheader("x-amzn-ErrorType") or "", data
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def org(self, op, params):
        body = json.dumps(params).encode()
        status, etype, data = self._send("organizations", {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"{ORG}.{op}"}, body)
        out = json.loads(data or b"{}")
        if status != 200:
            raise ApiError(status, (out.get("__type") or etype or "").rsplit("#", 1)[-1], data)
        return out

    def sts_caller(self):
        status, etype, data = self._send("sts", {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}, b"Action=GetCallerIdentity&Version=2011-06-15")
        if status != 200:
            code = etype or ("Throttling" if b"Throttling" in data or status == 429 else "")
            raise ApiError(status, code, data)
        text = data.decode()
        return text.split("<Account>", 1)[1].split("</Account>", 1)[0] if "<Account>" in text else None


class Reader:
    def __init__(self, url, concurrency=16, order="deep", tags=False):
        self.url, self.concurrency, self.order, self.read_tags = url, concurrency, order, tags
        self.mgmt, self.untagged, self.tags = None, [], {}  # --tags: accounts waiting for DescribeOrganization; tags read
        self.heap, self.seq = [], itertools.count()
        self.cv = threading.Condition()
        self.pending = 0  # tasks queued or running
        self.calls, self.throttled, self.errors = {}, 0, []
        self.ous, self.accounts, self.admins = {}, {}, {}
        self.in_flight = self.peak = 0

    def push(self, depth, fn, *args, last=False):
        key = 1 if last else -depth if self.order == "deep" else 0
        with self.cv:
            heapq.heappush(self.heap, (key, next(self.seq), fn, args))
            self.pending += 1
            self.cv.notify()

    def call(self, client, op, fn):
        """fn() with the call counted; throttling retried after 50-100 ms."""
        while True:
            try:
                out = fn()
                with self.cv:
                    self.calls[op] = self.calls.get(op, 0) + 1
                return out
            except ApiError as e:
                if e.code in THROTTLES or e.status == 429:
                    with self.cv:
                        self.throttled += 1
                    time.sleep(0.05 + random.random() * 0.05)
                    continue
                with self.cv:
                    self.calls[op] = self.calls.get(op, 0) + 1
                raise

    # -- the reads ---------------------------------------------------------------------------
    def t_caller(self, c, depth):
        self.call(c, "sts:GetCallerIdentity", c.sts_caller)

    def t_single(self, c, depth, op):
        try:
            out = self.call(c, f"organizations:{op}", lambda: c.org(op, {}))
        except ApiError as e:
            if not (op == "DescribeResourcePolicy" and e.code == "ResourcePolicyNotFoundException"):
                raise
            return
        if op == "DescribeOrganization" and self.read_tags:
            with self.cv:
                self.mgmt = out["Organization"]["MasterAccountId"]
                waiting, self.untagged = self.untagged, []
            for aid in waiting:
                self.tag_read(aid)

    def tag_read(self, aid):
        """--tags: the account's ListTagsForResource, unless it is the management account."""
        if aid != self.mgmt:
            self.push(0, self.t_tags, 0, aid, last=True)

    def t_tags(self, c, depth, aid):
        out = self.call(c, "organizations:ListTagsForResource", lambda: c.org("ListTagsForResource", {"ResourceId": aid}))
        with self.cv:
            self.tags[aid] = {t["Key"]: t["Value"] for t in out.get("Tags", [])}
        if out.get("NextToken"):
            raise ApiError(200, "Unexpected", b"ListTagsForResource paged (the reference reads one page)")

    def t_pages(self, c, depth, op, params, token, on_page):
        p = dict(params, MaxResults=20)
        if token:
            p["NextToken"] = token
        out = self.call(c, f"organizations:{op}", lambda: c.org(op, p))
        if out.get("NextToken"):
            self.push(depth + 1, self.t_pages, depth + 1, op, params, out["NextToken"], on_page)
        on_page(out, depth)

    def on_roots(self, out, depth):
        for r in out.get("Roots", []):
            self.parent(r["Id"], depth + 1)

    def parent(self, pid, depth):
        self.push(depth, self.t_pages, depth, "ListOrganizationalUnitsForParent", {"ParentId": pid}, None, self.on_ous(pid))
        self.push(depth, self.t_pages, depth, "ListAccountsForParent", {"ParentId": pid}, None, self.on_accounts(pid))

    def on_ous(self, pid):
        def f(out, depth):
            for ou in out.get("OrganizationalUnits", []):
                with self.cv:
                    self.ous[ou["Id"]] = (pid, ou["Name"])
                self.parent(ou["Id"], depth + 1)
        return f

    def on_accounts(self, pid):
        def f(out, depth):
            with self.cv:
                for a in out.get("Accounts", []):
                    self.accounts[a["Id"]] = (pid, a["Name"])
                ready = [a["Id"] for a in out.get("Accounts", [])] if self.read_tags and self.mgmt else []
                if self.read_tags and not self.mgmt:
                    self.untagged.extend(a["Id"] for a in out.get("Accounts", []))
            for aid in ready:
                self.tag_read(aid)
        return f

    def on_admins(self, out, depth):
        for a in out.get("DelegatedAdministrators", []):
            self.push(depth + 1, self.t_pages, depth + 1, "ListDelegatedServicesForAccount", {"AccountId": a["Id"]}, None, self.on_services(a["Id"]))

    def on_services(self, aid):
        def f(out, depth):
            with self.cv:
                self.admins.setdefault(aid, []).extend(s["ServicePrincipal"] for s in out.get("DelegatedServices", []))
        return f

    # -- the run -----------------------------------------------------------------------------
    def worker(self):
        c = Client(self.url)
        while True:
            with self.cv:
                while not self.heap and self.pending:
                    self.cv.wait()
                if not self.pending:
                    self.cv.notify_all()
                    return
                _, _, fn, args = heapq.heappop(self.heap)
                self.in_flight += 1
                self.peak = max(self.peak, self.in_flight)
            try:
                fn(c, *args)
            except Exception as e:  # noqa: BLE001 -- reported, the run goes on
                with self.cv:
                    self.errors.append(f"{getattr(fn, '__name__', fn)}{args[1:2]}: {e}")
            finally:
                with self.cv:
                    self.in_flight -= 1
                    self.pending -= 1
                    self.cv.notify_all()

    def run(self):
        self.push(0, self.t_caller, 0)
        for op in ("DescribeOrganization", "DescribeResourcePolicy"):
            self.push(0, self.t_single, 0, op)
        self.push(0, self.t_pages, 0, "ListRoots", {}, None, self.on_roots)
        self.push(0, self.t_pages, 0, "ListAWSServiceAccessForOrganization", {}, None, lambda out, d: None)
        self.push(0, self.t_pages, 0, "ListDelegatedAdministrators", {}, None, self.on_admins)
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(self.concurrency)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--endpoint", required=True, help="the emulator's or the latency proxy's URL (127.0.0.1)")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--order", choices=["deep", "fifo"], default="deep")
    ap.add_argument("--tags", action="store_true", help="also ListTagsForResource of every member account")
    ap.add_argument("--json", action="store_true", help="also print one `reference-reader {...}` line")
    a = ap.parse_args()
    r = Reader(a.endpoint, a.concurrency, a.order, a.tags)
    cpu0 = time.process_time()
    wall = r.run()
    cpu = time.process_time() - cpu0
    total = sum(r.calls.values())
    for op in sorted(r.calls):
        print(f"{op:55} {r.calls[op]:>6}")
    print(f"{'total':55} {total:>6}")
    print(f"read {len(r.ous)} OUs, {len(r.accounts)} accounts ({len(r.tags)} accounts' tags), {len(r.admins)} delegated administrators in {wall * 1000:.0f} ms, "
          f"{a.concurrency} at a time (peak {r.peak}); {r.throttled} throttled answers retried; CPU {cpu * 1000 / max(total, 1):.2f} ms per call")
    for e in r.errors[:10]:
        print("error:", e, file=sys.stderr)
    if a.json:
        print("reference-reader " + json.dumps({"wall_ms": round(wall * 1000, 1), "total_calls": total, "api_calls": r.calls, "throttled": r.throttled,
                                                "errors": len(r.errors), "ous": len(r.ous), "accounts": len(r.accounts), "tagged": len(r.tags), "peak_in_flight": r.peak,
                                                "cpu_ms_per_call": round(cpu * 1000 / max(total, 1), 3)}))
    return 1 if r.errors else 0


if __name__ == "__main__":
    sys.exit(main())
