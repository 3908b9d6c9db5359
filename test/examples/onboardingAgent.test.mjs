// examples/onboarding-agent.json as shipped: its chat is not for strangers. Only signed-in n8n
// users reach a chat that is not public; turned public, it still asks for n8n User Auth. Its
// sticky note says why (the e2e, test/e2e/agent.test.mjs, runs it in a real n8n).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const workflow = JSON.parse(
	readFileSync(new URL('../../examples/onboarding-agent.json', import.meta.url), 'utf8'),
);

describe('examples/onboarding-agent.json', () => {
	it('ships its Chat Trigger not public, with n8n User Auth should it be made public', () => {
		const triggers = workflow.nodes.filter(({ type }) => type.endsWith('.chatTrigger'));
		assert.equal(triggers.length, 1);
		assert.equal(triggers[0].parameters.public, false);
		assert.equal(triggers[0].parameters.authentication, 'n8nUserAuth');
	});

	it('says on a sticky note why the chat must not be published to strangers', () => {
		const notes = workflow.nodes
			.filter(({ type }) => type === 'n8n-nodes-base.stickyNote')
			.map(({ parameters }) => parameters.content);
		assert.ok(
			notes.some((note) => /strangers/.test(note) && /system prompt/.test(note)),
			JSON.stringify(notes),
		);
	});
});
