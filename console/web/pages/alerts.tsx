/** Alerts: the e-mails the local stack captured from the alerts topic, newest first. */
import type { AlertList } from '../api-types.ts';
import { getJson } from '../client.ts';
import { ErrorNote, usePolling } from '../components.tsx';

export function AlertsPage() {
  const { value: list, error } = usePolling(() => getJson<AlertList>('/api/alerts'), 5000);
  return (
    <section aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <ErrorNote error={error} />
      {list && <p class="muted">{list.note}</p>}
      {list?.available && list.emails.length === 0 && <p>No alert e-mails yet (alerts are sent for PARTIAL, FAILED and DUPLICATE files).</p>}
      <ul class="mails">
        {list?.emails.map((m) => (
          <li key={m.number}>
            <details>
              <summary>
                <span class="muted">#{m.number}</span> {m.subject} <span class="muted">{m.date}</span>
              </summary>
              <pre class="mail">{m.text}</pre>
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}
