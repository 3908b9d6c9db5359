// One throw-away n8n "instance" for a test file: its own user folder with the packed package
// installed as a community package, the pinned n8n's environment, and the emulator.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCredentials, importWorkflows } from '../../../scripts/n8n/cli.mjs';
import { kaleyraCredential } from '../../../scripts/n8n/credentials.mjs';
import { startEmulator } from '../../../scripts/n8n/emulator.mjs';
import { n8nEnv } from '../../../scripts/n8n/env.mjs';
import { installIntoUserFolder } from '../../../scripts/n8n/package.mjs';
import { projectRoot, resolveTarget } from '../../../scripts/n8n/targets.mjs';

export const EXAMPLES_DIR = path.join(projectRoot, 'examples');

/** The example workflows, read from examples/ as a user would import them. */
export function readExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((name) => name.endsWith('.json'))
		.map((name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')));
}

/**
 * @param {{ port: number, brokerPort: number, credentials?: (emulatorUrl: string) => object[], workflows?: object[] }} opts
 */
export async function openSession({ port, brokerPort, credentials = (url) => [kaleyraCredential(url)], workflows = [] }) {
	const tarball = process.env.KALEYRA_E2E_TARBALL;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-e2e-'));
	const userFolder = path.join(dir, 'user');
	installIntoUserFolder(tarball, userFolder);
	const target = resolveTarget();
	const n8n = { target, env: n8nEnv(target, { userFolder, port, brokerPort }) };
	const emulator = await startEmulator();

	// Both importers take a file; a real user's export has the same shape.
	const write = (name, value) => {
		const file = path.join(dir, name);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	};
	await importCredentials(n8n, write('credentials.json', credentials(emulator.url)));
	if (workflows.length > 0) await importWorkflows(n8n, write('workflows.json', workflows));

	return {
		n8n,
		emulator,
		dir,
		close: async () => {
			await emulator.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}
