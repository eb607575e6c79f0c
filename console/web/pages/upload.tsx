/**
 * Upload: files dropped (or picked) are first checked in the browser by the processor's own
 * contract (check-worker.ts), then uploaded on request into raw-data/ with a progress bar, and
 * followed through the ledger to their outcome — in the CLI's words.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FileDetail, Session, Uploaded } from '../api-types.ts';
import { type CheckReply, type CheckRequest, type FileReport } from '../check-protocol.ts';
import { getJson, uploadFile } from '../client.ts';
import { Announcer, ErrorNote, formatBytes, formatMs, num, Progress, Status, Table } from '../components.tsx';
import { fileHref } from '../routes.ts';
import { isFinalStatus as isFinal } from '../../../functions/order-processor/ledger-item.ts';

interface Entry {
  id: number;
  file: File;
  checked: number;
  report: FileReport | null;
  checkMs: number | null;
  checkError: string | null;
  sent: number;
  uploading: boolean;
  uploaded: Uploaded | null;
  uploadError: string | null;
  outcome: FileDetail | null;
}

const SHOWN_ROWS = 10;

let nextId = 1;

/**
 * The files of this session, kept outside the page so that checks and uploads go on, and are
 * still listed, when the operator looks at another page meanwhile.
 */
const session = {
  entries: [] as Entry[],
  announce: '',
  listeners: new Set<() => void>(),
};

function update(id: number, change: Partial<Entry> | ((e: Entry) => Partial<Entry>)): void {
  session.entries = session.entries.map((e) => (e.id === id ? { ...e, ...(typeof change === 'function' ? change(e) : change) } : e));
  for (const listener of session.listeners) listener();
}

function announce(message: string): void {
  session.announce = message;
  for (const listener of session.listeners) listener();
}

let worker: Worker | null = null;

function checker(): Worker {
  if (worker) return worker;
  worker = new Worker('/assets/check-worker.js', { type: 'module' });
  worker.addEventListener('message', (event: MessageEvent<CheckReply>) => {
    const reply = event.data;
    if (reply.kind === 'progress') update(reply.id, { checked: reply.read });
    else if (reply.kind === 'done') {
      update(reply.id, (e) => ({ report: reply.report, checkMs: reply.ms, checked: e.file.size }));
      announce(`${reply.report.file}: checked, ${reply.report.status}`);
    } else update(reply.id, { checkError: reply.message });
  });
  return worker;
}

/** Re-renders the page whenever the session changes. */
function useSession(): typeof session {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((t) => t + 1);
    session.listeners.add(listener);
    return () => void session.listeners.delete(listener);
  }, []);
  return session;
}

/** Uploads a file through the console, then follows it to its outcome. */
async function upload(entry: Entry): Promise<void> {
  update(entry.id, { uploading: true, uploadError: null, sent: 0 });
  try {
    const uploaded = await uploadFile(entry.file, (sent) => update(entry.id, { sent }));
    update(entry.id, { uploaded, uploading: false, sent: entry.file.size });
    announce(`${entry.file.name}: uploaded, waiting for the pipeline`);
    await follow(entry.id, uploaded.pk);
  } catch (e) {
    update(entry.id, { uploading: false, uploadError: e instanceof Error ? e.message : String(e) });
  }
}

/**
 * Polls the file's ledger item until it has a final status. (An item read half-written — the
 * emulator lets a read see an update in progress — has none yet: keep polling.)
 */
