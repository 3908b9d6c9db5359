// The Kaleyra emulator in its own process, so its CPU does not share the measured event loop.
//   node bench/emulator-child.mjs --numbers N [--record]
// Prints `KALEYRA_EMULATOR_URL=...` once listening; the parent drives it through the control
// API (reset, faults, counters, requests) and stops it with SIGTERM, or by closing its stdin.
import process from 'node:process';

import { startKaleyraEmulator } from '../emulator/kaleyra-emulator.mjs';
import { benchNumbers, parseFlags } from './shared.mjs';

const flags = parseFlags(process.argv.slice(2));
const emulator = await startKaleyraEmulator({
	numbers: benchNumbers(Number(flags.numbers ?? 1000)),
	recordRequests: flags.record === true,
});
process.stdout.write(`KALEYRA_EMULATOR_URL=${emulator.url}\n`);

const stop = () => emulator.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds our stdin open: when it exits, even by a crash, so do we.
process.stdin.on('end', stop);
process.stdin.resume();
