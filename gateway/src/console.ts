import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Route, StaticSite } from '@macpt/kit';
import { signDevToken } from './auth/dev-issuer.js';

/** How the console signs people in: the embedded issuer's personas, or the configured OIDC provider. */
export type ConsoleSignIn =
  | { mode: 'development' }
  | { mode: 'oidc'; issuer: string; clientId: string; scope: string; resource: string }
  | { mode: 'unavailable'; reason: string };

/** The console's sign-in, from the gateway's configuration. */
export function consoleSignIn(config: {
  OIDC_ISSUER?: string | undefined;
  OIDC_CLIENT_ID?: string | undefined;
  OIDC_SCOPE: string;
  OIDC_AUDIENCE: string;
  NODE_ENV: string;
}): ConsoleSignIn {
  if (!config.OIDC_ISSUER)
    return config.NODE_ENV === 'production'
      ? { mode: 'unavailable', reason: 'no identity provider is configured' }
      : { mode: 'development' };
  if (!config.OIDC_CLIENT_ID)
    return { mode: 'unavailable', reason: 'the console has no client at the identity provider (OIDC_CLIENT_ID)' };
  return {
    mode: 'oidc',
    issuer: config.OIDC_ISSUER,
    clientId: config.OIDC_CLIENT_ID,
    scope: config.OIDC_SCOPE,
    resource: config.OIDC_AUDIENCE,
  };
}

/**
 * The console's Content-Security-Policy: its own scripts and styles only (no inline script), talking to
 * this origin only (and, with a real provider, the provider's origin for discovery and the token
 * exchange), never framed.
 */
function consoleHeaders(signIn: ConsoleSignIn): Record<string, string> {
  const connect = signIn.mode === 'oidc' ? `'self' ${new URL(signIn.issuer).origin}` : "'self'";
  return {
    'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src ${connect}; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };
}

/** The built console (console/dist), served from the gateway's origin, or null when it has not been built. */
export function consoleSite(dir: string, signIn: ConsoleSignIn): StaticSite | null {
  return existsSync(join(dir, 'index.html')) ? { dir, headers: consoleHeaders(signIn) } : null;
}

/** `/auth/config`: how the console signs in (public: it names the provider and the console's public client only). */
export function signInRoutes(signIn: ConsoleSignIn, dataDir: string): Record<string, Route> {
  return {
    '/auth/config': async () => ({ status: 200, body: signIn }),
    // The development sign-in exists only with the embedded issuer, never in production.
    ...(signIn.mode === 'development' ? devSignInRoutes(dataDir) : {}),
  };
}

/**
 * Development sign-in for the console, with the embedded issuer only (never with a real OIDC provider, never
 * in production): the demo personas the launcher wrote, and a 15-minute token for one of them.
 */
function devSignInRoutes(dataDir: string): Record<string, Route> {
  const personas = () => {
    const file = join(dataDir, 'personas.json');
    return existsSync(file)
      ? (
          JSON.parse(readFileSync(file, 'utf8')) as {
            personas: {
              id: string;
              sub: string;
              name: string;
              role: string;
              agency: string;
              la: string | null;
              school?: string;
            }[];
          }
        ).personas
      : [];
  };
  return {
    '/dev/personas': async () => ({
      status: 200,
      body: {
        personas: personas().map(({ id, name, role, agency, la, school }) => ({
          id,
          name,
          role,
          agency,
          la,
          school: school ?? null,
        })),
      },
    }),
    '/dev/token': async (req, body) => {
      if (req.method !== 'POST') return { status: 405, body: { error: 'POST {"persona": "<id>"}' } };
      const p = personas().find((x) => x.id === (body as { persona?: unknown } | undefined)?.persona);
      if (!p) return { status: 404, body: { error: 'no such demo persona' } };
      // At most 15 minutes; shorter on request (the browser tests let one expire).
      const asked = Number((body as { ttlSeconds?: unknown } | undefined)?.ttlSeconds);
      const ttl = Number.isInteger(asked) && asked > 0 && asked < 900 ? asked : 900;
      const token = await signDevToken(
        dataDir,
        { sub: p.sub, name: p.name, role: p.role, agency: p.agency, la: p.la, school: p.school ?? null },
        { ttl: Math.floor(Date.now() / 1000) + ttl },
      );
      return { status: 200, body: { token } };
    },
  };
}
