// The OpenID Provider of the e2e tests: the certified `oidc-provider`
// package, on 127.0.0.1 with an ephemeral port, started by
// tests/e2e/support/oidc.rs.
//
// It serves discovery, JWKS and a token endpoint issuing client-credentials
// JWT access tokens (RFC 8707 `resource` = the token's audience), with the
// clients given in the JSON file named by argv[2]. Beside the protocol, a
// test-only `/_admin/` API (never part of a real provider):
//   POST /_admin/rotate?keep=1   new signing keys (the old ones stay
//                                published with keep=1, are dropped without)
//   POST /_admin/sign            {payload, header?, alg?} → a compact JWS
//                                signed with the current key of that alg
//   POST /_admin/mode            {path, mode, ms?}: how `path` answers from
//                                now on: normal | malformed | huge | error |
//                                slow (ms of delay, then normal)
//   GET  /_admin/stats           {"<path>": requests served, …}
// On start it prints one JSON line {"issuer": …} on stdout.
import http from 'node:http';
import fs from 'node:fs';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const options = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ttl = options.access_token_ttl ?? 300;
const defaultResource = options.default_resource ?? 'urn:outpost:default';

async function newKeys() {
  const keys = [];
  for (const alg of ['RS256', 'ES256']) {
    const { privateKey } = await jose.generateKeyPair(alg, { extractable: true });
    const jwk = await jose.exportJWK(privateKey);
    jwk.alg = alg;
    jwk.use = 'sig';
    jwk.kid = `${alg.toLowerCase()}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    keys.push(jwk);
  }
  return keys;
}

let current = await newKeys();
let retired = [];
let provider;
const modes = new Map();
const stats = {};

function build(issuer) {
  const p = new Provider(issuer, {
    clients: options.clients ?? [],
    jwks: { keys: [...current, ...retired] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client, oneOf) => oneOf ?? defaultResource,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => ({
          scope: options.scopes ?? 'read write',
          audience: resource,
          accessTokenTTL: ttl,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraClientMetadata: { properties: ['extra_claims'] },
    // Claims a client's tokens carry besides the standard ones (roles…).
    extraTokenClaims: (ctx) => ctx.oidc.client?.extra_claims ?? undefined,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  });
  p.on('server_error', (ctx, err) => console.error('oidc server_error', err));
  return p;
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function admin(req, res, url, issuer) {
  if (url.pathname === '/_admin/rotate' && req.method === 'POST') {
    retired = url.searchParams.get('keep') === '1' ? current : [];
    current = await newKeys();
    provider = build(issuer);
    return json(res, 200, { kids: current.map((k) => k.kid) });
  }
  if (url.pathname === '/_admin/sign' && req.method === 'POST') {
    const { payload, header = {}, alg = 'RS256' } = JSON.parse(await readBody(req));
    const jwk = current.find((k) => k.alg === alg);
    if (!jwk) return json(res, 400, { error: `no key for ${alg}` });
    const key = await jose.importJWK(jwk, alg);
    const token = await new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg, typ: 'JWT', kid: jwk.kid, ...header })
      .sign(key);
    return json(res, 200, { token });
  }
  if (url.pathname === '/_admin/mode' && req.method === 'POST') {
    const { path, mode, ms } = JSON.parse(await readBody(req));
    modes.set(path, { mode, ms: ms ?? 0 });
    return json(res, 200, {});
  }
  if (url.pathname === '/_admin/stats') return json(res, 200, stats);
  return json(res, 404, {});
}

const server = http.createServer(async (req, res) => {
  try {
    const issuer = `http://127.0.0.1:${server.address().port}`;
    const url = new URL(req.url, issuer);
    if (url.pathname.startsWith('/_admin/')) return await admin(req, res, url, issuer);
    stats[url.pathname] = (stats[url.pathname] ?? 0) + 1;
    const m = modes.get(url.pathname);
    if (m) {
      switch (m.mode) {
        case 'malformed':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"keys": [ {"kty": "RSA", "n": ');
        case 'huge':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ keys: [], padding: 'x'.repeat(8 * 1024 * 1024) }));
        case 'error':
          return json(res, 503, { error: 'temporarily_unavailable' });
        case 'slow':
          await new Promise((r) => setTimeout(r, m.ms));
          break;
        default:
          break;
      }
    }
    provider.callback()(req, res);
  } catch (err) {
    console.error('oidc harness error', err);
    if (!res.headersSent) json(res, 500, { error: String(err) });
  }
});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = build(issuer);
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// The test process ending closes our stdin: exit with it (no orphans).
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
