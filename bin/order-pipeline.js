#!/usr/bin/env node
// The operator CLI. Sources are TypeScript, run through tsx's loader as everywhere in this project
// (`node --import tsx`, docs/local.md): importing `tsx` here registers that same loader — resolved
// from this package, whatever the working directory — before the first .ts module loads.
import 'tsx';

const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
