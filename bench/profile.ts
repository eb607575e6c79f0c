/**
 * CPU profile of the handler alone: V8's sampling profiler (the one `node --cpu-prof` uses),
 * started and stopped through node:inspector around the measured call, so module loading, tsx
 * compilation and the benchmark's own setup stay out of it. The .cpuprofile is written for
 * Chrome DevTools / speedscope; `summariseProfile` turns it into self time by package or module,
 * the top functions, and the inclusive time of a few things worth watching.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../tooling/project.ts';

/** Sampling interval (µs): fine enough for a run of a few seconds, coarse enough to cost little. */
const SAMPLING_INTERVAL_US = 250;

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  /** Of all sampled time (idle excluded). */
  share: number;
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  /** Self time grouped by npm package, processor directory, node subsystem, or V8 category. */
  byPackage: ProfileShare[];
  /** Self time of single functions (name and the module they live in). */
  topFunctions: (ProfileShare & { module: string })[];
  /** Inclusive time (the function or package anywhere on the stack). */
  watched: ProfileShare[];
}

/** What to report inclusively: a function by name, or everything under a package. */
export const WATCHED: { name: string; fn?: string; pkg?: string }[] = [
  { name: 'SDK logger: schemaLogFilter (@smithy/core; its middleware is removed)', fn: 'schemaLogFilter' },
  { name: 'SigV4 signing (@smithy/signature-v4)', pkg: '@smithy/signature-v4' },
  { name: 'AttributeValues of each order (orderAttributes)', fn: 'orderAttributes' },
  { name: 'CSV contract (processor contract/)', pkg: 'processor contract/' },
  { name: 'cleaned CSV and errors report lines (processor reports/)', pkg: 'processor reports/' },
  { name: 'node http client (node:_http_*)', pkg: 'node:http' },
  { name: 'garbage collection', fn: '(garbage collector)' },
];

export async function startProfile(): Promise<{ stop(path: string): Promise<ProfileSummary> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_US });
  await session.post('Profiler.start');
  return {
    async stop(path) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      writeFileSync(path, JSON.stringify(profile));
      return summariseProfile(profile as unknown as CpuProfile, relative(PROJECT_ROOT, path));
    },
  };
}

/** The package or module a frame belongs to (coarse enough to add up, fine enough to act on). */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native: V8 builtins, node bindings)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const [first = '', second = ''] = url.slice(nm + '/node_modules/'.length).split('/');
    return first.startsWith('@') ? `${first}/${second}` : first;
  }
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    const name = (parts[0] === 'internal' ? (parts[1] ?? 'internal') : (parts[0] ?? '')).replace(/\.js$/, '');
    // node:_http_client, node:_http_outgoing… → node:http; node:_stream_*, internal/streams → node:streams.
    if (name.startsWith('_http') || name === 'http') return 'node:http';
    if (name.startsWith('_stream') || name === 'streams' || name === 'stream') return 'node:streams';
    return `node:${name}`;
  }
  const path = url.startsWith('file://') ? relative(PROJECT_ROOT, fileURLToPath(url)) : url;
  const processor = /^functions\/order-processor\/(?:([^/]+)\/)?/.exec(path);
  if (processor) return `processor ${processor[1] ? `${processor[1]}/` : '(top level)'}`;
  return path.split('/')[0] ?? path;
}

function moduleOf(url: string): string {
  if (!url.startsWith('file://')) return url.replace(/^.*\/node_modules\//, '');
  return relative(PROJECT_ROOT, fileURLToPath(url)).replace(/^.*\/node_modules\//, '');
}

const byMs = <T extends { ms: number }>(a: T, b: T) => b.ms - a.ms;

export function summariseProfile(profile: CpuProfile, file: string, top = 25): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const pkg = new Map(profile.nodes.map((n) => [n.id, packageOf(n.callFrame.url, n.callFrame.functionName)]));
  // Samples in the profiler's own start (and anything else of the benchmark's) are not the handler's.
  const harness = new Set<number>();
  const markHarness = (id: number) => {
    harness.add(id);
    for (const c of nodes.get(id)?.children ?? []) markHarness(c);
  };
  for (const n of profile.nodes) if (n.callFrame.url.endsWith('/bench/profile.ts')) markHarness(n.id);

  const selfUs = new Map<number, number>();
  const watchedUs = WATCHED.map(() => 0);
  let sampledUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] ?? 0;
    // timeDeltas[i] is the time since the previous sample; it is attributed to this one.
    const dt = profile.timeDeltas[i] ?? 0;
    if (nodes.get(id)?.callFrame.functionName === '(idle)' || harness.has(id)) continue;
    sampledUs += dt;
    selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
    const hit = WATCHED.map(() => false);
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      WATCHED.forEach((w, k) => {
        if ((w.fn && frame?.functionName === w.fn) || (w.pkg && pkg.get(at ?? -1)?.startsWith(w.pkg))) hit[k] = true;
      });
    }
    hit.forEach((h, k) => {
      if (h) watchedUs[k] = (watchedUs[k] ?? 0) + dt;
    });
  }
  const share = (us: number): ProfileShare['share'] => (sampledUs > 0 ? us / sampledUs : 0);
  const packages = new Map<string, number>();
  const functions = new Map<string, { name: string; module: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) continue;
    const p = pkg.get(id) ?? '?';
    packages.set(p, (packages.get(p) ?? 0) + us);
    const module = moduleOf(frame.url);
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`;
    const f = functions.get(key) ?? { name: frame.functionName || '(anonymous)', module: module ? `${module}:${frame.lineNumber + 1}` : '', us: 0 };
    f.us += us;
    functions.set(key, f);
  }
  return {
    file,
    sampledMs: sampledUs / 1000,
    byPackage: [...packages].map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })).sort(byMs),
    topFunctions: [...functions.values()].map((f) => ({ name: f.name, module: f.module, ms: f.us / 1000, share: share(f.us) })).sort(byMs).slice(0, top),
    watched: WATCHED.map((w, k) => ({ name: w.name, ms: (watchedUs[k] ?? 0) / 1000, share: share(watchedUs[k] ?? 0) })),
  };
}
