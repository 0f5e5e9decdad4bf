import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

/** Who the provider can sign in: an account id (typed at its login form) and the claims the gateway reads. */
export interface Account {
  sub: string;
  name: string;
  role: string;
  agency: string;
  la: string | null;
  school?: string | null;
}

/**
 * A real OpenID provider in this process (panva's certified `oidc-provider`, with its own development
 * login form: any password), for the console's production sign-in: authorization code with PKCE for a
 * public client, and an ES256 JWT access token for the gateway's audience carrying the claims the gateway
 * reads. Loopback only.
 */
export async function startOidcProvider(options: {
  clientId: string;
  redirectUri: string;
  audience: string;
  scope: string;
  accounts: Account[];
}): Promise<{ issuer: string; jwksUrl: string; close: () => Promise<void> }> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'test-provider', alg: 'ES256', use: 'sig' };
  const byId = new Map(options.accounts.map((a) => [a.sub, a]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        token_endpoint_auth_method: 'none',
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [jwk] },
    ttl: { AuthorizationCode: 60, AccessToken: 900, IdToken: 900, Interaction: 600, Session: 900, Grant: 900 },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== options.audience) throw new Error(`unknown resource ${resource}`);
          return {
            scope: options.scope,
            audience: options.audience,
            accessTokenTTL: 900,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    // The gateway reads these claims from the access token.
    extraTokenClaims: (_ctx, token) => {
      const account = 'accountId' in token ? byId.get(token.accountId) : undefined;
      return account
        ? {
            name: account.name,
            role: account.role,
            agency: account.agency,
            la: account.la,
            school: account.school ?? null,
          }
        : undefined;
    },
    findAccount: (_ctx, id) => {
      const account = byId.get(id);
      return account ? { accountId: id, claims: () => ({ sub: id, name: account.name }) } : undefined;
    },
    claims: { openid: ['sub'], profile: ['name'] },
    // A first-party client: no consent screen (the grant is made as the user signs in).
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid profile');
      grant.addResourceScope(options.audience, options.scope);
      await grant.save();
      return grant;
    },
    clientBasedCORS: (_ctx, origin) => origin === new URL(options.redirectUri).origin,
  });
  server.on('request', provider.callback());
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
