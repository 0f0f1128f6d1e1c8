#!/usr/bin/env node
// The server, and `ws` with it, load only once this file can report a failure: a missing package,
// a busy port or a missing folder is one line on stderr, not a stack.
import('./cli-args')
  .then(async (cli) => {
    try {
      await cli.main(process.argv.slice(2));
    } catch (error) {
      if (!(error instanceof cli.CliError)) throw error;
      const usage = error instanceof cli.CliUsageError;
      console.error(usage ? `${error.message}\n\n${cli.USAGE}` : `flowrra-server: ${error.message}`);
      process.exitCode = usage ? 2 : 1;
    }
  })
  .catch((error: Error & { code?: unknown }) => {
    // A missing package or file says all in its message; anything else is a bug, shown whole.
    console.error(typeof error?.code === 'string' ? `flowrra-server: ${error.message}` : error);
    process.exitCode = 1;
  });
