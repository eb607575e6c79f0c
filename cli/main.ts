/**
 * `order-pipeline <command> [options]`: dispatches to a module of cli/commands/, which exports
 * `run(argv): Promise<number>` (the exit status) and a one-line `summary` (pause and resume share
 * one module, commands/delivery.ts).
 */
import { EXIT, UsageError } from './exit.ts';

export interface Command {
  summary: string;
  run(argv: string[]): Promise<number>;
}

type Loader = () => Promise<Command>;

/** The commands by topic, as `order-pipeline --help` lists them; each lives in cli/commands/. */
const TOPICS: { topic: string; commands: Record<string, Loader> }[] = [
  {
    topic: 'check a file (no AWS)',
    commands: { validate: () => import('./commands/validate.ts') },
  },
  {
    topic: 'run the pipeline on this machine',
    commands: {
      local: () => import('./commands/local.ts'),
      demo: () => import('./commands/demo.ts'),
    },
  },
  {
    topic: 'operate a deployment (local or AWS)',
    commands: {
      upload: () => import('./commands/upload.ts'),
      status: () => import('./commands/status.ts'),
      redrive: () => import('./commands/redrive.ts'),
      replay: () => import('./commands/replay.ts'),
      pause: () => import('./commands/delivery.ts').then((m) => m.pause),
      resume: () => import('./commands/delivery.ts').then((m) => m.resume),
      alerts: () => import('./commands/alerts.ts'),
      dashboard: () => import('./commands/dashboard.ts'),
      console: () => import('./commands/console.ts'),
    },
  },
];

const COMMANDS: Record<string, Loader> = Object.assign({}, ...TOPICS.map((t) => t.commands));

async function usage(): Promise<string> {
  const lines = ['usage: order-pipeline <command> [options]'];
  for (const { topic, commands } of TOPICS) {
    lines.push('', `${topic}:`);
    for (const [name, load] of Object.entries(commands)) {
      let summary = '';
      try {
        summary = (await load()).summary;
      } catch {
        summary = '(unavailable)';
      }
      lines.push(`  ${name.padEnd(10)} ${summary}`);
    }
  }
  lines.push('', 'Run `order-pipeline <command> --help` for a command\'s options.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const text = await usage();
    if (name) {
      process.stdout.write(text + '\n');
      return EXIT.ok;
    }
    process.stderr.write(text + '\n');
    return EXIT.usage;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`order-pipeline: unknown command '${name}'\n\n${await usage()}\n`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    return await command.run(rest);
  } catch (err) {
    // A message can quote a key or an AWS error: shown through the one escaper (loaded only here).
    const { inertLines } = await import('./render/inert.ts');
    if (err instanceof UsageError) {
      process.stderr.write(`order-pipeline ${name}: ${inertLines(err.message)}\n`);
      return EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`order-pipeline ${name}: ${inertLines(message)}\n`);
    return EXIT.failure;
  }
}
