// The sandbox's console and n8n's output: everything in the log file, nothing on the console
// until the banner, then n8n's lines without the notices that only look alarming.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { n8nConsole } from '../../scripts/n8n/n8nConsole.mjs';

// Lines n8n 2.41.1 printed in a sandbox run, in chunks cut mid-line as a pipe delivers them.
const START = [
	'Initializing n8n process\nFailed to start Python task runner in internal mode. because its virtual environment is missing\n',
	'\nThere are deprecations related to your n8n setup. Please take the recommended actions:\n - N8N_RUNNERS_MODE -> Internal task runner mode is deprecated\n',
	'There are deprecations related to your environment variables. Please take the recommended actions:\n - DB_SQLITE_POOL_SIZE -> Running SQLite without a pool of read connections is deprecated.\n',
	'[license SDK] Skipping renewal on init: renewOnInit is disabled in config\nSandbox: enabled=false provider=n8n-sandbox (from env)\nEditor is now accessible via:\nhttp://127.0.0.1:5678\nReceived request for unknown webhook: The requested webhook "GET kaleyra-onboarding" is not regis',
	'tered.\n404 The requested webhook "GET kaleyra-onboarding" is not registered.\n',
];

test('n8n output: all of it in the log; on the console only after show(true), without its noise', (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-console-'));
	t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
	const logFile = path.join(dir, 'n8n.log');
	let shown = '';
	const output = n8nConsole({ logFile, write: (text) => (shown += text) });
	for (const chunk of START) output.log(chunk);
	assert.equal(shown, '', 'n8n start-up on the console');

	output.show(true);
	output.log('Problem with execution 7: Workflow could not be started!\n[license SDK] renew');
	output.log('al skipped\nReceived request for unknown webhook: "GET x" is not registered.\n\n');
	assert.equal(shown, '[n8n] Problem with execution 7: Workflow could not be started!\n');

	output.show(false);
	output.log('Received SIGTERM. Shutting down...\n');
	output.close();
	output.log('a last chunk after exit\n');
	assert.equal(shown, '[n8n] Problem with execution 7: Workflow could not be started!\n');
	assert.equal(
		fs.readFileSync(logFile, 'utf8'),
		`${START.join('')}Problem with execution 7: Workflow could not be started!\n[license SDK] renewal skipped\nReceived request for unknown webhook: "GET x" is not registered.\n\nReceived SIGTERM. Shutting down...\n`,
	);
});
