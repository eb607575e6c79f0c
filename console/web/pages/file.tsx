/**
 * One file: its ledger record in plain words, downloads, the rejected rows (filter by column and
 * kind of reason, text search, paged: the server reads the errors report) and the alert it sent.
 */
import { useState } from 'preact/hooks';
import type { FileDetail, LedgerItem, ReportPage } from '../api-types.ts';
import { downloadHref, getJson, postJson } from '../client.ts';
import { ConfirmButton, ErrorNote, formatBytes, formatMs, num, Status, Table, usePolling, utc } from '../components.tsx';

const PAGE_SIZE = 50;

/** What happened to the file, in one sentence. */
function plainWords(item: LedgerItem): string {
  switch (item.status) {
    case 'PROCESSED':
      return `All ${num(item.rows)} data rows were written.`;
    case 'PARTIAL':
      return `${num(item.written)} of ${num(item.rows)} data rows were written; ${num(item.rejected)} were rejected and are listed below.`;
    case 'DUPLICATE':
      return 'The same bytes were already processed, so nothing was written again.';
    case 'FAILED':
      return (item.written ?? 0) > 0 ? `Processing stopped after ${num(item.written)} rows were written.` : 'Nothing from this file was written.';
    default:
      return 'The pipeline is working on this file.';
  }
}

/** The file's counts: rows = written + rejected (+ read but not loaded, when the file stopped mid-write). */
function rowsText(item: LedgerItem): string {
  const unloaded = item.unloaded ? `, ${num(item.unloaded)} read but not loaded` : '';
  return `${num(item.rows)} data rows: ${num(item.written)} written, ${num(item.rejected)} rejected${unloaded}; ${num(item.blank)} blank lines skipped`;
}

export function FilePage({ pk }: { pk: string }) {
  const { value: detail, error, reload } = usePolling(() => getJson<FileDetail>('/api/file', { pk }), 2000, [pk]);
  if (error && !detail) return <ErrorNote error={error} />;
  if (!detail) return <p aria-busy="true">loading…</p>;
  const { item } = detail;
  const facts: [string, string | number | null | undefined][] = [
    ['status', null],
    ['rows', item.status === 'FAILED' && item.rows === 0 ? 'none loaded (rejected as a whole)' : rowsText(item)],
    ['reason', item.reason],
    ['same content as', item.duplicate_of],
    ['parts', detail.partsText],
    ['received (UTC)', utc(item.started_at)],
    ['finished (UTC)', item.finished_at ? utc(item.finished_at) : null],
    ['took', item.duration_ms !== undefined ? formatMs(item.duration_ms) : null],
    ['size', formatBytes(item.size)],
    ['version', item.version_id],
    ['ingestion id', item.ingestion_id],
    ['attempts', item.attempts],
    ['last problem', item.last_error],
    ['schema', item.schema_name ? `${item.schema_name} version ${item.schema_version} (fingerprint ${item.schema_fingerprint})` : null],
    ['content fingerprint', item.fingerprint],
  ];
  return (
    <section aria-labelledby="file-title">
      <p>
        <a href="#/ingestions">← Ingestions</a>
      </p>
      <h1 id="file-title" class="key">
        {item.key}
      </h1>
      <p class="lead" role="status" aria-live="polite">
        <Status word={item.status} /> {plainWords(item)}
      </p>
      <dl class="facts">
        {facts
          .filter(([k, v]) => k === 'status' || (v !== null && v !== undefined && v !== ''))
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{k === 'status' ? <Status word={item.status} /> : String(v)}</dd>
            </div>
          ))}
      </dl>
      <h2>Downloads</h2>
      {detail.downloads.length === 0 ? (
        <p class="muted">nothing to download yet</p>
      ) : (
        <ul class="downloads">
          {detail.downloads.map((d) => (
            <li key={d.key}>
              <a href={downloadHref(d.key)} download>
                {d.label}
              </a>{' '}
              <code class="muted">{d.key}</code>
            </li>
          ))}
        </ul>
      )}
      {detail.replayKey && (
        <ConfirmButton
          label="Replay this file"
          question={`Copy ${detail.replayKey} back into raw-data/ so the pipeline processes it again?`}
          confirmLabel="Replay"
          action={() => postJson('/api/replay', { key: detail.replayKey })}
          onDone={reload}
        />
      )}
      {item.errors_key && <RejectedRows pk={pk} />}
      <h2>Alert</h2>
      {detail.alert.text ? (
        <>
          <p class="muted">{detail.alert.subject}</p>
          <pre class="mail">{detail.alert.text}</pre>
        </>
      ) : (
        <p class="muted">{detail.alert.note}</p>
      )}
    </section>
  );
}

function RejectedRows({ pk }: { pk: string }) {
  const [column, setColumn] = useState('');
  const [kind, setKind] = useState('');
  const [text, setText] = useState('');
  const [offset, setOffset] = useState(0);
  const { value: page, error } = usePolling(
    () => getJson<ReportPage>('/api/file/errors', { pk, column, kind, text, offset, limit: PAGE_SIZE }),
    0,
    [pk, column, kind, text, offset],
  );
  const filter = (set: (v: string) => void) => (e: Event) => {
    set((e.target as HTMLInputElement | HTMLSelectElement).value);
    setOffset(0);
  };
  return (
    <>
      <h2 id="rejected-title">Rejected rows</h2>
      <form class="filters" role="search" aria-labelledby="rejected-title" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="filter-column">column</label>
          <select id="filter-column" value={column} onChange={filter(setColumn)}>
            <option value="">any column</option>
            {page?.columns.map((c) => (
              <option key={c.value} value={c.value}>
                {`${c.value} (${c.count})`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-reason">reason</label>
          <select id="filter-reason" value={kind} onChange={filter(setKind)}>
            <option value="">any reason</option>
            {page?.kinds.map((k) => (
              <option key={k.value} value={k.value}>
                {`${k.value} (${k.count})`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-text">search</label>
          <input id="filter-text" type="search" value={text} onInput={filter(setText)} placeholder="text in any cell" />
        </div>
      </form>
      <ErrorNote error={error} />
      {page && (
        <>
          <p role="status" aria-live="polite">
            {page.matched === page.total ? `${num(page.total)} rejected rows` : `${num(page.matched)} of ${num(page.total)} rejected rows match`}
            {page.matched > 0 ? `, showing ${num(page.offset + 1)}–${num(Math.min(page.matched, page.offset + PAGE_SIZE))}` : ''}
          </p>
          {page.rows.length > 0 && (
            <Table caption="rejected rows" head={['line', 'order_id', 'column', 'reason']}>
              {page.rows.map((r, i) => (
                <tr key={`${r.line}-${i}`}>
                  <td class="num">{r.line}</td>
                  <td class="nowrap">{r.order_id}</td>
                  <td>{r.column}</td>
                  <td>{r.reason}</td>
                </tr>
              ))}
            </Table>
          )}
          <div class="buttons">
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}>
              Previous
            </button>
            <button type="button" disabled={offset + PAGE_SIZE >= page.matched} onClick={() => setOffset(offset + PAGE_SIZE)}>
              Next
            </button>
          </div>
        </>
      )}
    </>
  );
}
