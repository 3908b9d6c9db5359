// Invariant 4: the API key is in no output, no error, no printed line, and no output item shows
// the api-key header, on cases that lean on error paths (cases.mjs). Every case also checks 1.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import fc from 'fast-check';

import { API_KEY, assertNoKeyAnywhere, capturingOutput } from './assertions.mjs';
import { ECHO_FAULTS, FAULT_KINDS, batchCase, faultMix, useBatchProperties } from './cases.mjs';

describe('Invariants under random batches and fault mixes', () => {
	const { property } = useBatchProperties();

	it('4. the API key is in no output, no error, no printed line', async () => {
		// The check would see a leak: what is printed inside the capture is caught.
		const { printed } = await capturingOutput(
			async () => {
				console.warn('marker-console');
				process.stderr.write('marker-stream\n');
			},
			{ quiet: true },
		);
		assert.ok(printed.includes('marker-console'), 'the capture missed a console line');
		assert.ok(printed.includes('marker-stream'), 'the capture missed a stream write');
		assert.throws(() => assertNoKeyAnywhere({ run: {}, success: [], failed: [] }, `x${API_KEY}`));
		assert.throws(() =>
			assertNoKeyAnywhere({ run: { leaked: API_KEY }, success: [], failed: [] }, ''),
		);

		// Every case of every property checks it; these cases lean on error paths, whose
		// errors carry the request and its api-key header: faults on most requests, a wrong
		// SID, nothing listening. A server that echoes the request is left out here: its answer
		// names the header, redacted (the key itself is checked in every case of every property).
		const errorHeavy = batchCase({
			faults: faultMix(
				fc.constantFrom(0.5, 0.75, 1),
				FAULT_KINDS.filter((kind) => !ECHO_FAULTS.includes(kind)),
			),
			target: fc.constantFrom('emulator', 'wrongSid', 'closedPort'),
		});
		await property(
			4,
			(testCase, { result }) => {
				// Nor any dump of the request that carried it: its header never shows.
				const outputs = JSON.stringify([...result.success, ...result.failed]).toLowerCase();
				assert.ok(
					!outputs.includes('api-key'),
					'[4 no key] an output item shows the api-key header',
				);
			},
			errorHeavy,
		);
	});
});
