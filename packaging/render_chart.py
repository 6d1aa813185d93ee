#!/usr/bin/env python3
"""Renders the outpost Helm chart without Helm, for tests on machines that
have no Helm binary.

It implements only the Go-template subset that deploy/helm/outpost uses, and
fails loudly on anything else, so that a template using more than this
renderer knows is caught by the test rather than rendered wrongly:
  - actions {{ }}, with {{- and -}} whitespace trimming, {{/* comments */}};
  - if / else if / else / end, range $k, $v := ... / end, define / end;
  - values: .Values.a.b, .Release.Name, .Chart.AppVersion / .Chart.Name,
    ".", "$", $var and $var.field, "strings", numbers, true / false;
  - pipelines with: include, quote, default, nindent, indent, toYaml, not,
    and, or, eq, printf (%s and %d only), and parenthesised sub-pipelines.

Usage: render_chart.py CHART_DIR [VALUES_FILE ...] [--release NAME]
Prints the rendered manifests (documents in Helm's install order) on stdout.
"""
import os
import re
import sys

import yaml

ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)

# Helm's install order (pkg/releaseutil/kind_sorter.go), the kinds we use.
KIND_ORDER = ["Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodDisruptionBudget",
              "ServiceAccount", "Secret", "ConfigMap", "StorageClass", "PersistentVolume",
              "PersistentVolumeClaim", "Role", "RoleBinding", "Service", "DaemonSet", "Pod",
              "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job",
              "CronJob", "Ingress"]


class TemplateError(Exception):
    pass


# ---------------------------------------------------------------- parsing

def tokenize(text, name):
    """Text and action tokens, with trim markers applied to the text."""
    tokens, pos = [], 0
    for m in ACTION.finditer(text):
        before = text[pos:m.start()]
        if m.group(1):
            before = before.rstrip(" \t\r\n")
        tokens.append(("text", before))
        tokens.append(("action", m.group(2).strip(), bool(m.group(3))))
        pos = m.end()
    tokens.append(("text", text[pos:]))
    # Apply right-trims to the following text token.
    out = []
    trim_next = False
    for t in tokens:
        if t[0] == "text":
            s = t[1].lstrip(" \t\r\n") if trim_next else t[1]
            out.append(("text", s))
            trim_next = False
        else:
            out.append(("action", t[1]))
            trim_next = t[2]
    if "{{" in "".join(t[1] for t in out if t[0] == "text"):
        raise TemplateError(f"{name}: unparsed '{{{{' (write '{{{{- ' and ' -}}}}' with spaces)")
    return out


def parse(tokens, name):
    """A tree: lists of ('text', s) / ('out', pipe) / ('if', [(cond, body)], else)
    / ('range', k, v, pipe, body); defines are returned separately."""
    defines = {}
    pos = 0

    def block(stop):
        nonlocal pos
        nodes = []
        while pos < len(tokens):
            t = tokens[pos]
            pos += 1
            if t[0] == "text":
                if t[1]:
                    nodes.append(("text", t[1]))
                continue
            a = t[1]
            if a.startswith("/*"):
                if not a.endswith("*/"):
                    raise TemplateError(f"{name}: bad comment {a!r}")
                continue
            word = a.split(None, 1)[0] if a else ""
            rest = a[len(word):].strip()
            if word in ("end", "else"):
                if word not in stop:
                    raise TemplateError(f"{name}: unexpected {{{{ {a} }}}}")
                return nodes, a
            if word == "if":
                branches, els = [], None
                cond = rest
                while True:
                    body, ender = block(("end", "else"))
                    branches.append((parse_pipe(cond, name), body))
                    if ender == "end":
                        break
                    if ender.startswith("else if "):
                        cond = ender[len("else if "):]
                        continue
                    if ender != "else":
                        raise TemplateError(f"{name}: unsupported {{{{ {ender} }}}}")
                    els, ender = block(("end",))
                    break
                nodes.append(("if", branches, els))
            elif word == "range":
                m = re.fullmatch(r"\$(\w+)\s*,\s*\$(\w+)\s*:=\s*(.+)", rest, re.S)
                if not m:
                    raise TemplateError(f"{name}: only 'range $k, $v := ...' is supported: {a!r}")
                body, _ = block(("end",))
                nodes.append(("range", m.group(1), m.group(2), parse_pipe(m.group(3), name), body))
            elif word == "define":
                dname = parse_string(rest, name)
                body, _ = block(("end",))
                defines[dname] = body
            elif word in ("with", "template", "block", "tpl"):
                raise TemplateError(f"{name}: {word} is not supported by this renderer")
            else:
                nodes.append(("out", parse_pipe(a, name)))
        if stop:
            raise TemplateError(f"{name}: missing {{{{ end }}}}")
        return nodes, None

    nodes, _ = block(())
    return nodes, defines


