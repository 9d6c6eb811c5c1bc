#!/usr/bin/env python3
"""httpd.py SIZE INFO [LIMIT]: the Linux test's HTTP server on 127.0.0.1
(the guest reaches it as 10.0.2.2 through slirp). Serves /blob, SIZE
random bytes, to any number of GETs; writes "PORT SHA256" to INFO once
it listens; logs each request on stderr; stops by itself after LIMIT
seconds (default 3600) so a lost runner cannot leave it behind."""
import hashlib
import http.server
import os
import sys
import threading


def main():
    size, info = int(sys.argv[1]), sys.argv[2]
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 3600.0
    blob = os.urandom(size)
    digest = hashlib.sha256(blob).hexdigest()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            if self.path != "/blob":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            view = memoryview(blob)
            for off in range(0, size, 1 << 20):
                self.wfile.write(view[off:off + (1 << 20)])

        def log_message(self, fmt, *args):
            sys.stderr.write("httpd: %s %s\n" % (self.address_string(), fmt % args))

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    with open(info + ".tmp", "w") as f:
        f.write("%d %s\n" % (srv.server_address[1], digest))
    os.rename(info + ".tmp", info)
    threading.Timer(limit, srv.shutdown).start()
    srv.serve_forever()
    os._exit(0)


if __name__ == "__main__":
    main()
