"""Checks packaging/render_chart.py against Go-template/Helm semantics on
small templates (expected outputs are what `helm template` prints for them),
so that comparing deploy/kubernetes/ with its render means something."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from render_chart import Renderer, TemplateError, parse, tokenize  # noqa: E402


def render(src, values=None, defines_src=""):
    _, defines = parse(tokenize(defines_src, "_h.tpl"), "_h.tpl")
    nodes, d = parse(tokenize(src, "t.yaml"), "t.yaml")
    defines.update(d)
    root = {"Values": values or {}, "Release": {"Name": "rel"}, "Chart": {"AppVersion": "1.2.3"}}
    return Renderer(root, defines).render(nodes, root, {})


class RenderChart(unittest.TestCase):
    def test_trim_markers(self):
        self.assertEqual(render("a:\n  {{- if true }}\n  b: 1\n  {{- end }}\nc: 2\n"), "a:\n  b: 1\nc: 2\n")
        self.assertEqual(render("x {{- \" y \" -}} z"), "x y z")

    def test_if_else_and_truthiness(self):
        t = "{{ if .Values.a }}yes{{ else if .Values.b }}b{{ else }}no{{ end }}"
        self.assertEqual(render(t, {"a": 0, "b": ""}), "no")
        self.assertEqual(render(t, {"a": {}, "b": "x"}), "b")
        self.assertEqual(render(t, {"a": [1]}), "yes")
        self.assertEqual(render("{{ if and .Values.a (not .Values.b) }}y{{ end }}", {"a": 1, "b": ""}), "y")

    def test_range_over_a_map_is_sorted(self):
        t = "{{- range $k, $v := .Values.m }}\n{{ $k }}: {{ $v | quote }}{{- end }}"
        self.assertEqual(render(t, {"m": {"b.c": 2, "a": "x"}}), '\na: "x"\nb.c: "2"')

    def test_default_include_nindent_toyaml(self):
        self.assertEqual(render("{{ .Values.tag | default .Chart.AppVersion }}", {"tag": ""}), "1.2.3")
        self.assertEqual(render("{{ .Values.tag | default .Chart.AppVersion }}", {"tag": "9"}), "9")
        h = '{{- define "l" -}}\na: {{ .Release.Name }}\nb: 2\n{{- end -}}'
        self.assertEqual(render("m:\n  {{- include \"l\" . | nindent 2 }}\n", defines_src=h), "m:\n  a: rel\n  b: 2\n")
        self.assertEqual(render("r:\n  {{- toYaml .Values.r | nindent 2 }}", {"r": {"y": 1, "x": [1]}}),
                         "r:\n  x:\n  - 1\n  y: 1")

    def test_unsupported_constructs_fail_loudly(self):
        for src in ["{{ with .Values.a }}{{ end }}", "{{ .Values.a | upper }}", "{{ if .Values.a }}",
                    "{{ template \"x\" . }}", "{{ $undefined }}"]:
            with self.assertRaises(TemplateError, msg=src):
                render(src, {"a": "x"})


if __name__ == "__main__":
    unittest.main()
