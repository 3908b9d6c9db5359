// The Number Trigger does not trust one poll with a list that drops every number, or with a
// watched field that disappears (a maintenance page, a lying proxy): it reports them only when a
// second poll in a row sees the same, and then once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { WABA_ID, credentialsFor, useEmulator } from '../../helpers/kaleyra.mjs';
import { createPoller } from '../../helpers/poll.mjs';
import { addNumberThroughApi } from './numbers.mjs';

// No fixtures: every number is added through the API, so a reset empties the WABA's list and
// adding the same numbers again in the same order gives them the same IDs.
const getEmulator = useEmulator({ numbers: {}, dialect: { detailsPath: 'both', limits: 'both' } });
const NATIONAL = ['9765400091', '9765400092', '9765400093'];

async function addAll(emulator) {
	for (const [index, nationalNumber] of NATIONAL.entries())
		await addNumberThroughApi(emulator, { nationalNumber, name: `Acme Line ${index}` });
}

const pollerFor = (emulator) =>
	createPoller({
		parameters: { wabaId: WABA_ID, options: { maxTries: 1 } },
		credentials: credentialsFor(emulator),
	});

const eventsOf = (items) => (items ?? []).map(({ event }) => event);

describe('Number Trigger: changes a second poll must confirm', () => {
	it('an empty list for one poll, then the full list again: no event', async () => {
		const emulator = getEmulator();
		await addAll(emulator);
		const poller = pollerFor(emulator);
		assert.equal(await poller.poll(), null);
		const baseline = poller.staticData().baseline.numbers;
		emulator.reset();
		assert.equal(await poller.poll(), null);
		assert.deepEqual(poller.staticData().baseline.numbers, baseline, 'the baseline is kept');
		await addAll(emulator);
		assert.equal(await poller.poll(), null);
		assert.equal(await poller.poll(), null);
	});

	it('an empty list two polls in a row: every number removed, reported once', async () => {
		const emulator = getEmulator();
		await addAll(emulator);
		const poller = pollerFor(emulator);
		assert.equal(await poller.poll(), null);
		emulator.reset();
		assert.equal(await poller.poll(), null);
		assert.deepEqual(eventsOf(await poller.poll()), Array(NATIONAL.length).fill('numberRemoved'));
		assert.equal(await poller.poll(), null);
		assert.deepEqual(poller.staticData().baseline.numbers, []);
	});

	it('a watched field missing for one poll: no event; missing two polls in a row: one event', async () => {
		const emulator = getEmulator();
		await addAll(emulator);
		for (const id of Object.keys(emulator.numbers()))
			emulator.updateNumber(id, { limit: 'TIER_1K' });
		const poller = pollerFor(emulator);
		assert.equal(await poller.poll(), null);
		// Without the deprecated tier for one poll, then with it again.
		emulator.setDialect({ limits: 'portfolio' });
		assert.equal(await poller.poll(), null);
		emulator.setDialect({ limits: 'both' });
		assert.equal(await poller.poll(), null);
		// Without it for two polls: its disappearance is reported then, once for each number.
		emulator.setDialect({ limits: 'portfolio' });
		assert.equal(await poller.poll(), null);
		const items = await poller.poll();
		assert.deepEqual(eventsOf(items), Array(NATIONAL.length).fill('messagingLimitChanged'));
		assert.ok(items.every(({ previous, current }) => previous === 'TIER_1K' && current === null));
		assert.equal(await poller.poll(), null);
	});
});
