// The Number Trigger on a WABA of 1,000 numbers: each poll reads the list and 1,000 details,
// and a change among them is reported. The time is reported, not asserted (a busy CI machine).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { WABA_ID, credentialsFor } from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

const COUNT = 1000;
const idOf = (index) => String(400000000000000 + index);

describe('Number Trigger: 1,000 numbers in a WABA', () => {
	let emulator;
	before(async () => {
		const numbers = {};
		for (let index = 0; index < COUNT; index++) {
			numbers[idOf(index)] = {
				phoneNumber: `+9198${String(index).padStart(8, '0')}`,
				otp: '123456',
				state: index % 2 === 0 ? 'approved' : 'pending',
			};
		}
		emulator = await startKaleyraEmulator({ numbers, dialect: { detailsPath: 'both' } });
	});
	after(() => emulator.close());

	it('reads them all each poll (1 + 1,000 requests) and reports the changes among them', async (t) => {
		const poller = createPoller({
			parameters: { wabaId: WABA_ID },
			credentials: credentialsFor(emulator),
		});
		let started = performance.now();
		assert.equal(await poller.poll(), null);
		const baselineMs = performance.now() - started;
		assert.equal(poller.staticData().baseline.numbers.length, COUNT);

		emulator.updateNumber(idOf(0), { status: 'FLAGGED' });
		emulator.updateNumber(idOf(999), { nameStatus: 'APPROVED' });
		const requestsBefore = emulator.counters.requests;
		started = performance.now();
		const items = await poller.poll();
		const pollMs = performance.now() - started;
		assert.equal(emulator.counters.requests - requestsBefore, 1 + COUNT);
		assert.deepEqual(
			items.map(({ event, phoneNumberId }) => [event, phoneNumberId]),
			[
				['statusChanged', idOf(0)],
				['nameStatusChanged', idOf(999)],
			],
		);
		const staticBytes = JSON.stringify(poller.staticData()).length;
		t.diagnostic(
			`1,000 numbers, default options (one request at a time): baseline poll ${Math.round(baselineMs)} ms, next poll ${Math.round(pollMs)} ms, static data ${Math.round(staticBytes / 1024)} KiB`,
		);
	});
});
