/**
 * The console's small component library. Every value from a file, a key or the ledger is passed as
 * a JSX child or attribute, which Preact sets as text (never as HTML): a key like
 * `<img src=x onerror=alert(1)>.csv` is shown, never run. Nothing here uses dangerouslySetInnerHTML.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

export { formatBytes } from '../../cli/render/bytes.ts';

/** The CLI's status words, each with a colour class (the word itself always shows: colour is never the only sign). */
const STATUS_CLASS: Record<string, string> = {
  PROCESSED: 'ok',
  VALID: 'ok',
  PARTIAL: 'warn',
  DUPLICATE: 'warn',
  FAILED: 'bad',
  REJECTED: 'bad',
  PROCESSING: 'busy',
  ALARM: 'bad',
  OK: 'ok',
  INSUFFICIENT_DATA: 'busy',
};

export function Status({ word }: { word: string }) {
  return <span class={`status status-${STATUS_CLASS[word] ?? 'busy'}`}>{word}</span>;
}

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

/** A number with thousands separators; "-" when absent. */
export const num = (value: number | null | undefined): string => (typeof value === 'number' ? value.toLocaleString('en-US') : '-');

export function formatMs(ms: number | null | undefined): string {
  if (typeof ms !== 'number') return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** `2026-11-22 04:12:03` (UTC), as the CLI shows times. */
export const utc = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').slice(0, 19) : '-');

export function Progress({ label, value, max }: { label: string; value: number; max: number }) {
  return (
    <div class="progress-row">
      <progress aria-label={label} value={value} max={max || 1} />
      <span class="muted">{max > 0 ? `${Math.floor((value / max) * 100)} %` : ''}</span>
    </div>
  );
}

/**
 * A table that scrolls sideways on a narrow screen instead of squeezing its columns; with `stack`,
 * each row becomes a small card there instead (its cells name their column in `data-label`).
 */
export function Table({ caption, head, children, stack }: { caption: string; head: string[]; children: ComponentChildren; stack?: boolean }) {
  return (
    <div class={`table-wrap${stack ? ' stack' : ''}`} tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption class="sr-only">{caption}</caption>
        <thead>
          <tr>
            {head.map((h) => (
              <th scope="col" key={h}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/**
 * A button that asks first: a modal <dialog> (keyboard and screen readers handle it natively),
 * never window.confirm. Runs `action` on confirmation and shows what it did.
 */
export function ConfirmButton(props: {
  label: string;
  question: string;
  confirmLabel: string;
  action: () => Promise<{ ok: boolean; message: string }>;
  disabled?: boolean;
  onDone?: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);
  const confirm = async () => {
    dialog.current?.close();
    setBusy(true);
    setResult(null);
    try {
      setResult(await props.action());
    } catch (e) {
      setResult({ ok: false, message: e instanceof Error ? e.message : String(e) });
    } finally {
      setBusy(false);
      props.onDone?.();
    }
  };
  return (
    <div class="action">
      <button type="button" disabled={busy || props.disabled} onClick={() => dialog.current?.showModal()}>
        {busy ? `${props.label}…` : props.label}
      </button>
      <dialog ref={dialog} aria-label={props.label}>
        <p>{props.question}</p>
        <div class="buttons">
          <button type="button" class="primary" onClick={() => void confirm()}>
            {props.confirmLabel}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </dialog>
      <p class={`result ${result ? (result.ok ? 'result-ok' : 'result-bad') : ''}`} role="status" aria-live="polite">
        {result?.message ?? ''}
      </p>
    </div>
  );
}

/** Calls `load` now and every `ms` while mounted; returns the latest value and error. */
export function usePolling<T>(load: () => Promise<T>, ms: number, deps: unknown[] = []): { value: T | null; error: unknown; reload: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const v = await load();
        if (live) {
          setValue(v);
          setError(null);
        }
      } catch (e) {
        if (live) setError(e);
      }
      if (live && ms > 0) timer = setTimeout(() => void run(), ms);
    };
    void run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  return { value, error, reload: () => setTick((t) => t + 1) };
}

/** Where the page says things a screen reader should hear without moving focus (status changes). */
export function Announcer({ message }: { message: string }) {
  return (
    <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">
      {message}
    </div>
  );
}
