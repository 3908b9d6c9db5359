// n8n adds "Custom API Call" to the Operation list of app nodes. Choosing it hides every field;
// the node then says what to use instead, and sends nothing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NUMBERS, credentialsFor, itemFor, useEmulator } from '../../helpers/kaleyra.mjs';
import { runKaleyraNode } from '../../helpers/engine.mjs';

const run = (emulator, nodeSettings = {}) =>
	runKaleyraNode({
		parameters: { operation: '__CUSTOM_API_CALL__' },
		items: [itemFor(NUMBERS.pending1), itemFor(NUMBERS.pending2)],
		credentials: credentialsFor(emulator),
		nodeSettings,
	});

describe('Custom API Call', () => {
	const emulator = useEmulator();

	it('stops the run with a pointer to the HTTP Request node, sending nothing', async () => {
		const result = await run(emulator());
		assert.match(result.error.message, /Custom API Call is not run by this node/);
		assert.match(result.error.description, /HTTP Request node/);
		assert.equal(emulator().requests.length, 0);
	});

	it('with On Error: Continue, puts every item on Error saying the same', async () => {
		const result = await run(emulator(), { onError: 'continueErrorOutput' });
		assert.equal(result.error, undefined);
		assert.equal(result.success.length, 0);
		assert.deepEqual(
			result.failed.map(({ pairedItem, json }) => [pairedItem.item, json.error.code, json.error.fields]),
			[
				[0, 'INVALID_INPUT', ['operation']],
				[1, 'INVALID_INPUT', ['operation']],
			],
		);
		assert.match(result.failed[0].json.error.hint, /Predefined Credential Type/);
		assert.equal(emulator().requests.length, 0);
	});
});
