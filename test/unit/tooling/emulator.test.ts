import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive, stopProcess } from '../../../tooling/emulator.ts';

/** A child process that ignores SIGTERM (as a busy server may for a while). */
async function aStubbornProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);"], { stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  return child.pid!;
}

describe('stopProcess', () => {
  it('kills a process that outlives the grace period and resolves only once it is gone', async () => {
    // Prepare
    const pid = await aStubbornProcess();

    // Act
    await stopProcess(pid, 300);

    // Assess
    expect(isAlive(pid)).toBe(false);
  });

  it('does nothing for a process that is not running', async () => {
    // Prepare
    const pid = await aStubbornProcess();
    await stopProcess(pid, 100);

    // Act and assess
    await expect(stopProcess(pid, 100)).resolves.toBeUndefined();
  });
});
