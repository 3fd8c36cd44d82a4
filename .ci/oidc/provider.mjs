// A real OpenID Connect provider (panva/node-oidc-provider, pinned in package.json) on loopback, for
// the portal's single sign-on tests and for clicking through locally. Never for production: the
// accounts, passwords, client secrets and signing keys below are published test values.
//
//   node .ci/oidc/provider.mjs            (after `npm ci --prefix .ci/oidc`)
//
// Environment: OIDC_TEST_PORT (9400), OIDC_TEST_HOST (127.0.0.1). The issuer is http://HOST:PORT.
//
// Clients: "spbe-portal" (confidential, client_secret_basic, PKCE S256 required) whose redirect URI is
// any http://127.0.0.1|localhost|testserver[:port]/akun/sso/callback/ (the test live server's port is
// random), and "other-app", a second client whose tokens the portal must refuse (wrong audience).
//
// Sign-in: a small form of our own (user name + password), no consent page for these first-party
// clients. Every account's password is "rahasia-sso".
import * as http from 'node:http';
import * as querystring from 'node:querystring';

import Provider from 'oidc-provider';

const HOST = process.env.OIDC_TEST_HOST || '127.0.0.1';
const PORT = Number(process.env.OIDC_TEST_PORT || 9400);
const ISSUER = `http://${HOST}:${PORT}`;
const PASSWORD = 'rahasia-sso';
const REDIRECT_PATTERN = /^http:\/\/(127\.0\.0\.1|localhost|testserver)(:\d{1,5})?\/akun\/sso\/callback\/$/;
const POST_LOGOUT_PATTERN = /^http:\/\/(127\.0\.0\.1|localhost|testserver)(:\d{1,5})?\/akun\/masuk\/$/;
const SCOPE = 'openid email profile nip';

// sub → claims. The NIPs and e-mail addresses are those the tests (and the demo accounts) use.
export const ACCOUNTS = {
  'asn-siti': {
    email: 'siti.aminah@rejanglebongkab.go.id', email_verified: true, name: 'Siti Aminah', nip: '198703122010012001',
  },
  'asn-rahmat': {
    email: 'reviewer.provinsi@spbe.bengkuluprov.go.id', email_verified: true, name: 'Rahmat Hidayat', nip: '',
  },
  'asn-unverified': {
    email: 'reviewer.provinsi@spbe.bengkuluprov.go.id', email_verified: false, name: 'Belum Terverifikasi', nip: '',
  },
  'asn-dedi': {
    email: 'dedi.saputra@kepahiangkab.go.id', email_verified: true, name: 'Dedi Saputra', nip: '199001012015031002',
  },
  'asn-budi': {
    email: 'budi.santoso@bengkulutengahkab.go.id', email_verified: true, name: 'Budi Santoso', nip: '198512312011011003',
  },
  'asn-yuliana': {
    email: 'yuliana.putri@lebongkab.go.id', email_verified: true, name: 'Yuliana Putri', nip: '199205052019032004',
  },
};

const configuration = {
  clients: [
    {
      client_id: 'spbe-portal',
      client_secret: 'spbe-portal-test-secret',
      redirect_uris: ['http://127.0.0.1/akun/sso/callback/'],
      post_logout_redirect_uris: ['http://127.0.0.1/'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: SCOPE,
    },
    {
      client_id: 'other-app',
      client_secret: 'other-app-test-secret',
      redirect_uris: ['http://127.0.0.1/akun/sso/callback/'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: SCOPE,
    },
  ],
  scopes: ['openid', 'email', 'profile', 'nip'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    nip: ['nip'],
  },
  // Claims asked for by scope go into the ID token too, so the portal reads them from the signed token.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    // The portal's sign-out sends the browser here (RP-Initiated Logout); a page of our own, nothing fetched.
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Test ASN identity provider</title></head>
<body><main><h1>Sign out of the test ASN identity provider?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button></main></body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['spbe-portal-test-provider-cookie-key'] },
  ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 3600, Grant: 3600 },
  async findAccount(ctx, sub) {
    if (!Object.hasOwn(ACCOUNTS, sub)) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { nip, ...rest } = ACCOUNTS[sub];
        return nip ? { sub, nip, ...rest } : { sub, ...rest };
      },
    };
  },
  // First-party clients: the grant is given at sign-in, no consent page.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(SCOPE);
    await grant.save();
    return grant;
  },
};

const provider = new Provider(ISSUER, configuration);

// The test live server listens on a random port: accept the portal's callback path (and, after signing
// out, its login page) on loopback at any port.
const { redirectUriAllowed, postLogoutRedirectUriAllowed } = provider.Client.prototype;
provider.Client.prototype.redirectUriAllowed = function allowed(value) {
  return REDIRECT_PATTERN.test(value) || redirectUriAllowed.call(this, value);
};
provider.Client.prototype.postLogoutRedirectUriAllowed = function allowed(value) {
  return POST_LOGOUT_PATTERN.test(value) || postLogoutRedirectUriAllowed.call(this, value);
};

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function loginPage(uid, message = '') {
  return `<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Test ASN identity provider</title></head>
<body><main><h1>Test ASN identity provider</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" required></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password" required></p>
<p><button type="submit">Sign in</button></p>
</form></main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) break;
  }
  return querystring.parse(body);
}

async function interaction(req, res) {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return false;
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid));
    return true;
  }
  const form = await readForm(req);
  if (!Object.hasOwn(ACCOUNTS, form.username) || form.password !== PASSWORD) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(details.uid, 'Wrong username or password.'));
    return true;
  }
  await provider.interactionFinished(req, res, { login: { accountId: form.username } }, { mergeWithLastSubmission: false });
  return true;
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  try {
    if (req.url.startsWith('/interaction/') && await interaction(req, res)) return;
    callback(req, res);
  } catch (error) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`error: ${error.message}`);
  }
});
server.listen(PORT, HOST, () => {
  console.log(`test OpenID Connect provider listening at ${ISSUER}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
