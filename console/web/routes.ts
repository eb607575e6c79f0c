/** The console's pages by address fragment (#/upload, #/file/<ledger key>, …): no server routes needed. */
export type Route =
  | { page: 'upload' }
  | { page: 'ingestions' }
  | { page: 'file'; pk: string }
  | { page: 'operations' }
  | { page: 'dashboard' }
  | { page: 'alerts' };

export const PAGES = [
  { page: 'upload', title: 'Upload' },
  { page: 'ingestions', title: 'Ingestions' },
  { page: 'operations', title: 'Operations' },
  { page: 'dashboard', title: 'Dashboard' },
  { page: 'alerts', title: 'Alerts' },
] as const;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path.startsWith('file/')) {
    try {
      return { page: 'file', pk: decodeURIComponent(path.slice('file/'.length)) };
    } catch {
      return { page: 'ingestions' };
    }
  }
  const found = PAGES.find((p) => p.page === path);
  return found ? ({ page: found.page } as Route) : { page: 'upload' };
}

export const fileHref = (pk: string): string => `#/file/${encodeURIComponent(pk)}`;