def parse_string(s, name):
    m = re.fullmatch(r'"((?:[^"\\]|\\.)*)"', s.strip())
    if not m:
        raise TemplateError(f"{name}: expected a string, got {s!r}")
    return bytes(m.group(1), "utf-8").decode("unicode_escape")


TOKEN = re.compile(r'\s*(\(|\)|\||"(?:[^"\\]|\\.)*"|[^\s()|]+)')


def parse_pipe(src, name):
    toks = []
    pos = 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if not m:
            raise TemplateError(f"{name}: cannot parse {src!r}")
        toks.append(m.group(1))
        pos = m.end()
        while pos < len(src) and src[pos].isspace():
            pos += 1
    i = 0

    def pipeline():
        nonlocal i
        cmds = [[]]
        while i < len(toks):
            t = toks[i]
            if t == ")":
                break
            i += 1
            if t == "|":
                cmds.append([])
            elif t == "(":
                cmds[-1].append(("pipe", pipeline()))
                if i >= len(toks) or toks[i] != ")":
                    raise TemplateError(f"{name}: unbalanced parentheses in {src!r}")
                i += 1
            else:
                cmds[-1].append(term(t))
        if any(not c for c in cmds):
            raise TemplateError(f"{name}: empty command in {src!r}")
        return cmds

    def term(t):
        if t.startswith('"'):
            return ("lit", parse_string(t, name))
        if re.fullmatch(r"-?\d+", t):
            return ("lit", int(t))
        if t in ("true", "false"):
            return ("lit", t == "true")
        if t == ".":
            return ("dot", [])
        if t.startswith("."):
            return ("dot", t[1:].split("."))
        if t.startswith("$"):
            parts = t[1:].split(".")
            return ("var", parts[0], parts[1:])
        if re.fullmatch(r"[A-Za-z]\w*", t):
            return ("fn", t)
        raise TemplateError(f"{name}: unsupported term {t!r}")

    cmds = pipeline()
    if i != len(toks):
        raise TemplateError(f"{name}: unbalanced parentheses in {src!r}")
    return cmds


# ---------------------------------------------------------------- evaluation

def truthy(v):
    return not (v is None or v is False or v == 0 and not isinstance(v, bool) and isinstance(v, int)
                or v == "" or v == {} or v == [])


def to_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        raise TemplateError(f"cannot print a {type(v).__name__} without toYaml: {v!r}")
    return str(v)


def lookup(v, path):
    for p in path:
        if not isinstance(v, dict):
            return None
        v = v.get(p)
    return v


