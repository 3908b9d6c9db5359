// The Number Trigger in a running n8n (`n8n start`), through examples/number-alerts.json,
// published: its activation poll records the numbers; a display name approved and a number
// flagged on the emulator start one execution, by the next poll, with one item each, and the
// team gets a mail for each. Then the editor: the trigger on the canvas, and Fetch Test Event.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import { startMailServer } from '../../e2e/mail/tools/mailServer.mjs';
import { kaleyraCredential, mailCredentials } from '../../scripts/n8n/credentials.mjs';
import { ALERTS_EXAMPLE_ID, openInstance, readExamples } from '../../scripts/n8n/instance.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { newOwner } from '../../scripts/n8n/owner.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n } from '../../scripts/n8n/server.mjs';
import { projectRoot } from '../../scripts/n8n/targets.mjs';
import { launchChromium } from './lib/browser.mjs';
import { executionFromRest, outputsOf } from './lib/runData.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

const TRIGGER = 'Number changed';
const NUMBER_COUNT = Object.keys(NUMBERS).length;
// The example polls every minute: a change waits at most that long, plus the poll itself.
const POLL_WAIT_MS = 150_000;
const LIST_PATH = `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/${DEFAULT_ACCOUNT.wabaIds[0]}/number`;

describe('Number Trigger in a running n8n: examples/number-alerts.json published', { skip }, () => {
	let instance;
	let server;
	let rest;
	let mail;
	const owner = newOwner();

	/** The polls the emulator saw: each one's list request, and whether its details all came. */
	async function polls() {
		const requests = await instance.emulator.requests();
		const starts = requests
			.map((request, index) => ({ ...request, index }))
			.filter((request) => request.path === LIST_PATH);
		return starts.map((start) => ({
			receivedAt: start.receivedAt,
			complete: requests.length - start.index >= 1 + NUMBER_COUNT,
		}));
	}

	async function waitFor(what, check) {
		const deadline = Date.now() + POLL_WAIT_MS;
		for (;;) {
			const value = await check();
			if (value) return value;
			assert.ok(Date.now() < deadline, `${what}: not within ${POLL_WAIT_MS} ms`);
			await sleep(500);
		}
	}

	async function executions() {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: ALERTS_EXAMPLE_ID }));
		const { results } = await rest.get(`/executions?filter=${filter}`);
		return results;
	}

	before(async () => {
		const [port, brokerPort] = await freePorts(2);
		mail = await startMailServer();
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort,
			credentials: (url) => [kaleyraCredential(url), ...mailCredentials(mail)],
			workflows: readExamples().filter((workflow) => workflow.id === ALERTS_EXAMPLE_ID),
			activate: [ALERTS_EXAMPLE_ID],
		});
		// Both forms of the number in the details path are accepted: this suite is about the
		// trigger, whichever form the action node's Get Number Details sends.
		await instance.emulator.setDialect({ detailsPath: 'both' });
		server = await startN8n(instance.n8n, { port });
		rest = restClient(server.url);
		await rest.setUpOwner(owner);
	});
	after(() =>
		stopN8nAndClose(
			server,
			() => instance?.close(),
			() => mail?.stop(),
		),
	);

	test('a display name approved and a number flagged start one execution at the next poll, one item each, and mail the team', async (t) => {
		// Activation ran the first poll: the baseline, no execution.
		await waitFor('the activation poll', async () => (await polls())[0]?.complete);
		assert.deepEqual(await executions(), []);

		const changedAt = Date.now();
		await instance.emulator.updateNumber(NUMBERS.pending1.id, { nameStatus: 'APPROVED' });
		await instance.emulator.updateNumber(NUMBERS.approved.id, { status: 'FLAGGED' });
		const [summary] = await waitFor('an execution', async () => {
			const found = await executions();
			return found.length > 0 && !['new', 'running', 'waiting'].includes(found[0].status)
				? found
				: undefined;
		});
		const execution = executionFromRest(
			instance.n8n.target,
			await rest.get(`/executions/${summary.id}`),
		);
		assert.equal(execution.status, 'success');
		const [items] = outputsOf(execution, TRIGGER);
		assert.deepEqual(
			items.map(({ event, phoneNumber, phoneNumberId, previous, current }) => ({
				event,
				phoneNumber,
				phoneNumberId,
				previous,
				current,
			})),
			[
				{
					event: 'nameStatusChanged',
					phoneNumber: NUMBERS.pending1.phoneNumber,
					phoneNumberId: NUMBERS.pending1.id,
					previous: 'PENDING_REVIEW',
					current: 'APPROVED',
				},
				{
					event: 'statusChanged',
					phoneNumber: NUMBERS.approved.phoneNumber,
					phoneNumberId: NUMBERS.approved.id,
					previous: 'CONNECTED',
					current: 'FLAGGED',
				},
			],
		);
		assert.equal(items[0].data.verified_name, NUMBERS.pending1.name);
		// Started by the first poll after the change, not a later one.
		const later = (await polls()).filter(({ receivedAt }) => receivedAt > changedAt);
		if (later.length > 1) assert.ok(new Date(execution.startedAt).getTime() < later[1].receivedAt);
		t.diagnostic(
			`n8n ${instance.n8n.target.n8n}: execution started ${Math.round((new Date(execution.startedAt).getTime() - changedAt) / 1000)} s after the change (poll every minute)`,
		);

		const approved = await mail.waitForMail('team', (m) => /display name approved/.test(m.subject));
		assert.equal(
			approved.subject,
			`WhatsApp number ${NUMBERS.pending1.phoneNumber}: display name approved`,
		);
		assert.match(approved.text, /from PENDING_REVIEW to APPROVED/);
		const flagged = await mail.waitForMail('team', (m) => /is flagged/.test(m.subject));
		assert.equal(flagged.subject, `WhatsApp number ${NUMBERS.approved.phoneNumber} is flagged`);
		assert.match(flagged.text, /from CONNECTED to FLAGGED/);

		// Exactly once: the next poll, which sees the same values, starts nothing.
		const pollsSoFar = (await polls()).length;
		await waitFor('the next poll', async () => {
			const all = await polls();
			return all.length > pollsSoFar && all.at(-1).complete;
		});
		assert.equal((await executions()).length, 1);
		// The baseline n8n stored, and the execution, hold no API key; the trigger only read.
		const workflow = await rest.get(`/workflows/${ALERTS_EXAMPLE_ID}`);
		assert.ok(!JSON.stringify(workflow).includes(DEFAULT_ACCOUNT.apiKey));
		assert.ok(!JSON.stringify(execution).includes(DEFAULT_ACCOUNT.apiKey));
		assert.ok((await instance.emulator.requests()).every(({ method }) => method === 'GET'));
	});

	test('editor: the trigger on the canvas, and Fetch Test Event shows the current numbers', async () => {
		const SCREENSHOTS = path.join(
			projectRoot,
			'test/e2e/screenshots',
			`n8n-${instance.n8n.target.n8n}`,
		);
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		const browser = await launchChromium();
		const page = await browser.context.newPage();
		try {
			await page.goto(`${server.url}/signin`);
			await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(owner.email);
			await page.locator('[data-test-id="password"] input').fill(owner.password);
			await page.locator('[data-test-id="form-submit-button"]').click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'));

			await page.goto(`${server.url}/workflow/${ALERTS_EXAMPLE_ID}`);
			const trigger = page.locator(`[data-test-id="canvas-node"][data-node-name="${TRIGGER}"]`);
			await trigger.waitFor();
			assert.equal(
				await trigger.getAttribute('data-node-type'),
				'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumberTrigger',
			);
			const icon = trigger.locator('img');
			assert.match(
				await icon.getAttribute('src'),
				/^\/icons\/n8n-nodes-kaleyra-whatsapp\/dist\/icons\/kaleyraWhatsApp(\.dark)?\.svg$/,
			);
			await page.waitForFunction(
				(img) => img.complete && img.naturalWidth > 0,
				await icon.elementHandle(),
			);
			await page
				.locator('[data-test-id="sticky"]', { hasText: 'Replace before you use it' })
				.waitFor();
			await page.screenshot({ path: path.join(SCREENSHOTS, 'number-alerts-canvas.png') });

			await trigger.dblclick();
			const ndv = page.locator('[data-test-id="ndv"]');
			for (const name of ['wabaId', 'events']) {
				await ndv.locator(`[data-test-id="parameter-input-${name}"]`).waitFor();
			}
			await ndv
				.getByRole('button', { name: /Fetch Test Event/i })
				.first()
				.click();
			// Each current number is an item: the last fixture's number shows once all have come.
			await ndv.getByText(NUMBERS.unavailable.phoneNumber).first().waitFor({ timeout: 60_000 });
			await page.screenshot({
				path: path.join(SCREENSHOTS, 'number-trigger-fetch-test-event.png'),
			});
		} catch (error) {
			await page.screenshot({ path: path.join(SCREENSHOTS, 'number-trigger-failure.png') });
			throw error;
		} finally {
			await browser.close();
		}
	});
});
