/**
 * The page's calls to the console's API. Same-origin requests carry the session cookie the printed
 * address set; a state-changing request carries the page's Origin, which the server checks.
 */
import type { ApiError, Uploaded } from './api-types.ts';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function answer<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({ error: `${res.status} ${res.statusText}` }))) as T | ApiError;
  if (!res.ok) throw new RequestError(res.status, (body as ApiError).error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query.set(k, String(v));
  const qs = query.toString();
  return answer<T>(await fetch(qs ? `${path}?${qs}` : path, { credentials: 'same-origin', cache: 'no-store' }));
}

export async function postJson<T>(path: string, body: unknown = {}): Promise<T> {
  return answer<T>(
    await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
  );
}

/** A link that downloads an object of the bucket through the console. */
export const downloadHref = (key: string): string => `/api/download?${new URLSearchParams({ key })}`;

/**
 * Sends a file's bytes to the console, which relays them into raw-data/ (multipart for large
 * files). XMLHttpRequest, because fetch reports no upload progress.
 */
export function uploadFile(file: File, onProgress: (sent: number, total: number) => void): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?${new URLSearchParams({ name: file.name })}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new RequestError(0, 'the console did not answer (is it still running?)'));
    xhr.onload = () => {
      let body: Uploaded | ApiError;
      try {
        body = JSON.parse(xhr.responseText) as Uploaded | ApiError;
      } catch {
        return reject(new RequestError(xhr.status, `${xhr.status} ${xhr.statusText}`));
      }
      if (xhr.status !== 200) return reject(new RequestError(xhr.status, (body as ApiError).error));
      resolve(body as Uploaded);
    };
    xhr.send(file);
  });
}