def go_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Renderer:
    def __init__(self, root, defines):
        self.root = root
        self.defines = defines

    def render(self, nodes, dot, scope):
        out = []
        for n in nodes:
            kind = n[0]
            if kind == "text":
                out.append(n[1])
            elif kind == "out":
                out.append(to_str(self.pipe(n[1], dot, scope)))
            elif kind == "if":
                for cond, body in n[1]:
                    if truthy(self.pipe(cond, dot, scope)):
                        out.append(self.render(body, dot, scope))
                        break
                else:
                    if n[2] is not None:
                        out.append(self.render(n[2], dot, scope))
            elif kind == "range":
                coll = self.pipe(n[3], dot, scope)
                items = sorted(coll.items()) if isinstance(coll, dict) else enumerate(coll or [])
                for k, v in items:
                    out.append(self.render(n[4], v, {**scope, n[1]: k, n[2]: v}))
        return "".join(out)

    def value(self, t, dot, scope):
        kind = t[0]
        if kind == "lit":
            return t[1]
        if kind == "dot":
            return lookup(dot, t[1])
        if kind == "var":
            base = self.root if t[1] == "" else scope.get(t[1])
            if t[1] != "" and t[1] not in scope:
                raise TemplateError(f"undefined variable ${t[1]}")
            return lookup(base, t[2])
        if kind == "pipe":
            return self.pipe(t[1], dot, scope)
        raise TemplateError(f"a function name where a value belongs: {t!r}")

    def pipe(self, cmds, dot, scope):
        result, have = None, False
        for cmd in cmds:
            if cmd[0][0] == "fn":
                args = [self.value(a, dot, scope) for a in cmd[1:]]
                if have:
                    args.append(result)
                result = self.call(cmd[0][1], args)
            else:
                if len(cmd) != 1 or have:
                    raise TemplateError(f"not a function: {cmd[0]!r}")
                result = self.value(cmd[0], dot, scope)
            have = True
        return result

    def call(self, fn, a):
        def need(n):
            if len(a) != n:
                raise TemplateError(f"{fn} takes {n} arguments, got {len(a)}")
        if fn == "include":
            need(2)
            if a[0] not in self.defines:
                raise TemplateError(f"include of undefined template {a[0]!r}")
            return self.render(self.defines[a[0]], a[1], {})
        if fn == "quote":
            need(1)
            return go_quote(to_str(a[0]))
        if fn == "default":
            need(2)
            return a[1] if truthy(a[1]) else a[0]
        if fn in ("nindent", "indent"):
            need(2)
            pad = " " * int(a[0])
            body = "\n".join(pad + line for line in to_str(a[1]).split("\n"))
            return "\n" + body if fn == "nindent" else body
        if fn == "toYaml":
            need(1)
            if a[0] is None:
                return ""
            return yaml.safe_dump(a[0], default_flow_style=False, sort_keys=True).rstrip("\n")
        if fn == "not":
            need(1)
            return not truthy(a[0])
        if fn == "and":
            for v in a:
                if not truthy(v):
                    return v
            return a[-1]
        if fn == "or":
            for v in a:
                if truthy(v):
                    return v
            return a[-1]
        if fn == "eq":
            need(2)
            return a[0] == a[1]
        if fn == "printf":
            fmt, rest = a[0], list(a[1:])
            def sub(m):
                if not rest:
                    raise TemplateError("printf: too few arguments")
                return to_str(rest.pop(0))
            return re.sub(r"%[sd]", sub, fmt)
        raise TemplateError(f"function {fn!r} is not supported by this renderer")


# ---------------------------------------------------------------- chart

def merge(base, over):
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v)
        return out
    return over


def render_chart(chart_dir, values_files=(), release="outpost"):
    chart = yaml.safe_load(open(os.path.join(chart_dir, "Chart.yaml")))
    values = yaml.safe_load(open(os.path.join(chart_dir, "values.yaml"))) or {}
    for f in values_files:
        values = merge(values, yaml.safe_load(open(f)) or {})
    root = {
        "Values": values,
        "Release": {"Name": release, "Namespace": "default", "Service": "Helm"},
        "Chart": {"Name": chart["name"], "Version": chart["version"], "AppVersion": chart["appVersion"]},
    }
    tdir = os.path.join(chart_dir, "templates")
    names = sorted(os.listdir(tdir))
    parsed, defines = {}, {}
    for n in names:
        text = open(os.path.join(tdir, n)).read()
        nodes, d = parse(tokenize(text, n), n)
        defines.update(d)
        parsed[n] = nodes
    r = Renderer(root, defines)
    docs = []
    for n in names:
        if n.startswith("_"):
            continue
        text = r.render(parsed[n], root, {})
        if n == "NOTES.txt":  # printed by `helm install`, not a manifest
            continue
        for doc in re.split(r"(?m)^---\s*$", text):
            if not doc.strip():
                continue
            body = doc.strip("\n") + "\n"
            obj = yaml.safe_load(body)
            if obj is None:
                continue
            if not isinstance(obj, dict) or "kind" not in obj:
                raise TemplateError(f"{n}: a document without a kind:\n{body}")
            docs.append((obj["kind"], obj["metadata"]["name"], n, body))
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    docs.sort(key=lambda d: (order.get(d[0], len(KIND_ORDER)), d[1]))
    return "".join(f"---\n# Source: {chart['name']}/templates/{n}\n{body}" for _, _, n, body in docs)


def main(argv):
    release = "outpost"
    args = []
    it = iter(argv)
    for a in it:
        if a == "--release":
            release = next(it)
        else:
            args.append(a)
    if not args:
        sys.exit(__doc__)
    try:
        sys.stdout.write(render_chart(args[0], args[1:], release))
    except TemplateError as e:
        sys.exit(f"render_chart: {e}")


if __name__ == "__main__":
    main(sys.argv[1:])
