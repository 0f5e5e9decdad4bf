import { describe, expect, it } from 'vitest';
import { gatewayConfig } from './config.js';

describe('gateway configuration', () => {
  it('refuses to switch protections off outside a benchmark', () => {
    expect(() => gatewayConfig({ POLICY_ENFORCEMENT: 'off' })).toThrow(/benchmarks only and needs NODE_ENV=benchmark/);
    expect(() =>
      gatewayConfig({
        DISCLOSURE_LOG: 'off',
        NODE_ENV: 'production',
        OIDC_ISSUER: 'x',
        OIDC_JWKS_URL: 'https://idp.invalid/jwks',
      }),
    ).toThrow(/benchmarks only/);
    expect(gatewayConfig({ POLICY_ENFORCEMENT: 'off', DISCLOSURE_LOG: 'off', NODE_ENV: 'benchmark' })).toMatchObject({
      POLICY_ENFORCEMENT: 'off',
      DISCLOSURE_LOG: 'off',
    });
  });

  it('requires a real OIDC provider in production, and requires registered operations there by default', () => {
    expect(() => gatewayConfig({ NODE_ENV: 'production' })).toThrow(
      /OIDC_JWKS_URL: production needs a real OIDC provider/,
    );
    expect(
      gatewayConfig({
        NODE_ENV: 'production',
        OIDC_ISSUER: 'https://idp.invalid',
        OIDC_JWKS_URL: 'https://idp.invalid/jwks',
      }).trustedDocuments,
    ).toBe('required');
    expect(gatewayConfig({}).trustedDocuments).toBe('allow');
  });

  it("needs the issuer's URL for the console's sign-in (the browser goes there)", () => {
    expect(() =>
      gatewayConfig({ OIDC_ISSUER: 'urn:corp:idp', OIDC_JWKS_URL: 'https://idp.invalid/jwks', OIDC_CLIENT_ID: 'c' }),
    ).toThrow(/OIDC_ISSUER: the console signs in at the issuer/);
    expect(
      gatewayConfig({
        OIDC_ISSUER: 'https://idp.invalid',
        OIDC_JWKS_URL: 'https://idp.invalid/jwks',
        OIDC_CLIENT_ID: 'c',
      }).OIDC_CLIENT_ID,
    ).toBe('c');
  });

  it('says what was expected and what was got', () => {
    expect(() => gatewayConfig({ PORT: 'eighty', MAX_DEPTH: '-1' })).toThrow(
      /PORT: .*\(got "eighty"\)[\s\S]*MAX_DEPTH: .*\(got "-1"\)/,
    );
  });

  it('keeps notification items 30 days unless told otherwise, and refuses a retention that is not a duration', () => {
    expect(gatewayConfig({}).NOTIFICATION_ITEM_RETENTION_MS).toBe(30 * 86_400_000);
    expect(gatewayConfig({ NOTIFICATION_ITEM_RETENTION_MS: '600000' }).NOTIFICATION_ITEM_RETENTION_MS).toBe(600_000);
    for (const bad of ['10', '30d', '-1', String(11 * 365 * 86_400_000)])
      expect(() => gatewayConfig({ NOTIFICATION_ITEM_RETENTION_MS: bad })).toThrow(/NOTIFICATION_ITEM_RETENTION_MS/);
  });

  it('reads per-agency URL and timeout overrides', () => {
    const config = gatewayConfig({ POLICE_URL: 'http://127.0.0.1:9999/graphql', SOCIAL_CARE_TIMEOUT_MS: '750' });
    expect(config.urlOverrides).toEqual({ police: 'http://127.0.0.1:9999/graphql' });
    expect(config.timeoutOverrides).toEqual({ 'social-care': 750 });
  });
});
