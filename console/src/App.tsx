import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, Redirect, Route, Router, Switch, useLocation } from 'wouter';
import { useHashLocation } from 'wouter/use-hash-location';
import type { Failure } from './api.js';
import { listsCaseload, opensChildRecords, reviewsLog, seesFigures } from './rules.js';
import { Caseload } from './views/Caseload.js';
import { FiguresPage } from './views/Figures.js';
import { FindChild } from './views/FindChild.js';
import { IgReview } from './views/IgReview.js';
import { Notifications, useInbox } from './views/Notifications.js';
import { SignIn, type Session } from './views/SignIn.js';

/** Signed-in sessions end after 15 minutes without use, and every child's data leaves the page with them. */
const IDLE_MS = 15 * 60 * 1000;

/**
 * The console: sign-in, then the practitioner's or the IG lead's pages, each at its own address in the
 * page's fragment (`#/caseload`), so the browser's back and forward buttons move between them. The
 * addresses name pages only, never a child: what was asked lives in this page's memory alone.
 */
export function App() {
  return (
    <Router hook={useHashLocation}>
      <Console />
    </Router>
  );
}

function Console() {
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [location, navigate] = useLocation();
  const idle = useRef<number | undefined>(undefined);

  const signOut = useCallback(
    (why: string | null) => {
      setSession(null);
      navigate('/', { replace: true });
      setNotice(why);
    },
    [navigate],
  );

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
  const role = session?.user.role ?? '';
  // Who may do what is read from policies/ (generated into RULES), not copied by hand.
  const reviewer = reviewsLog(role);
  const opensChildren = opensChildRecords(role);
  const pages: (readonly [path: string, text: string])[] = [
    ...(opensChildren ? ([['/', 'Find a child']] as const) : []),
    ...(listsCaseload(role) ? ([['/caseload', 'Caseload']] as const) : []),
    ...(opensChildren ? ([['/notifications', 'Notifications']] as const) : []),
    ...(seesFigures(role) ? ([['/figures', 'Partnership figures']] as const) : []),
  ];

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
      {session && !reviewer && (
        <nav aria-label="Menu" className="govuk-service-navigation macpt-no-print">
          <div className="govuk-width-container">
            <ul className="govuk-service-navigation__list">
              {pages.map(([path, text]) => (
                <li
                  key={path}
                  className={`govuk-service-navigation__item${location === path ? ' govuk-service-navigation__item--active' : ''}`}
                >
                  <Link
                    href={path}
                    className="govuk-service-navigation__link"
                    aria-current={location === path ? 'page' : undefined}
                  >
                    {text}
                    {path === '/notifications' && (inbox.inbox?.unread ?? 0) > 0 && (
                      <span className="macpt-count"> ({inbox.inbox!.unread} unread)</span>
                    )}
                  </Link>
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
          {session && reviewer && <IgReview session={session} onFailure={onFailure} />}
          {session && !reviewer && (
            <Switch>
              {opensChildren && (
                <Route path="/">
                  <FindChild session={session} onFailure={onFailure} />
                </Route>
              )}
              {listsCaseload(role) && (
                <Route path="/caseload">
                  <Caseload session={session} onFailure={onFailure} />
                </Route>
              )}
              {opensChildren && (
                <Route path="/notifications">
                  <Notifications session={session} inbox={inbox.inbox} reload={inbox.reload} onFailure={onFailure} />
                </Route>
              )}
              {seesFigures(role) && (
                <Route path="/figures">
                  <FiguresPage session={session} onFailure={onFailure} />
                </Route>
              )}
              <Route>
                <Redirect to={pages[0]?.[0] ?? '/'} replace />
              </Route>
            </Switch>
          )}
        </main>
      </div>
    </>
  );
}
