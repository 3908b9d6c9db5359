#!/usr/bin/env node
// `npm run sandbox [-- --port 5678]`: a real n8n with this package loaded, the Kaleyra
// emulator behind a ready credential, the example workflows and an owner account, all in a
// throw-away folder. Ctrl-C stops n8n, its task runner and the emulator, and removes the folder.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { NUMBERS } from '../../emulator/fixtures.mjs';
import { openInstance, readExamples } from './instance.mjs';
import { buildAndPack } from './package.mjs';
import { SANDBOX_OWNER, restClient } from './rest.mjs';
import { startN8n } from './server.mjs';
import { projectRoot } from './targets.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '5678' } } });
const port = Number(values.port);

const install = spawnSync(process.execPath, [path.join(projectRoot, 'scripts/n8n/install.mjs')], {
	stdio: 'inherit',
});
if (install.status !== 0) process.exit(install.status ?? 1);

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-sandbox-pack-'));
let instance;
let server;
let stopping = false;

async function stop(code) {
	if (stopping) return;
	stopping = true;
	console.log('\n[sandbox] stopping n8n and the emulator…');
	await server?.stop();
	await instance?.close();
	fs.rmSync(packDir, { recursive: true, force: true });
	process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
	console.log('[sandbox] building and packing the package…');
	instance = await openInstance({
		tarball: buildAndPack(packDir),
		port,
		// The task broker must not clash with a default n8n that may run on this machine.
		brokerPort: port + 1,
		workflows: readExamples(),
	});
	console.log('[sandbox] starting n8n…');
	server = await startN8n(instance.n8n, { port, log: (chunk) => process.stdout.write(chunk) });
	await restClient(server.url).setUpOwner(SANDBOX_OWNER);
	// n8n dying on its own must not leave the emulator running.
	server.exited.then((code) => {
		console.error(`[sandbox] n8n exited (code ${code})`);
		return stop(1);
	});
} catch (error) {
	console.error(`[sandbox] could not start: ${error.message}`);
	await stop(1);
}

console.log(`
[sandbox] ready
  open      ${server.url}
  sign in   ${SANDBOX_OWNER.email} / ${SANDBOX_OWNER.password}
  workflows "Kaleyra: verify a batch of WhatsApp numbers" and "Kaleyra: verify a new WhatsApp number with the OTP from a form"
  emulator  ${instance.emulator.url} (credential "Kaleyra WhatsApp account" points there)
            e.g. number id ${NUMBERS.pending1.id}, phone ${NUMBERS.pending1.phoneNumber}, OTP ${NUMBERS.pending1.otp}
            OTPs it "sent", as a phone shows them: ${instance.emulator.url}/__emulator/
            what it received: ${instance.emulator.url}/__emulator/requests
  n8n data  ${instance.userFolder} (removed on exit)
Press Ctrl-C to stop.`);
