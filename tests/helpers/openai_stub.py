#!/usr/bin/env python3
"""A stand-in OpenAI-compatible chat-completions server for the tests.

    openai_stub.py PORTFILE REPLYFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE), answers
POST .../chat/completions with the text of REPLYFILE (read anew on each
request, so a test can change it) as choices[0].message.content, and
appends each request body to LOGFILE, one JSON line each. A REPLYFILE
that starts with "HTTP 500" makes it answer with that status and an
OpenAI-style error. Requests that are not chat completions get 400 or 404.
It exits by itself after 300 seconds or 200 requests.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

PORTFILE, REPLYFILE, LOGFILE = sys.argv[1:4]
served = 0


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        global served
        served += 1
        if not self.path.endswith("/chat/completions"):
            return self.send(404, {"error": {"message": "no route " + self.path}})
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            req = json.loads(raw)
            assert isinstance(req["model"], str) and isinstance(req["messages"], list)
        except Exception as e:  # the client must send a well-formed request
            return self.send(400, {"error": {"message": "bad request: %r" % e}})
        with open(LOGFILE, "a") as f:
            f.write(json.dumps({"auth": self.headers.get("Authorization"), "body": req}) + "\n")
        with open(REPLYFILE) as f:
            reply = f.read()
        if reply.startswith("HTTP 500"):
            return self.send(500, {"error": {"message": "the stub was told to fail"}})
        self.send(200, {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": req["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": reply}}],
        })


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(PORTFILE + ".tmp", PORTFILE)
threading.Timer(300, lambda: os._exit(0)).start()
while served < 200:
    server.handle_request()
os._exit(0)
