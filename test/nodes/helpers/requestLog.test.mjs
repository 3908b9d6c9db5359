// The line n8n logs as each request leaves: at info, n8n's default level, saying which request
// left, with the phone number masked in the message and in the JSON metadata. n8n's logger
// is set up from the environment once per process, so the run happens in a child process
// started with the log settings a user would give n8n.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const CHILD = 'KALEYRA_REQUEST_LOG_CHILD';

if (process.env[CHILD] === 'second run') {
	// The child: a node whose Error output feeds its own input runs twice in one execution. Its
	// first run looks up a number Kaleyra does not know (Error), its second one it knows.
	const { startKaleyraEmulator } = await import('../../../emulator/kaleyra-emulator.mjs');
	const { kaleyraNode, runWorkflow } = await import('../../helpers/engine.mjs');
	const { NUMBERS, credentialsFor } = await import('../../helpers/kaleyra.mjs');
	const emulator = await startKaleyraEmulator();
	try {
		const node = kaleyraNode({
			operation: 'getNumberDetails',
			phoneNumber: `={{ $runIndex === 0 ? '+919765408888' : '${NUMBERS.pending2.phoneNumber}' }}`,
		});
		await runWorkflow({
			nodes: [node],
			connections: { Kaleyra: { main: [[], [{ node: 'Kaleyra', type: 'main', index: 0 }]] } },
			startNode: node,
			items: [{ json: {} }],
			credentials: credentialsFor(emulator),
		});
	} finally {
		await emulator.close();
	}
} else if (process.env[CHILD]) {
	// The child: one Add Number, one Verify Number and one Get Number Details, then exit.
	const { startKaleyraEmulator } = await import('../../../emulator/kaleyra-emulator.mjs');
	const { NUMBERS, WABA_ID, itemFor, runOperation } = await import('../../helpers/kaleyra.mjs');
	const emulator = await startKaleyraEmulator();
	try {
		await runOperation(emulator, 'addNumber', [
			{ json: { wabaId: WABA_ID, phoneNumber: '+919765409999', countryCode: '91', displayName: 'Acme Travel', channel: 'SMS' } },
		]);
		await runOperation(emulator, 'verifyNumber', [itemFor(NUMBERS.pending1)]);
		await runOperation(emulator, 'getNumberDetails', [itemFor(NUMBERS.pending2)]);
	} finally {
		await emulator.close();
	}
} else {
	const run = (format, scenario = '1') =>
		execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
			env: {
				...process.env,
				[CHILD]: scenario,
				N8N_LOG_LEVEL: 'info',
				N8N_LOG_FORMAT: format,
				N8N_LOG_OUTPUT: 'console',
				NODE_TEST_CONTEXT: '',
			},
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
	const PHONES = ['+919765409999', '+919765400001', '+919765400002'];
	const MASKED = ['+91********99', '+91********01', '+91********02'];

	describe('The request log line', () => {
		it('is written at info as each request leaves, with the phone number masked (text format)', () => {
			const output = run('text');
			const lines = output.split('\n').filter((line) => line.includes('request leaving'));
			assert.equal(lines.length, 3, output);
			for (const [index, line] of lines.entries()) {
				assert.ok(line.includes(`phoneNumber ${MASKED[index]}`), line);
				assert.ok(!line.includes(PHONES[index]), `the full number is in ${line}`);
			}
			assert.match(lines[1], /Kaleyra verifyNumber request leaving: execution \S+, node "Kaleyra", run 0, item 0, attempt 1, phoneNumber \+91\*{8}01, phoneNumberId 100000000000001, wabaId 766000000000001/);
			for (const phone of PHONES) assert.ok(!output.includes(phone), `${phone} is in the log`);
		});

		it('masks it in the metadata n8n prints with N8N_LOG_FORMAT=json, at level info', () => {
			const output = run('json');
			const entries = output
				.split('\n')
				.filter((line) => line.startsWith('{'))
				.map((line) => JSON.parse(line))
				.filter((entry) => String(entry.message).includes('request leaving'));
			assert.equal(entries.length, 3, output);
			entries.forEach((entry, index) => {
				assert.equal(entry.level, 'info');
				const text = JSON.stringify(entry);
				assert.ok(text.includes(MASKED[index]), text);
				assert.ok(!text.includes(PHONES[index]), `the full number is in ${text}`);
			});
			assert.equal(entries[1].metadata.phoneNumber, MASKED[1]);
			assert.equal(entries[1].metadata.phoneNumberId, '100000000000001');
			assert.equal(entries[1].metadata.runIndex, 0);
			for (const phone of PHONES) assert.ok(!output.includes(phone), `${phone} is in the log`);
		});

		// The run's execution, node and run index are read once per run (helpers/requestLog.ts):
		// a second run of the node must not repeat the first one's.
		it('names the run of the node each request belongs to, when the node runs twice', () => {
			const output = run('text', 'second run');
			const lines = output.split('\n').filter((line) => line.includes('request leaving'));
			// The unknown number is asked for in each of the paths Details may take.
			const first = lines.filter((line) => line.includes('+91********88'));
			const second = lines.filter((line) => line.includes('+91********02'));
			assert.ok(first.length >= 1 && second.length === 1, output);
			assert.equal(first.length + second.length, lines.length, output);
			for (const line of first) assert.match(line, /execution \S+, node "Kaleyra", run 0, item 0,/);
			assert.match(second[0], /execution \S+, node "Kaleyra", run 1, item 0, attempt 1,/);
		});
	});
}
