// Standalone emulator for a suite driving n8n in another process, or for a person:
//   node emulator/cli.mjs [--port N] [--dialect axis=value,axis=value]
// prints `KALEYRA_EMULATOR_URL=http://127.0.0.1:PORT` as its first line (harnesses read that
// line), then one line per OTP it "sends", and runs until SIGINT/SIGTERM.
import process from 'node:process';
import { parseArgs } from 'node:util';

import { otpText, parseDialectArg, startKaleyraEmulator } from './kaleyra-emulator.mjs';

const { values } = parseArgs({
	options: { port: { type: 'string', default: '0' }, dialect: { type: 'string', default: '' } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
	process.stderr.write(`cli.mjs: --port must be an integer 0..65535, got ${values.port}\n`);
	process.exit(2);
}
let dialect;
try {
	dialect = parseDialectArg(values.dialect);
} catch (error) {
	process.stderr.write(`cli.mjs: ${error.message}\n`);
	process.exit(2);
}

// The URL line is written in the tick the server starts listening, before any request can
// be read, so it always comes before the first OTP line.
const emulator = await startKaleyraEmulator({
	port,
	dialect,
	onOtp: (message) => process.stdout.write(`[kaleyra-emulator] ${otpText(message)}\n`),
});
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
