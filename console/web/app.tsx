/** The console's page: a header with the target, a navigation bar, and the page of the address fragment. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { Session } from './api-types.ts';
import { getJson, RequestError } from './client.ts';
import { AlertsPage } from './pages/alerts.tsx';
import { DashboardPage } from './pages/dashboard.tsx';
import { FilePage } from './pages/file.tsx';
import { IngestionsPage } from './pages/ingestions.tsx';
import { OperationsPage } from './pages/operations.tsx';
import { UploadPage } from './pages/upload.tsx';
import { PAGES, parseRoute, type Route } from './routes.ts';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'upload':
      return <UploadPage schema={session.schema} />;
    case 'ingestions':
      return <IngestionsPage />;
    case 'file':
      return <FilePage pk={route.pk} />;
    case 'operations':
      return <OperationsPage />;
    case 'dashboard':
      return <DashboardPage />;
    case 'alerts':
      return <AlertsPage />;
  }
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    getJson<Session>('/api/session').then(setSession, (e: unknown) =>
      setProblem(e instanceof RequestError && (e.status === 401 || e.status === 403) ? e.message : `the console does not answer: ${String(e)}`),
    );
  }, []);
  useEffect(() => {
    const title = route.page === 'file' ? 'File' : PAGES.find((p) => p.page === route.page)?.title;
    document.title = `${title} · order-pipeline console`;
  }, [route]);
  const current = route.page === 'file' ? 'ingestions' : route.page;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header>
        <div class="brand">
          <strong>order-pipeline</strong> console
          {session && <span class={`target target-${session.target}`}>{session.target === 'local' ? 'local stack' : 'AWS'}</span>}
        </div>
        {session && <p class="muted target-line">{session.description}</p>}
        <nav aria-label="pages">
          {PAGES.map((p) => (
            <a key={p.page} href={`#/${p.page}`} aria-current={current === p.page ? 'page' : undefined}>
              {p.title}
            </a>
          ))}
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {problem ? (
          <p class="error" role="alert">
            {problem}
          </p>
        ) : session ? (
          <Page route={route} session={session} />
        ) : (
          <p aria-busy="true">connecting…</p>
        )}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
