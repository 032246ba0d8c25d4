// A real OpenID Connect provider (npm `oidc-provider`) for development and tests, on loopback only.
//
// It stands in for the agency's identity provider: `make run` starts it with the demo staff
// accounts, and the single sign-on tests start one of their own. Its sign-in page checks a
// username and password from the accounts file; everything else (authorization code + PKCE,
// signed ID tokens, userinfo, JWKS) is the library's own, unmodified.
//
// Usage:
//   node tools/dev-idp/server.mjs --port 0 --client-id ID --client-secret SECRET \
//     --redirect-uri URI [--redirect-uri URI ...] --accounts FILE [--jwks FILE]
// When it is listening it prints one line of JSON to stdout: {"issuer": "http://127.0.0.1:PORT"}.
// Accounts file: [{"sub", "password", "email", "given_name", "family_name", "groups": [...]}].
// JWKS file (optional): {"keys": [private RSA JWK with "kid"]}; a fresh key is made otherwise.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import './runtime-notice.mjs';
import { Provider } from 'oidc-provider';
// The library's own in-memory store, named on purpose: sign-ins at a development stand-in need
// not outlive it. (Left to its default, the library warns about it at every start.)
import { createMemoryAdapter } from 'oidc-provider/lib/adapters/memory_adapter.js';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    accounts: { type: 'string' },
    jwks: { type: 'string' },
  },
});

for (const name of ['client-id', 'client-secret', 'redirect-uri', 'accounts']) {
  if (!args[name]) {
    console.error(`dev-idp: --${name} is required`);
    process.exit(2);
  }
}
if (!['127.0.0.1', '::1', 'localhost'].includes(args.host)) {
  console.error('dev-idp: listens on loopback only');
  process.exit(2);
}

const accounts = new Map(
  JSON.parse(readFileSync(args.accounts, 'utf8')).map((account) => [account.sub, account]),
);

function signingKeys() {
  if (args.jwks) return JSON.parse(readFileSync(args.jwks, 'utf8'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev-idp', use: 'sig', alg: 'RS256' }] };
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function signInPage(uid, { username = '', error = '' } = {}) {
  const alert = error ? `<p role="alert" id="error">${escapeHtml(error)}</p>` : '';
  const described = error ? ' aria-describedby="error" aria-invalid="true"' : '';
  return page('Development identity provider: sign in', `
<p>This stands in for the agency's network sign-in on development machines.</p>${alert}
<form method="post" action="/interaction/${escapeHtml(uid)}">
<p><label for="username">Network username</label><br>
<input id="username" name="username" autocomplete="username" value="${escapeHtml(username)}"${described}></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password"${described}></p>
<p><button type="submit">Sign in</button></p>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

async function interaction(provider, req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(signInPage(uid));
  }
  const form = await readForm(req);
  const username = form.get('username') ?? '';
  const account = accounts.get(username);
  if (!account || account.password !== form.get('password')) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(signInPage(uid, { username, error: 'That username and password do not match.' }));
  }
  return provider.interactionFinished(req, res, { login: { accountId: account.sub } }, {
    mergeWithLastSubmission: false,
  });
}

const CLOCK_TOLERANCE_SECONDS = 15; // the library's default
const server = http.createServer();
server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const issuer = `http://${args.host}:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    // Its default adapter, made as the library makes it, with the same clock tolerance.
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    adapter: createMemoryAdapter(CLOCK_TOLERANCE_SECONDS),
    pkce: { required: () => true },
    jwks: signingKeys(),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'preferred_username'],
      groups: ['groups'],
    },
    features: { devInteractions: { enabled: false } },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 900, Session: 3600, Grant: 3600 },
    interactions: { url: (ctx, details) => `/interaction/${details.uid}` },
    // The portal is the agency's own application: no consent screen, every scope granted.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            email: account.email,
            email_verified: true,
            given_name: account.given_name,
            family_name: account.family_name,
            preferred_username: account.sub,
            groups: account.groups ?? [],
          };
        },
      };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in problem', `<p>${escapeHtml(out.error_description ?? out.error)}</p>`);
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url, issuer).pathname);
    if (!match) return callback(req, res);
    return interaction(provider, req, res, match[1]).catch((error) => {
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Sign-in problem', `<p>${escapeHtml(error.message)}</p>`));
    });
  });
  console.log(JSON.stringify({ issuer }));
});