async function follow(id: number, pk: string): Promise<void> {
  for (;;) {
    try {
      const detail = await getJson<FileDetail>('/api/file', { pk });
      update(id, { outcome: detail });
      if (isFinal(detail.item.status)) {
        announce(`${detail.item.key}: ${detail.item.status}`);
        return;
      }
    } catch {
      // not in the ledger yet
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function UploadPage({ schema }: { schema: Session['schema'] }) {
  const { entries, announce: said } = useSession();
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const add = (files: FileList | null) => {
    if (!files || files.length === 0) return;
    const added: Entry[] = [...files].map((file) => ({
      id: nextId++,
      file,
      checked: 0,
      report: null,
      checkMs: null,
      checkError: null,
      sent: 0,
      uploading: false,
      uploaded: null,
      uploadError: null,
      outcome: null,
    }));
    session.entries = [...added, ...session.entries];
    for (const e of added) checker().postMessage({ id: e.id, file: e.file } satisfies CheckRequest);
    announce(`checking ${added.length} file${added.length === 1 ? '' : 's'}`);
  };

  return (
    <section aria-labelledby="upload-title">
      <h1 id="upload-title">Upload</h1>
      <p class="muted">
        Each file is checked here in your browser with the processor's own CSV contract before anything is uploaded, under the order schema{' '}
        <strong>{schema.name}</strong> version {schema.version} (<code>{schema.file}</code>). Accepted: <code>.csv</code>, <code>.csv.gz</code>.
      </p>
      <div
        class={`dropzone${over ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files ?? null);
        }}
      >
        <input
          ref={input}
          id="file-input"
          class="sr-only"
          type="file"
          multiple
          accept=".csv,.gz,text/csv,application/gzip"
          onChange={(e) => {
            add((e.target as HTMLInputElement).files);
            (e.target as HTMLInputElement).value = '';
          }}
        />
        <label for="file-input">
          <strong>Drop order files here</strong> or <span class="link">choose files</span>
        </label>
      </div>
      <Announcer message={said} />
      <ul class="entries">
        {entries.map((e) => (
          <FileEntry key={e.id} entry={e} onUpload={() => void upload(e)} />
        ))}
      </ul>
    </section>
  );
}

function FileEntry({ entry, onUpload }: { entry: Entry; onUpload: () => void }) {
  const { file, report } = entry;
  const outcome = entry.outcome;
  return (
    <li class="card entry" aria-label={file.name}>
      <h2 class="file-name">
        <span>{file.name}</span> <span class="muted">{formatBytes(file.size)}</span>
      </h2>
      {!report && !entry.checkError && <Progress label={`checking ${file.name}`} value={entry.checked} max={file.size} />}
      <ErrorNote error={entry.checkError && `the check failed: ${entry.checkError}`} />
      {report && <CheckResult report={report} ms={entry.checkMs} />}
      {report && !entry.uploaded && (
        <div class="buttons">
          <button type="button" class={report.status === 'VALID' ? 'primary' : ''} disabled={entry.uploading} onClick={onUpload}>
            {report.status === 'VALID' ? 'Upload' : 'Upload anyway'}
          </button>
          {report.status !== 'VALID' && <span class="muted">the pipeline will judge it the same way</span>}
        </div>
      )}
      {(entry.uploading || entry.uploaded) && <Progress label={`uploading ${file.name}`} value={entry.sent} max={file.size} />}
      <ErrorNote error={entry.uploadError && `upload failed: ${entry.uploadError}`} />
      {entry.uploaded && (
        <div class="outcome" data-testid="outcome">
          <p>
            Uploaded to <code>{entry.uploaded.key}</code>.{' '}
            {outcome && isFinal(outcome.item.status) ? (
              <>
                Outcome: <Status word={outcome.item.status} />
              </>
            ) : (
              'Waiting for the pipeline…'
            )}
          </p>
          {outcome && isFinal(outcome.item.status) && (
            <p>
              rows {num(outcome.item.rows)}, written {num(outcome.item.written)}, rejected {num(outcome.item.rejected)}
              {outcome.partsText ? ` — ${outcome.partsText}` : ''} — <a href={fileHref(entry.uploaded.pk)}>details</a>
            </p>
          )}
        </div>
      )}
    </li>
  );
}

/** The unknown columns: those the schema keeps (`keep`), with their attribute names, and those ignored (docs/csv-format.md "Unknown columns"). */
function UnknownColumns({ report }: { report: FileReport }) {
  const kept = report.keptColumns ?? [];
  const ignored = report.unknownColumns.filter((c) => !kept.some((k) => k.column === c));
  return (
    <>
      {kept.length > 0 && (
        <p class="muted" data-testid="kept-columns">
          kept unknown columns (stored as strings, in the cleaned CSV): {kept.map((k) => `${k.column} as ${k.attribute}`).join(', ')}
        </p>
      )}
      {ignored.length > 0 && <p class="muted">ignored unknown columns: {ignored.join(', ')}</p>}
    </>
  );
}

function CheckResult({ report, ms }: { report: FileReport; ms: number | null }) {
  const shown = report.errors.slice(0, SHOWN_ROWS);
  return (
    <div class="check" data-testid="check">
      <p>
        Check: <Status word={report.status} /> rows {num(report.rows)}, valid {num(report.valid)}, rejected {num(report.rejected)}, blank{' '}
        {num(report.blank)} <span class="muted">({formatMs(ms)})</span>
      </p>
      {report.reason && <p class="reason">{report.reason}</p>}
      <UnknownColumns report={report} />
      {shown.length > 0 && (
        <Table caption={`first rejected rows of ${report.file}`} head={['line', 'column', 'reason', 'order_id']}>
          {shown.map((e) => (
            <tr key={`${e.line}-${e.column}`}>
              <td class="num">{e.line}</td>
              <td>{e.column ?? '(row)'}</td>
              <td>{e.reason}</td>
              <td class="nowrap">{e.order_id ?? ''}</td>
            </tr>
          ))}
        </Table>
      )}
      {report.rejected > shown.length && (
        <p class="muted">
          … and {num(report.rejected - shown.length)} more rejected row{report.rejected - shown.length === 1 ? '' : 's'}
        </p>
      )}
    </div>
  );
}
