// Standalone emulator for a suite driving n8n in another process:
//   node test/emulator/cli.mjs [--port N]
// prints one line `KALEYRA_EMULATOR_URL=http://127.0.0.1:PORT` and runs until SIGINT/SIGTERM.
import process from 'node:process';
import { parseArgs } from 'node:util';

import { startKaleyraEmulator } from './kaleyra-emulator.mjs';

// `node --test test/` runs every .mjs file below a `test` directory, this one included, with
// NODE_TEST_CONTEXT set and no arguments; without this guard it would never exit.
// A harness spawning the CLI from inside a test must therefore pass an argument (--port 0).
if (process.env.NODE_TEST_CONTEXT && process.argv.length === 2) {
	process.stderr.write('cli.mjs: run by node --test as a test file; not starting the emulator\n');
	process.exit(0);
}

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' } } });
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	process.stderr.write(`cli.mjs: --port must be an integer 0..65535, got ${values.port}\n`);
	process.exit(2);
}

const emulator = await startKaleyraEmulator({ port });
process.stdout.write(`KALEYRA_EMULATOR_URL=${emulator.url}\n`);

// First signal: close (which destroys open and hanging sockets) and exit 0. A second signal,
// or a close() that takes over 2 s, exits at once so a harness is never left waiting.
let stopping = false;
const stop = () => {
	if (stopping) process.exit(1);
	stopping = true;
	setTimeout(() => process.exit(1), 2000).unref();
	emulator.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
