// The Number Trigger remembers, per node, the details path form its last poll learned: in the
// digits dialect the first poll costs 1 + N + 1 requests (one to learn the form), each later
// one 1 + N. A remembered form that has gone stale is a first guess only: the poll still works.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NUMBERS, WABA_ID, credentialsFor, useEmulator } from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';

const getEmulator = useEmulator({ dialect: { detailsPath: 'digits' } });
const COUNT = Object.keys(NUMBERS).length;

async function requestsOf(emulator, poll) {
	const before = emulator.requests.length;
	const result = await poll();
	return { result, sent: emulator.requests.length - before };
}

describe('Number Trigger: the details path form between polls', () => {
	it('sends 1 + N requests from the second poll on, in the digits dialect', async () => {
		const emulator = getEmulator();
		const poller = createPoller({
			parameters: { wabaId: WABA_ID },
			credentials: credentialsFor(emulator),
			workflowId: 'form-memory-digits',
		});
		const first = await requestsOf(emulator, () => poller.poll());
		assert.equal(first.sent, 1 + COUNT + 1);
		emulator.updateNumber(NUMBERS.pending1.id, { nameStatus: 'APPROVED' });
		const second = await requestsOf(emulator, () => poller.poll());
		assert.equal(second.sent, 1 + COUNT);
		assert.deepEqual(
			second.result.map(({ event }) => event),
			['nameStatusChanged'],
		);
		assert.equal((await requestsOf(emulator, () => poller.poll())).sent, 1 + COUNT);
	});

	it('learns again, with one extra request, when the remembered form has gone stale', async () => {
		const emulator = getEmulator();
		const poller = createPoller({
			parameters: { wabaId: WABA_ID },
			credentials: credentialsFor(emulator),
			workflowId: 'form-memory-stale',
		});
		assert.equal((await requestsOf(emulator, () => poller.poll())).sent, 1 + COUNT + 1);
		emulator.setDialect({ detailsPath: 'plus' });
		emulator.updateNumber(NUMBERS.approved.id, { qualityRating: 'YELLOW' });
		const stale = await requestsOf(emulator, () => poller.poll());
		assert.equal(stale.sent, 1 + COUNT + 1);
		assert.deepEqual(
			stale.result.map(({ event }) => event),
			['qualityRatingChanged'],
		);
		assert.equal((await requestsOf(emulator, () => poller.poll())).sent, 1 + COUNT);
	});
});
