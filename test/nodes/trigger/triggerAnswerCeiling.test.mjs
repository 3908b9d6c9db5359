// The Number Trigger's ceiling on what one poll reads: answers that add up to more than 16 MiB
// (here 12 numbers whose list entry and details each carry a ~500 KB name) fail the poll with
// words a person can act on, and nothing reaches the static data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { startKaleyraEmulator } from '../../../emulator/kaleyra-emulator.mjs';
import { WABA_ID, credentialsFor } from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

const COUNT = 12;
// Twice in a list entry (name, verified_name) and once in details, each answer under 1 MiB.
const NAME_CHARS = 500_000;

describe('Number Trigger: the answer ceiling of one poll', () => {
	let emulator;
	before(async () => {
		const numbers = {};
		for (let index = 0; index < COUNT; index++) {
			numbers[String(500000000000000 + index)] = {
				phoneNumber: `+9197${String(index).padStart(8, '0')}`,
				otp: '123456',
				state: 'approved',
				name: `${'N'.repeat(NAME_CHARS)}${index}`,
			};
		}
		// One number a page, so no single answer passes the 1 MiB answer limit.
		emulator = await startKaleyraEmulator({
			numbers,
			dialect: { detailsPath: 'both', paging: 'cursor', pageSize: 1 },
		});
	});
	after(() => emulator.close());

	it('fails the poll past 16 MiB of answers and keeps the static data unchanged', async () => {
		const poller = createPoller({
			parameters: { wabaId: WABA_ID },
			credentials: credentialsFor(emulator),
		});
		await assert.rejects(poller.poll(), (error) => {
			assert.match(error.message, /answers to this poll came to more than 16 MiB/);
			assert.match(error.description, /Only These Numbers/);
			return true;
		});
		assert.deepEqual(poller.staticData(), {});
	});
});
