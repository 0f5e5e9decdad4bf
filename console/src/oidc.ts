import * as oauth from 'oauth4webapi';

/** The configured provider, as the gateway's `/auth/config` names it. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scope: string;
  /** The gateway's audience: asked for as the access token's resource (RFC 8707) when it is a URI. */
  resource: string;
}

/**
 * What must survive the trip to the provider and back: the PKCE verifier, state and nonce. It is kept in
 * `sessionStorage` for that trip only (the page is reloaded by the redirect) and removed as the answer
 * arrives; it holds no token and nothing about a child. Tokens themselves live in memory only.
 */
const PENDING = 'macpt-sign-in-pending';

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
}

/** Plain HTTP only for a provider on this machine (the tests'); a real provider is HTTPS. */
const insecureFor = (issuer: URL) =>
  issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);

async function discover(config: OidcConfig): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: 'oidc',
    [oauth.allowInsecureRequests]: insecureFor(issuer),
  });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Where the provider sends the browser back: the console itself. */
const redirectUri = () => `${window.location.origin}/`;

/** Sends the browser to the provider: authorization code with PKCE (S256), state and nonce. */
export async function beginSignIn(config: OidcConfig): Promise<void> {
  const as = await discover(config);
  if (!as.authorization_endpoint) throw new Error('the identity provider has no authorization endpoint');
  const pending: Pending = {
    verifier: oauth.generateRandomCodeVerifier(),
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
  };
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', config.scope);
  if (URL.canParse(config.resource)) url.searchParams.set('resource', config.resource);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', pending.state);
  url.searchParams.set('nonce', pending.nonce);
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  window.location.assign(url.href);
}

/**
 * Completes a sign-in: checks the answer's state, exchanges the code (with the PKCE verifier) for tokens,
 * checks the ID token's nonce, and returns the access token. The code leaves the address bar and the
 * pending verifier leaves storage whatever happens.
 */
export async function completeSignIn(config: OidcConfig): Promise<string> {
  const answer = new URL(window.location.href);
  const stored = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  window.history.replaceState(null, '', '/');
  if (!stored) throw new Error('this sign-in was not started here (or was already completed); sign in again');
  const pending = JSON.parse(stored) as Pending;
  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  const params = oauth.validateAuthResponse(as, client, answer, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    params,
    redirectUri(),
    pending.verifier,
    {
      additionalParameters: URL.canParse(config.resource) ? { resource: config.resource } : {},
      [oauth.allowInsecureRequests]: insecureFor(new URL(config.issuer)),
    },
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
    expectedNonce: pending.nonce,
    requireIdToken: true,
  });
  return tokens.access_token;
}

/** The claims the gateway reads, from the access token (shown on the page only; the gateway verifies them). */
export function claimsOf(token: string): {
  sub: string;
  name: string;
  role: string;
  agency: string;
  la?: string | null;
} {
  const payload = token.split('.')[1] ?? '';
  const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}
