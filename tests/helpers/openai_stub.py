#!/usr/bin/env python3
"""A scripted stand-in OpenAI-compatible chat-completions server for the tests.

    openai_stub.py PORTFILE REPLYFILE LOGFILE

Listens on 127.0.0.1 (a free port, written to PORTFILE), and appends each
request (its Authorization header and body) to LOGFILE, one JSON line
each, so a test can count the calls and read what was sent.

A REPLYFILE whose name ends in .jsonl is a script: each request takes the
next line (the last one repeats); the file is read anew each time, and a
changed script starts again from its first line:
    {"content": "..."}                 answer with this text
    {"status": 500, "message": "..."}  answer with this HTTP status and an error
    {"refusal": "..."}                 a refusal: no content, message.refusal
    {"raw": "..."}                     this body as it is (malformed JSON)
    {"delay": 3, ...}                  wait 3 s first (a timeout), then the rest
    {"reject_format": true, ...}       HTTP 400 if the request has a
                                       response_format, else the rest
Any other REPLYFILE's text is the answer's content, as is; one that starts
with "HTTP 500" makes it answer with that status and an OpenAI-style error.
Answers carry usage (prompt and completion tokens, a quarter of the
characters). Requests that are not chat completions get 400 or 404. It
exits by itself after 300 seconds or 200 requests.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

PORTFILE, REPLYFILE, LOGFILE = sys.argv[1:4]
served = 0
step = 0
last_script = None


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
        if REPLYFILE.endswith(".jsonl"):
            return self.scripted(req, reply)
        if reply.startswith("HTTP 500"):
            return self.send(500, {"error": {"message": "the stub was told to fail"}})
        self.answer(req, reply)

    def answer(self, req, content, refusal=None):
        prompt = sum(len(m.get("content") or "") for m in req["messages"])
        self.send(200, {
            "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()),
            "model": req["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content, "refusal": refusal}}],
            "usage": {"prompt_tokens": prompt // 4, "completion_tokens": len(content or "") // 4},
        })

    def scripted(self, req, script):
        global step, last_script
        if script != last_script:  # a new script starts from its first line
            step, last_script = 0, script
        lines = [l for l in script.splitlines() if l.strip()]
        line = json.loads(lines[min(step, len(lines) - 1)])
        step += 1
        if line.get("delay"):
            time.sleep(line["delay"])
        if line.get("reject_format") and "response_format" in req:
            return self.send(400, {"error": {"message": "response_format is not supported"}})
        if "status" in line:
            return self.send(line["status"], {"error": {"message": line.get("message", "scripted failure")}})
        if "raw" in line:
            body = line["raw"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        if "refusal" in line:
            return self.answer(req, None, line["refusal"])
        self.answer(req, line.get("content", ""))


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.replace(PORTFILE + ".tmp", PORTFILE)
threading.Timer(300, lambda: os._exit(0)).start()
while served < 200:
    server.handle_request()
os._exit(0)
