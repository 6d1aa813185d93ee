#!/usr/bin/env python3
"""An OTLP receiver for the tests, built on the official protocol definitions.

The message and service types come from PyPI's `opentelemetry-proto` (the
code generated from open-telemetry/opentelemetry-proto) and the gRPC server
from `grpcio`; nothing here parses protobuf by hand. It listens on
127.0.0.1 with ephemeral ports (or the ports given, to come back after an
outage on the same address):

  * OTLP/gRPC: opentelemetry.proto.collector.{metrics,trace,logs}.v1
    .{Metrics,Trace,Logs}Service/Export;
  * OTLP/HTTP with binary protobuf bodies (JSON bodies accepted too):
    POST /v1/metrics, /v1/traces, /v1/logs, gzip Content-Encoding accepted.

Standard output, one JSON object per line, flushed:
  * first {"grpc_port": N, "http_port": M} once both listen;
  * then one line per export request received:
    {"signal": "metrics"|"traces"|"logs", "transport": "grpc"|"http",
     "accepted": bool, "headers": {...}, "request": <the request>}
    where the request is protobuf's JSON mapping (MessageToDict, camelCase
    field names as in OTLP/JSON, 64-bit integers as strings) except that
    traceId/spanId/parentSpanId are lowercase hex, as OTLP/JSON encodes
    them (protobuf's generic mapping would give base64). Rejected requests
    (see the modes) are printed too, with "accepted": false.

Standard input, one command per line:
  * `mode ok`: accept everything (the start mode);
  * `mode unavailable`: answer gRPC UNAVAILABLE / HTTP 503 (a collector
    that is up but refuses);
  * `mode slow <ms>`: wait that long, then accept (and print the request
    as accepted, even if the exporter gave up waiting meanwhile).
The receiver exits when its standard input closes (the test ends).
"""

import argparse
import base64
import gzip
import json
import sys
import threading
import time
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2, logs_service_pb2_grpc
from opentelemetry.proto.collector.metrics.v1 import (
    metrics_service_pb2,
    metrics_service_pb2_grpc,
)
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

MAX_BODY = 64 * 1024 * 1024
HEX_FIELDS = ("traceId", "spanId", "parentSpanId")

OUT = threading.Lock()
STATE = {"mode": "ok", "delay_ms": 0}
STATE_LOCK = threading.Lock()

# signal -> (request type, response type)
TYPES = {
    "metrics": (
        metrics_service_pb2.ExportMetricsServiceRequest,
        metrics_service_pb2.ExportMetricsServiceResponse,
    ),
    "traces": (
        trace_service_pb2.ExportTraceServiceRequest,
        trace_service_pb2.ExportTraceServiceResponse,
    ),
    "logs": (
        logs_service_pb2.ExportLogsServiceRequest,
        logs_service_pb2.ExportLogsServiceResponse,
    ),
}


def emit(obj):
    line = json.dumps(obj, separators=(",", ":"))
    with OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def hex_ids(value):
    """OTLP/JSON's hex trace and span ids in place of protobuf's base64."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in HEX_FIELDS and isinstance(v, str):
                try:
                    out[k] = base64.b64decode(v).hex()
                except ValueError:
                    out[k] = v
            else:
                out[k] = hex_ids(v)
        return out
    if isinstance(value, list):
        return [hex_ids(v) for v in value]
    return value


def current_mode():
    with STATE_LOCK:
        return STATE["mode"], STATE["delay_ms"]


def record(signal, transport, message, headers, accepted):
    body = hex_ids(json_format.MessageToDict(message))
    emit(
        {
            "signal": signal,
            "transport": transport,
            "accepted": accepted,
            "headers": headers,
            "request": body,
        }
    )


# ---------------------------------------------------------------- gRPC


def grpc_handler(signal):
    _, response_type = TYPES[signal]

    def export(request, context):
        headers = {k: v for k, v in context.invocation_metadata() if not k.endswith("-bin")}
        mode, delay = current_mode()
        if mode == "slow":
            time.sleep(delay / 1000.0)
        if mode == "unavailable":
            record(signal, "grpc", request, headers, False)
            context.abort(grpc.StatusCode.UNAVAILABLE, "test receiver: unavailable")
        record(signal, "grpc", request, headers, True)
        return response_type()

    return export


class Metrics(metrics_service_pb2_grpc.MetricsServiceServicer):
    Export = staticmethod(grpc_handler("metrics"))


class Traces(trace_service_pb2_grpc.TraceServiceServicer):
    Export = staticmethod(grpc_handler("traces"))


class Logs(logs_service_pb2_grpc.LogsServiceServicer):
    Export = staticmethod(grpc_handler("logs"))


def start_grpc(port):
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[
            ("grpc.max_receive_message_length", MAX_BODY),
            # A restarted receiver takes the same port back; a fresh one
            # must never share a port with another process.
            ("grpc.so_reuseport", 0),
        ],
    )
    metrics_service_pb2_grpc.add_MetricsServiceServicer_to_server(Metrics(), server)
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Traces(), server)
    logs_service_pb2_grpc.add_LogsServiceServicer_to_server(Logs(), server)
    bound = server.add_insecure_port("127.0.0.1:%d" % port)
    if bound == 0:
        raise SystemExit("receiver: cannot bind gRPC port %d" % port)
    server.start()
    return server, bound


# ---------------------------------------------------------------- HTTP

PATHS = {"/v1/metrics": "metrics", "/v1/traces": "traces", "/v1/logs": "logs"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: stdout is the protocol
        pass

    def reply(self, status, body=b"", content_type="application/x-protobuf"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        signal = PATHS.get(self.path.split("?", 1)[0])
        length = int(self.headers.get("Content-Length") or "0")
        if length < 0 or length > MAX_BODY:
            self.reply(413, b"too large", "text/plain")
            return
        raw = self.rfile.read(length)
        if signal is None:
            self.reply(404, b"not found", "text/plain")
            return
        if (self.headers.get("Content-Encoding") or "").lower() == "gzip":
            raw = gzip.decompress(raw)
        request_type, response_type = TYPES[signal]
        request = request_type()
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if ctype == "application/json":
                json_format.Parse(raw.decode("utf-8"), request)
            else:
                request.ParseFromString(raw)
        except Exception as e:  # a malformed body is the exporter's bug: say so
            emit({"signal": signal, "transport": "http", "error": str(e)})
            self.reply(400, str(e).encode(), "text/plain")
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        mode, delay = current_mode()
        if mode == "slow":
            time.sleep(delay / 1000.0)
        if mode == "unavailable":
            record(signal, "http", request, headers, False)
            self.reply(503, b"unavailable", "text/plain")
            return
        record(signal, "http", request, headers, True)
        if ctype == "application/json":
            self.reply(200, json_format.MessageToJson(response_type()).encode(), "application/json")
        else:
            self.reply(200, response_type().SerializeToString())


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # An exporter that gave up on a slow answer closes its end: expected.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def start_http(port):
    server = Server(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grpc-port", type=int, default=0)
    parser.add_argument("--http-port", type=int, default=0)
    args = parser.parse_args()
    grpc_server, grpc_port = start_grpc(args.grpc_port)
    _http_server, http_port = start_http(args.http_port)
    emit({"grpc_port": grpc_port, "http_port": http_port})
    for line in sys.stdin:
        words = line.split()
        if len(words) >= 2 and words[0] == "mode":
            with STATE_LOCK:
                STATE["mode"] = words[1]
                STATE["delay_ms"] = int(words[2]) if len(words) > 2 else 0
            emit({"mode": words[1]})
    grpc_server.stop(0)


if __name__ == "__main__":
    main()
