/**
 * The function's execution environments, as Lambda keeps them: started on demand (a cold start)
 * up to a maximum, reused warm, each handling one invocation at a time; an environment that ended
 * (timeout, crash) is dropped and replaced by the next cold start. Several event-source mappings
 * of the same function can share one pool, as they share the function's concurrency on AWS.
 */
import { ExecutionEnvironment, type EnvironmentOptions } from './execution-environment.ts';

export interface PoolOptions extends EnvironmentOptions {
  maxEnvironments: number;
}

export class EnvironmentPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly busy = new Set<ExecutionEnvironment>();
  private starting = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;
  /** Environments started so far (cold starts). */
  started = 0;
  /** The most invocations that ran at once, over every mapping drawing on the pool. */
  peakBusy = 0;

  constructor(private readonly options: PoolOptions) {
    if (!Number.isInteger(options.maxEnvironments) || options.maxEnvironments < 1) {
      throw new Error(`maxEnvironments must be a positive integer, not ${options.maxEnvironments}`);
    }
  }

  get size(): number {
    return this.idle.length + this.busy.size + this.starting;
  }

  get maxEnvironments(): number {
    return this.options.maxEnvironments;
  }

  private markBusy(environment: ExecutionEnvironment): ExecutionEnvironment {
    this.busy.add(environment);
    this.peakBusy = Math.max(this.peakBusy, this.busy.size);
    return environment;
  }

  private async startOne(): Promise<ExecutionEnvironment> {
    this.starting += 1;
    try {
      const environment = await ExecutionEnvironment.start(this.options);
      this.started += 1;
      return environment;
    } catch (e) {
      // Its place is free again for whoever waits.
      this.waiting.shift()?.();
      throw e;
    } finally {
      this.starting -= 1;
    }
  }

  /** Starts one environment ahead of the first invocation; fails when the handler cannot load. */
  async warm(): Promise<void> {
    const environment = await this.startOne();
    this.idle.push(environment);
  }

  /** A warm environment, a new one while below the maximum, or the next one released. */
  async acquire(): Promise<ExecutionEnvironment> {
    for (;;) {
      if (this.closed) throw new Error('the execution environments are shut down');
      const warm = this.idle.pop();
      if (warm) return this.markBusy(warm);
      if (this.size < this.options.maxEnvironments) return this.markBusy(await this.startOne());
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** Hands an environment back after its invocation; an ended one is dropped. */
  release(environment: ExecutionEnvironment): void {
    this.busy.delete(environment);
    if (environment.alive && !this.closed) this.idle.push(environment);
    this.waiting.shift()?.();
  }

  /** Stops every environment (after the invocations in flight were awaited by their pollers). */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    await Promise.allSettled([...this.idle.splice(0), ...this.busy].map((e) => e.close()));
    this.busy.clear();
  }
}
