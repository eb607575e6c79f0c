/** Ingestions: the ledger's recent files, live (server-sent events), newest first. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Ingestion, IngestionList } from '../api-types.ts';
import { Announcer, ErrorNote, formatMs, num, Status, Table, utc } from '../components.tsx';
import { fileHref } from '../routes.ts';

/** The ingestions list, kept current by the server's event stream. */
export function useLiveIngestions(): { list: Ingestion[] | null; problem: string | null; changes: string } {
  const [list, setList] = useState<Ingestion[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [changes, setChanges] = useState('');
  const known = useRef(new Map<string, string>());
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.addEventListener('ingestions', (e) => {
      const next = (JSON.parse((e as MessageEvent<string>).data) as IngestionList).ingestions;
      const said: string[] = [];
      for (const i of next) {
        const before = known.current.get(i.item.pk);
        if (before !== undefined && before !== i.item.status) said.push(`${i.item.key}: ${i.item.status}`);
        if (before === undefined && known.current.size > 0) said.push(`new file ${i.item.key}: ${i.item.status}`);
        known.current.set(i.item.pk, i.item.status);
      }
      if (said.length > 0) setChanges(said.join('; '));
      setList(next);
      setProblem(null);
    });
    events.addEventListener('problem', (e) => setProblem((JSON.parse((e as MessageEvent<string>).data) as { error: string }).error));
    events.onerror = () => setProblem('lost the connection to the console; retrying…');
    return () => events.close();
  }, []);
  return { list, problem, changes };
}

export function IngestionsPage() {
  const { list, problem, changes } = useLiveIngestions();
  // The parts column only when a file was split (most lists have none).
  const anyParts = list?.some((i) => i.parts !== null) ?? false;
  return (
    <section aria-labelledby="ingestions-title">
      <h1 id="ingestions-title">Ingestions</h1>
      <p class="muted">Today's and yesterday's files (UTC), newest first; this list updates itself.</p>
      <ErrorNote error={problem} />
      <Announcer message={changes} />
      {list === null ? (
        <p aria-busy="true">loading…</p>
      ) : list.length === 0 ? (
        <p>No files today or yesterday. Drop some on the Upload page.</p>
      ) : (
        <Table
          stack
          caption="recent ingestions"
          head={['started (UTC)', 'file', 'status', ...(anyParts ? ['parts'] : []), 'rows', 'written', 'rejected', 'took', 'where it went / why / how far']}
        >
          {list.map(({ item, partsText, detail }) => (
            <tr key={item.pk}>
              <td class="nowrap" data-label="started (UTC)">
                {/* Today's and yesterday's only: the month and day say which. */}
                {utc(item.started_at).slice(5)}
              </td>
              <td class="key" data-label="file">
                <a href={fileHref(item.pk)}>{item.key}</a>
              </td>
              <td data-label="status">
                <Status word={item.status} />
              </td>
              {anyParts && <td data-label="parts">{partsText ?? '-'}</td>}
              <td class="num" data-label="rows">{num(item.rows)}</td>
              <td class="num" data-label="written">{num(item.written)}</td>
              <td class="num" data-label="rejected">{num(item.rejected)}</td>
              <td class="num" data-label="took">{formatMs(item.duration_ms)}</td>
              <td class="detail" data-label="where / why / how far">{detail}</td>
            </tr>
          ))}
        </Table>
      )}
    </section>
  );
}
