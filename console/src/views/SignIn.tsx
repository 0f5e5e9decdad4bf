import { useEffect, useRef, useState } from 'react';
import { ErrorSummary } from './ErrorSummary.js';
import type { OidcConfig } from '../oidc.js';

/** The OpenID Connect client, loaded only where a real provider is configured. */
const oidc = () => import('../oidc.js');

/** True when this page load is the provider's answer to a sign-in (the `code`/`error` and `state` it sends back). */
const isSignInAnswer = () => {
  const params = new URLSearchParams(window.location.search);
  return (params.has('code') || params.has('error')) && params.has('state');
};

/** A signed-in user: the token lives in this object, in memory, and nowhere else. */
export interface Session {
  token: string;
  user: { id: string; name: string; role: string; agency: string; la: string | null };
}

interface Persona {
  id: string;
  name: string;
  role: string;
  agency: string;
  la: string | null;
  school: string | null;
}

/** How this gateway signs people in (its `/auth/config`). */
type SignInConfig = { mode: 'development' } | ({ mode: 'oidc' } & OidcConfig) | { mode: 'unavailable'; reason: string };

/** Sign-in as the gateway is configured: the organisation's identity provider, or development personas. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [config, setConfig] = useState<SignInConfig | 'failed' | null>(null);
  useEffect(() => {
    void fetch('/auth/config', { cache: 'no-store' })
      .then((r) => (r.ok ? (r.json() as Promise<SignInConfig>) : Promise.reject(new Error(String(r.status)))))
      .then(setConfig, () => setConfig('failed'));
  }, []);
  if (config === null) return <p className="govuk-body">Loading…</p>;
  if (config === 'failed')
    return (
      <Unavailable why="the gateway could not be reached to find out how to sign in. Reload the page to try again" />
    );
  if (config.mode === 'unavailable') return <Unavailable why={config.reason} />;
  if (config.mode === 'oidc') return <ProviderSignIn config={config} onSignedIn={onSignedIn} />;
  return <PersonaSignIn onSignedIn={onSignedIn} />;
}

function Unavailable({ why }: { why: string }) {
  return (
    <>
      <h1 className="govuk-heading-l">Sign in</h1>
      <p className="govuk-body">Signing in is not possible: {why}.</p>
    </>
  );
}

/**
 * Production sign-in: OpenID Connect authorization code with PKCE at the organisation's provider. The
 * access token it returns is kept in memory only; a reload or sign-out forgets it.
 */
function ProviderSignIn({ config, onSignedIn }: { config: OidcConfig; onSignedIn: (session: Session) => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(isSignInAnswer());
  const answered = useRef(false);

  useEffect(() => {
    if (!isSignInAnswer() || answered.current) return;
    answered.current = true;
    oidc()
      .then(async ({ completeSignIn, claimsOf }) => ({ token: await completeSignIn(config), claimsOf }))
      .then(
        ({ token, claimsOf }) => {
          const c = claimsOf(token);
          onSignedIn({ token, user: { id: c.sub, name: c.name, role: c.role, agency: c.agency, la: c.la ?? null } });
        },
        (e: unknown) => {
          setBusy(false);
          setError(`Sign-in did not complete: ${e instanceof Error ? e.message : String(e)}`);
        },
      );
  }, [config, onSignedIn]);

  const start = () => {
    setBusy(true);
    setError(null);
    oidc()
      .then(({ beginSignIn }) => beginSignIn(config))
      .catch((e: unknown) => {
        setBusy(false);
        setError(
          `The identity provider could not be reached: ${e instanceof Error ? e.message : String(e)}. Try again.`,
        );
      });
  };

  return (
    <>
      <h1 className="govuk-heading-l">Sign in</h1>
      {error && <ErrorSummary problems={error} />}
      {busy ? (
        <p className="govuk-body">Signing you in…</p>
      ) : (
        <>
          <p className="govuk-body">Sign in with your organisation's account. You will be returned here.</p>
          <button type="button" className="govuk-button govuk-button--start" onClick={start}>
            Sign in with your organisation's account
          </button>
        </>
      )}
    </>
  );
}

/** Development sign-in: pick a demo persona (the embedded issuer signs a 15-minute token for it). */
function PersonaSignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [personas, setPersonas] = useState<Persona[] | null>(null);
  const [chosen, setChosen] = useState('');
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void fetch('/dev/personas', { cache: 'no-store' })
      .then((r) =>
        r.ok ? (r.json() as Promise<{ personas: Persona[] }>) : Promise.reject(new Error(String(r.status))),
      )
      .then(
        (body) => setPersonas(body.personas),
        () => setPersonas([]),
      );
  }, []);

  const signIn = async (event: React.FormEvent) => {
    event.preventDefault();
    const persona = personas?.find((p) => p.id === chosen);
    if (!persona) return setError('Select a persona');
    const response = await fetch('/dev/token', {
      method: 'POST',
      cache: 'no-store',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ persona: persona.id }),
    });
    if (!response.ok) return setError('The development issuer did not sign a token for this persona');
    const { token } = (await response.json()) as { token: string };
    onSignedIn({
      token,
      user: { id: persona.id, name: persona.name, role: persona.role, agency: persona.agency, la: persona.la },
    });
  };

  if (personas === null) return <p className="govuk-body">Loading…</p>;
  if (personas.length === 0) {
    return (
      <>
        <h1 className="govuk-heading-l">Sign in</h1>
        <p className="govuk-body">
          This gateway signs people in through your organisation's identity provider. Development personas are not
          available here.
        </p>
      </>
    );
  }
  return (
    <form onSubmit={signIn} noValidate>
      <h1 className="govuk-heading-l">Sign in</h1>
      {error && <ErrorSummary problems={[['persona', error]]} />}
      <div className={`govuk-form-group${error ? ' govuk-form-group--error' : ''}`}>
        <label className="govuk-label govuk-label--m" htmlFor="persona">
          Persona
        </label>
        <div className="govuk-hint" id="persona-hint">
          Development sign-in: demo users of the synthetic world, with their role, agency and local authority.
        </div>
        <select
          className="govuk-select"
          id="persona"
          aria-describedby="persona-hint"
          value={chosen}
          onChange={(e) => setChosen(e.target.value)}
        >
          <option value="">Choose a persona</option>
          {personas.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} — {p.role}, {p.agency}
              {p.la ? `, ${p.la}` : ''}
              {p.school ? ` (school ${p.school})` : ''} [{p.id}]
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="govuk-button">
        Sign in
      </button>
    </form>
  );
}
