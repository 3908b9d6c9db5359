// One throw-away n8n "instance" (for a test file or the sandbox): its own user folder with the
// packed package installed as a community package, the pinned n8n's environment, the Kaleyra
// emulator, and the credential and workflows imported.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { activateWorkflow, importCredentials, importWorkflows } from './cli.mjs';
import { formCredential, kaleyraCredential } from './credentials.mjs';
import { startEmulator } from './emulator.mjs';
import { n8nEnv } from './env.mjs';
import { installIntoUserFolder } from './package.mjs';
import { projectRoot, resolveTarget } from './targets.mjs';

export const EXAMPLES_DIR = path.join(projectRoot, 'examples');

/** The example workflows, read from examples/ as a user would import them. */
export function readExamples() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((name) => name.endsWith('.json'))
		.map((name) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, name), 'utf8')));
}

/** The example a person clicks through: published in the sandbox, its form filled in by the e2e. */
export const FORM_EXAMPLE_ID = 'kaleyraOnboard02';

/** The Number Trigger's example: published in the sandbox, where a changed number mails the team. */
export const ALERTS_EXAMPLE_ID = 'kaleyraAlerts001';

/** The last segment of a workflow's form URL (`/form/<path>`), as its Form Trigger sets it. */
export function formPathOf(workflow) {
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.formTrigger');
	if (!trigger) throw new Error(`workflow ${workflow.id} has no Form Trigger`);
	return trigger.parameters.path || trigger.parameters.options?.path || trigger.webhookId;
}

/**
 * @param {{ tarball: string, port: number, brokerPort: number, emulatorPort?: number, emulatorDialect?: string, credentials?: (emulatorUrl: string) => object[], workflows?: object[], activate?: string[], target?: ReturnType<typeof resolveTarget> }} opts
 *   activate: ids of imported workflows to make active (published), for `n8n start`
 *   emulatorDialect: the emulator CLI's --dialect text (`axis=value,...`)
 *   target: the n8n to run (default: the pinned one resolveTarget() names; the sandbox's --n8n)
 */
export async function openInstance({
	tarball,
	port,
	brokerPort,
	emulatorPort = 0,
	emulatorDialect = '',
	credentials = (url) => [kaleyraCredential(url), formCredential()],
	workflows = [],
	activate = [],
	target = resolveTarget(),
}) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-n8n-'));
	const userFolder = path.join(dir, 'user');
	installIntoUserFolder(tarball, userFolder);
	const n8n = { target, env: n8nEnv(target, { userFolder, port, brokerPort }) };
	const emulator = await startEmulator({ port: emulatorPort, dialect: emulatorDialect });
	const close = async () => {
		await emulator.stop();
		fs.rmSync(dir, { recursive: true, force: true });
	};

	// Both importers take a file; a real user's export has the same shape.
	const write = (name, value) => {
		const file = path.join(dir, name);
		fs.writeFileSync(file, JSON.stringify(value, null, 2));
		return file;
	};
	try {
		await importCredentials(n8n, write('credentials.json', credentials(emulator.url)));
		if (workflows.length > 0) await importWorkflows(n8n, write('workflows.json', workflows));
		for (const id of activate) await activateWorkflow(n8n, id);
	} catch (error) {
		// The caller never gets an instance to close, so a running emulator would keep the test
		// process (and CI) alive.
		await close();
		throw error;
	}

	return {
		n8n,
		emulator,
		userFolder,
		close,
	};
}
