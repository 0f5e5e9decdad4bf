import { useEffect, useState } from 'react';

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

/** Development sign-in: pick a demo persona (the embedded issuer signs a 15-minute token for it). */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
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
      {error && (
        <div className="govuk-error-summary" data-module="govuk-error-summary">
          <div role="alert">
            <h2 className="govuk-error-summary__title">There is a problem</h2>
            <div className="govuk-error-summary__body">
              <ul className="govuk-list govuk-error-summary__list">
                <li>
                  <a href="#persona">{error}</a>
                </li>
              </ul>
            </div>
          </div>
        </div>
      )}
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
