#!/usr/bin/env bash
# Offline test of the Kubernetes deployment files (no cluster, no Helm):
#   1. renders the Helm chart deploy/helm/outpost with packaging/render_chart.py
#      (its default values, and each values file in deploy/helm/outpost/ci/)
#      and checks that deploy/kubernetes/*.yaml are exactly those renders;
#   2. checks what the docs promise of them (image pinned to the chart's
#      appVersion, Guaranteed QoS with integer CPUs when pinning, probes on
#      both status endpoints, read-only root, uid 1001);
#   3. validates every manifest, and a render with every optional branch on
#      (packaging/chart-all-features-values.yaml), with `kubernetes-validate
#      --strict` (unknown fields are errors), and checks that it does reject
#      an unknown field.
#
# Usage: packaging/test-deploy.sh [--update]   (--update rewrites
# deploy/kubernetes/ from the chart instead of failing on a difference).
# Installs kubernetes-validate (PyPI) with pip when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "test-deploy: $*"; }
fail() { echo "test-deploy: FAIL: $*" >&2; exit 1; }
UPDATE=false
[ "${1:-}" = --update ] && UPDATE=true

PY=${PYTHON:-python3}
if ! "$PY" -c 'import yaml, kubernetes_validate' 2>/dev/null; then
    say "installing kubernetes-validate"
    "$PY" -m pip install --quiet --disable-pip-version-check kubernetes-validate pyyaml >/dev/null \
        || fail "cannot install kubernetes-validate with pip"
fi
# As a module: a freshly pip-installed script may not be on PATH (pyenv shims).
KV=("$PY" -m kubernetes_validate)

"$PY" packaging/test_render_chart.py -q 2>&1 | tail -n 1 | grep -qx OK \
    || { "$PY" packaging/test_render_chart.py; fail "render_chart.py does not render Go templates as Helm does"; }
say "render_chart.py renders the Go-template subset as Helm does"

CHART=deploy/helm/outpost
WORK=$(mktemp -d /tmp/outpost-deploy-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# manifest file : values file ("" = the chart's defaults)
VARIANTS=(
    "outpost.yaml:"
    "outpost-cpu-pinning.yaml:$CHART/ci/cpu-pinning-values.yaml"
    "outpost-managed.yaml:$CHART/ci/managed-values.yaml"
)
for v in "${VARIANTS[@]}"; do
    file=${v%%:*} values=${v#*:}
    {
        echo "# Rendered from $CHART with ${values:-its default values}"
        echo "# by packaging/test-deploy.sh --update: edit the chart, not this file."
        "$PY" packaging/render_chart.py "$CHART" ${values:+"$values"}
    } > "$WORK/$file"
    if $UPDATE; then
        cp "$WORK/$file" "deploy/kubernetes/$file"
        say "wrote deploy/kubernetes/$file"
    elif ! diff -u "deploy/kubernetes/$file" "$WORK/$file" > "$WORK/diff"; then
        cat "$WORK/diff" >&2
        fail "deploy/kubernetes/$file differs from the chart's render (run packaging/test-deploy.sh --update)"
    fi
done
say "deploy/kubernetes/ matches the chart's renders"
# Every optional template branch, for validation only.
"$PY" packaging/render_chart.py "$CHART" packaging/chart-all-features-values.yaml > "$WORK/all-features.yaml"

"$PY" - "$CHART/Chart.yaml" "$WORK" <<'PY'
import glob, os, sys, yaml
app = str(yaml.safe_load(open(sys.argv[1]))["appVersion"])
def fail(msg):
    sys.exit(f"test-deploy: FAIL: {msg}")
def pods(docs):
    for d in docs:
        if d["kind"] in ("Deployment", "StatefulSet"):
            yield d["metadata"]["name"], d["spec"]["template"]["spec"]
for path in sorted(glob.glob(os.path.join(sys.argv[2], "outpost*.yaml"))):
    name = os.path.basename(path)
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    kinds = {d["kind"] for d in docs}
    for want in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "HorizontalPodAutoscaler"):
        if want not in kinds:
            fail(f"{name}: no {want}")
    for pod, spec in pods(docs):
        sc = spec["securityContext"]
        if sc.get("runAsUser") != 1001 or not sc.get("runAsNonRoot"):
            fail(f"{name}: {pod} must run as uid 1001")
        for c in spec["containers"]:
            if c["image"] != f"outpost:{app}":
                fail(f"{name}: {pod} image {c['image']} is not pinned to appVersion {app}")
            if not c["securityContext"].get("readOnlyRootFilesystem"):
                fail(f"{name}: {pod} needs a read-only root filesystem")
    gw = next(s for p, s in pods(docs) if p == "outpost")["containers"][0]
    paths = {gw[p]["httpGet"]["path"] for p in ("startupProbe", "livenessProbe", "readinessProbe")}
    if paths != {"/status-0123456789abcdef", "/internal-status-0123456789abcdef"}:
        fail(f"{name}: probes on {paths}")
    env = {e["name"] for e in gw.get("env", [])}
    cm = next(d for d in docs if d["kind"] == "ConfigMap")["data"]
    if cm.get("config.backup.path") != "/apim/config":
        fail(f"{name}: backup path")
    if "cpu-pinning" in name:
        r = gw["resources"]
        if r["requests"] != r["limits"] or not str(r["limits"]["cpu"]).isdigit():
            fail(f"{name}: not Guaranteed QoS with integer CPUs: {r}")
    if "managed" in name:
        if "config.service.endpoint" not in cm or "config.service.auth" not in env:
            fail(f"{name}: gateway not connected to the management plane")
        if not {"StatefulSet", "PersistentVolumeClaim"} <= kinds:
            fail(f"{name}: no management-plane StatefulSet or backup PVC")
docs = [d for d in yaml.safe_load_all(open(os.path.join(sys.argv[2], "all-features.yaml"))) if d]
secret = next((d for d in docs if d["kind"] == "Secret"), None)
gw = next(s for p, s in pods(docs) if p == "outpost")
ref = gw["containers"][0]["env"][0]["valueFrom"]["secretKeyRef"]
if not secret or ref["name"] != secret["metadata"]["name"] or ref["key"] not in secret["stringData"]:
    fail("all-features: the token Secret and the gateway's reference to it disagree")
if not any(v.get("secret", {}).get("secretName") == "outpost-tls" for v in gw["volumes"]):
    fail("all-features: the certificates Secret is not mounted")
PY
say "image pinned to appVersion, uid 1001, read-only root, probes, Guaranteed QoS when pinning"

# Negative control: --strict must reject an unknown field.
"$PY" - "$WORK/outpost.yaml" "$WORK/bad.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
dep = next(d for d in docs if d["kind"] == "Deployment")
dep["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
yaml.safe_dump(dep, open(sys.argv[2], "w"))
PY
if "${KV[@]}" --strict --quiet "$WORK/bad.yaml" > "$WORK/bad.out" 2>&1 \
    || ! grep -q "'readinesProbe' was unexpected" "$WORK/bad.out"; then
    cat "$WORK/bad.out" >&2
    fail "kubernetes-validate --strict did not reject an unknown field: the validation proves nothing"
fi
"${KV[@]}" --strict --quiet deploy/kubernetes/*.yaml "$WORK/all-features.yaml" \
    || fail "kubernetes-validate --strict rejected a manifest"
say "kubernetes-validate --strict: all manifests valid (and a misspelt field is rejected)"
say "OK"
