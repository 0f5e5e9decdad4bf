import { useCallback, useEffect, useRef, useState } from 'react';
import type { Failure } from './api.js';
import { Caseload } from './views/Caseload.js';
import { FiguresPage } from './views/Figures.js';
import { FindChild } from './views/FindChild.js';
import { IgReview } from './views/IgReview.js';
import { Notifications, useInbox } from './views/Notifications.js';
import { SignIn, type Session } from './views/SignIn.js';

/** Roles that may list their LA's caseload (the policies' CASELOAD_ROLES). */
const MACPT = ['LCPP', 'SOCIAL_WORKER', 'MACPT_POLICE', 'MACPT_HEALTH', 'MACPT_EDUCATION'];

/** Roles that see their LA's partnership figures (the policies' FIGURES_ROLES); a board sees nothing else. */
const FIGURES = ['LCPP', 'PARTNERSHIP_BOARD'];

/** Signed-in sessions end after 15 minutes without use, and every child's data leaves the page with them. */
const IDLE_MS = 15 * 60 * 1000;

/** The console: sign-in, then the practitioner's or the IG lead's pages. Nothing is kept outside this page's memory. */
export function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [page, setPage] = useState<'find' | 'caseload' | 'notifications' | 'figures'>('find');
  const idle = useRef<number | undefined>(undefined);

  const signOut = useCallback((why: string | null) => {
    setSession(null);
    setPage('find');
    setNotice(why);
  }, []);

  // Any use of the page keeps the session; 15 minutes without it signs out.
  useEffect(() => {
    if (!session) return;
    const reset = () => {
      window.clearTimeout(idle.current);
      idle.current = window.setTimeout(
        () => signOut('You were signed out after 15 minutes without activity. Nothing you saw is kept.'),
        IDLE_MS,
      );
    };
    reset();
    for (const event of ['keydown', 'pointerdown', 'scroll'] as const)
      window.addEventListener(event, reset, { passive: true });
    return () => {
      window.clearTimeout(idle.current);
      for (const event of ['keydown', 'pointerdown', 'scroll'] as const) window.removeEventListener(event, reset);
    };
  }, [session, signOut]);

  const onFailure = useCallback(
    (failure: Failure) => {
      if (failure.kind === 'signed-out') signOut(`You have been signed out: ${failure.message}`);
    },
    [signOut],
  );
  const inbox = useInbox(session, onFailure);
  const board = session?.user.role === 'PARTNERSHIP_BOARD';

  return (
    <>
      <a href="#main-content" className="govuk-skip-link">
        Skip to main content
      </a>
      <header className="govuk-header" role="banner">
        <div className="govuk-header__container govuk-width-container">
          <div className="govuk-header__logo">
            <span className="govuk-header__link govuk-header__service-name">MACPT information sharing</span>
          </div>
          {session && (
            <div className="govuk-header__content macpt-no-print">
              <span className="govuk-body-s" style={{ color: 'white' }}>
                {session.user.name} — {session.user.role}, {session.user.agency}
                {session.user.la ? `, ${session.user.la}` : ''}{' '}
              </span>
              <button
                type="button"
                className="govuk-button govuk-button--secondary govuk-!-margin-bottom-0 govuk-!-margin-left-2"
                onClick={() => signOut('You have signed out. Nothing you saw is kept.')}
              >
                Sign out
              </button>
            </div>
          )}
        </div>
      </header>
      {session && session.user.role !== 'IG_LEAD' && (
        <nav aria-label="Menu" className="govuk-service-navigation macpt-no-print">
          <div className="govuk-width-container">
            <ul className="govuk-service-navigation__list">
              {(board
                ? ([['figures', 'Partnership figures']] as const)
                : ([
                    ['find', 'Find a child'],
                    ...(MACPT.includes(session.user.role) ? ([['caseload', 'Caseload']] as const) : []),
                    ['notifications', 'Notifications'],
                    ...(FIGURES.includes(session.user.role) ? ([['figures', 'Partnership figures']] as const) : []),
                  ] as const)
              ).map(([key, text]) => (
                <li
                  key={key}
                  className={`govuk-service-navigation__item${page === key ? ' govuk-service-navigation__item--active' : ''}`}
                >
                  <button
                    type="button"
                    className="govuk-service-navigation__link macpt-sort"
                    aria-current={page === key ? 'page' : undefined}
                    onClick={() => setPage(key)}
                  >
                    {text}
                    {key === 'notifications' && (inbox.inbox?.unread ?? 0) > 0 && (
                      <span className="macpt-count"> ({inbox.inbox!.unread} unread)</span>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          </div>
        </nav>
      )}
      <div className="govuk-width-container">
        <main className="govuk-main-wrapper" id="main-content" role="main">
          {notice && (
            <div className="govuk-notification-banner" role="region" aria-labelledby="notice-title">
              <div className="govuk-notification-banner__header">
                <h2 className="govuk-notification-banner__title" id="notice-title">
                  Important
                </h2>
              </div>
              <div className="govuk-notification-banner__content">
                <p className="govuk-notification-banner__heading">{notice}</p>
              </div>
            </div>
          )}
          {!session && (
            <SignIn
              onSignedIn={(s) => {
                setNotice(null);
                setSession(s);
              }}
            />
          )}
          {session && session.user.role === 'IG_LEAD' && <IgReview session={session} onFailure={onFailure} />}
          {session && FIGURES.includes(session.user.role) && (page === 'figures' || board) && (
            <FiguresPage session={session} onFailure={onFailure} />
          )}
          {session && session.user.role !== 'IG_LEAD' && !board && page === 'find' && (
            <FindChild session={session} onFailure={onFailure} />
          )}
          {session && page === 'caseload' && MACPT.includes(session.user.role) && (
            <Caseload session={session} onFailure={onFailure} />
          )}
          {session && page === 'notifications' && session.user.role !== 'IG_LEAD' && !board && (
            <Notifications session={session} inbox={inbox.inbox} reload={inbox.reload} onFailure={onFailure} />
          )}
        </main>
      </div>
    </>
  );
}
