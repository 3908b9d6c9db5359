// A workflow saved with an earlier release of the node must open and run unchanged.
// n8n stores each node's typeVersion and leaves out parameters at their default, so
// such a node has only what 0.1.0 had; every later option must default to 0.1.0's behaviour.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import { nodeTypes, runWorkflow } from '../helpers/engine.mjs';
import { NUMBERS, credentialsFor, itemFor, useEmulator } from '../helpers/kaleyra.mjs';

const savedNode = JSON.parse(
	readFileSync(new URL('../fixtures/node-saved-by-0.1.0.json', import.meta.url)),
);

describe('Workflows saved with an earlier version of the node', () => {
	const emulator = useEmulator();

	it('still offers every typeVersion it ever had', () => {
		const { version } = nodeTypes.getByName(savedNode.type).description;
		assert.ok([version].flat().includes(savedNode.typeVersion));
	});

	it('runs a node saved by 0.1.0 (verify by default, no options) with the behaviour it had', async () => {
		const run = await runWorkflow({
			nodes: [savedNode],
			startNode: savedNode,
			items: [itemFor(NUMBERS.pending1), itemFor(NUMBERS.pending2, { otp: '000000' })],
			credentials: credentialsFor(emulator()),
		});
		assert.equal(run.data.resultData.error, undefined);
		const [success, failed] = run.data.resultData.runData[savedNode.name][0].data.main;
		assert.deepEqual(
			success.map((item) => [item.json.operation, item.json.code, item.json.attempts]),
			[['verifyNumber', 'WA200', 1]],
		);
		assert.deepEqual(
			failed.map((item) => [item.json.error.code, item.pairedItem]),
			[['WA400', { item: 1 }]],
		);
		const paths = emulator().requests.map((request) => request.path);
		assert.ok(paths.every((path) => path.endsWith('/number/verify')));
		assert.equal(emulator().maxInFlight(), 1, 'one request at a time, as 0.1.0 sent them');
	});
});
