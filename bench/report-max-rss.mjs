// Loaded with `node --import` before a command measured by bench/hostile.ts: reports the process's
// peak resident set size (KiB) on stderr as it exits.
process.on('exit', () => {
  process.stderr.write(`\n__MAX_RSS_KB__ ${process.resourceUsage().maxRSS}\n`);
});
