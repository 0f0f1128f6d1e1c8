#!/usr/bin/env node
import { CliUsageError, main, USAGE } from './cli-args';

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CliUsageError) console.error(`${error.message}\n\n${USAGE}`);
  else console.error(error);
  process.exitCode = error instanceof CliUsageError ? 2 : 1;
});
