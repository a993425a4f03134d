import { runCli } from './cli';
import { processIo } from './io';

// exitCode, not exit(): stdout is flushed before the process ends, even when piped.
void runCli(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
