// The package in a running n8n (`n8n start`), as a user meets it: the credential test the
// credential modal calls, and the editor in Chromium. One n8n start serves both.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
	EXAMPLE_CREDENTIAL,
	kaleyraCredential,
	mailCredentials,
} from '../../scripts/n8n/credentials.mjs';
import { startMailServer } from '../../e2e/mail/tools/mailServer.mjs';
import { newOwner } from '../../scripts/n8n/owner.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n } from '../../scripts/n8n/server.mjs';
import { projectRoot } from '../../scripts/n8n/targets.mjs';
import { redactedKey } from '../../emulator/control.mjs';
import { DEFAULT_ACCOUNT, NUMBERS } from '../../emulator/fixtures.mjs';
import { runBatchExampleInEditor } from './lib/batchExample.mjs';
import { launchChromium } from './lib/browser.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { openInstance, readExamples } from '../../scripts/n8n/instance.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';

// One Verify Number with a mistyped OTP, run from the editor: its Success output is empty.
const WRONG_OTP_WORKFLOW = {
	id: 'kaleyraWrongOtp1',
	name: 'Kaleyra: a mistyped OTP',
	active: false,
	settings: { executionOrder: 'v1' },
	nodes: [
		{
			id: 'c0ffee00-0000-4000-8000-000000000001',
			name: 'Start',
			type: 'n8n-nodes-base.manualTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		},
		{
			id: 'c0ffee00-0000-4000-8000-000000000002',
			name: 'Verify Number',
			type: 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
			typeVersion: 1,
			position: [240, 0],
			parameters: {
				operation: 'verifyNumber',
				wabaId: DEFAULT_ACCOUNT.wabaIds[0],
				phoneNumberId: NUMBERS.pending1.id,
				phoneNumber: NUMBERS.pending1.phoneNumber,
				otp: NUMBERS.pending1.otp === '000000' ? '111111' : '000000',
				options: {},
			},
			credentials: { kaleyraWhatsAppApi: EXAMPLE_CREDENTIAL },
		},
	],
	connections: { Start: { main: [[{ node: 'Verify Number', type: 'main', index: 0 }]] } },
};

/** Waits for the page's finite animations (a panel fading in) so a screenshot is not mid-way. */
const animationsDone = (page) =>
	page.evaluate(() =>
		Promise.all(
			document
				.getAnimations()
				.filter((animation) => animation.effect?.getComputedTiming().iterations !== Infinity)
				.map((animation) => animation.finished.catch(() => {})),
		),
	);

/** The editor's sign-in page, as a person fills it in. */
async function signIn(page, url, owner) {
	await page.goto(`${url}/signin`);
	await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(owner.email);
	await page.locator('[data-test-id="password"] input').fill(owner.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((at) => !at.pathname.startsWith('/signin'));
}

/** This n8n release's screenshot folder (the editor looks different in each), made if missing. */
function screenshotsOf(instance) {
	const folder = path.join(projectRoot, 'test/e2e/screenshots', `n8n-${instance.n8n.target.n8n}`);
	fs.mkdirSync(folder, { recursive: true });
	return folder;
}

describe('the package in a running n8n: credential test and editor', { skip }, () => {
	let instance;
	let server;
	let rest;
	let mail;
	const owner = newOwner();

	before(async () => {
		const [port, brokerPort] = await freePorts(2);
		// The email example's IMAP and SMTP credentials point at a real (idle) mail server.
		mail = await startMailServer();
		instance = await openInstance({
			tarball: process.env.KALEYRA_E2E_TARBALL,
			port,
			brokerPort,
			credentials: (url) => [kaleyraCredential(url), ...mailCredentials(mail)],
			workflows: [...readExamples(), WRONG_OTP_WORKFLOW],
		});
		server = await startN8n(instance.n8n, { port });
		rest = restClient(server.url);
		await rest.setUpOwner(owner);
		await rest.login(owner);
	});
	after(() =>
		stopN8nAndClose(
			server,
			() => instance?.close(),
			() => mail?.stop(),
		),
	);

	test('credential test (POST /rest/credentials/test): good key OK, bad key Error naming SID, key and region', async () => {
		await instance.emulator.reset();
		// The editor sends the stored credential's id with the form's current values.
		const credential = kaleyraCredential(instance.emulator.url);
		const good = await rest.post('/credentials/test', { credentials: credential });
		assert.equal(good.status, 'OK', JSON.stringify(good));

		const badData = { ...credential.data, apiKey: 'Z9y8x7w6v5u4t3s2r1q0p9o8n7m6l5k43' };
		const bad = await rest.post('/credentials/test', {
			credentials: { ...credential, data: badData },
		});
		assert.equal(bad.status, 'Error', JSON.stringify(bad));
		for (const word of [/SID/, /API key/, /region/]) assert.match(bad.message, word);

		const requests = await instance.emulator.requests();
		assert.deepEqual(
			requests.map((r) => [r.method, r.path, r.headers['api-key']]),
			[
				[
					'GET',
					`/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/0/number`,
					redactedKey(DEFAULT_ACCOUNT.apiKey),
				],
				['GET', `/v2/${DEFAULT_ACCOUNT.sid}/whatsapp/0/number`, redactedKey(badData.apiKey)],
			],
		);
	});

	test("editor: the node shows its icon, Success and Error outputs, each operation's fields; both onboarding examples open; the batch example runs", async () => {
		const SCREENSHOTS = screenshotsOf(instance);
		const failureShot = path.join(SCREENSHOTS, 'failure.png');
		fs.rmSync(failureShot, { force: true });
		const browser = await launchChromium();
		const page = await browser.context.newPage();
		try {
			await signIn(page, server.url, owner);

			await page.goto(`${server.url}/workflow/kaleyraOnboard01`);
			const canvasNode = (name) =>
				page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
			for (const name of ['Verify Number', 'Retry OTP']) {
				const node = canvasNode(name);
				await node.waitFor();
				assert.equal(
					await node.getAttribute('data-node-type'),
					'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber',
				);
				// The icon is the package's own SVG, and the browser could load it.
				const icon = node.locator('img');
				assert.match(
					await icon.getAttribute('src'),
					/^\/icons\/n8n-nodes-kaleyra-whatsapp\/dist\/icons\/kaleyraWhatsApp(\.dark)?\.svg$/,
				);
				await page.waitForFunction(
					(img) => img.complete && img.naturalWidth > 0,
					await icon.elementHandle(),
				);
				assert.deepEqual(
					await node.locator('[data-test-id="canvas-node-output-handle"]').allInnerTexts(),
					['Success', 'Error'],
				);
			}
			await page.screenshot({ path: path.join(SCREENSHOTS, 'onboarding-canvas.png') });

			// Each operation's panel shows its own field and hides the other's.
			const panels = [
				{
					node: 'Verify Number',
					shown: 'otp',
					hidden: 'typeVerification',
					file: 'verify-number-parameters.png',
				},
				{
					node: 'Retry OTP',
					shown: 'typeVerification',
					hidden: 'otp',
					file: 'retry-otp-parameters.png',
				},
			];
			for (const panel of panels) {
				await canvasNode(panel.node).dblclick();
				const parameters = page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]');
				await parameters.waitFor();
				for (const name of ['wabaId', 'phoneNumberId', 'phoneNumber', panel.shown]) {
					await parameters.locator(`[data-test-id="parameter-input-${name}"]`).waitFor();
				}
				assert.equal(
					await parameters.locator(`[data-test-id="parameter-input-${panel.hidden}"]`).count(),
					0,
					`${panel.node} shows ${panel.hidden}`,
				);
				await animationsDone(page);
				await page.screenshot({ path: path.join(SCREENSHOTS, panel.file) });
				// Escape closes the node panel in n8n 1.x and 2.x alike (their close buttons differ).
				await page.keyboard.press('Escape');
				await parameters.waitFor({ state: 'detached' });
			}

			// An onboarding example on the canvas: every node there, each Kaleyra node with its two
			// outputs, and the sticky note that says what to replace.
			async function openExample(id, file) {
				await page.goto(`${server.url}/workflow/${id}`);
				const example = JSON.parse(
					fs.readFileSync(path.join(projectRoot, 'examples', file), 'utf8'),
				);
				for (const node of example.nodes.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')) {
					await canvasNode(node.name).waitFor();
					if (node.type !== 'n8n-nodes-kaleyra-whatsapp.kaleyraWhatsAppNumber') continue;
					assert.deepEqual(
						await canvasNode(node.name)
							.locator('[data-test-id="canvas-node-output-handle"]')
							.allInnerTexts(),
						['Success', 'Error'],
						`${node.name}: outputs`,
					);
				}
				await page
					.locator('[data-test-id="sticky"]', { hasText: 'Replace before you use it' })
					.waitFor();
			}
			await openExample('kaleyraOnboard03', 'onboarding-email.json');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'onboarding-email-canvas.png') });

			// The full onboarding example, and Add Number's own fields.
			await openExample('kaleyraOnboard02', 'onboarding-full.json');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'onboarding-full-canvas.png') });

			await canvasNode('Add Number').dblclick();
			const addParameters = page.locator('[data-test-id="ndv"] [data-test-id="node-parameters"]');
			await addParameters.waitFor();
			for (const name of [
				'wabaId',
				'phoneNumber',
				'countryCode',
				'displayName',
				'typeVerification',
			]) {
				await addParameters.locator(`[data-test-id="parameter-input-${name}"]`).waitFor();
			}
			for (const name of ['phoneNumberId', 'otp']) {
				assert.equal(
					await addParameters.locator(`[data-test-id="parameter-input-${name}"]`).count(),
					0,
					`Add Number shows ${name}`,
				);
			}
			await animationsDone(page);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'add-number-parameters.png') });
			await page.keyboard.press('Escape');
			await addParameters.waitFor({ state: 'detached' });

			// The batch example, run from the editor as a user would: 4 items leave by each output.
			await instance.emulator.reset();
			const labels = await runBatchExampleInEditor(page, server.url, 'kaleyraBatchDemo');
			assert.deepEqual(labels, ['1 item', '1 item', '4 items', '4 items', '8 items']);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'batch-canvas.png') });
		} catch (error) {
			// What the browser showed when it failed: the quickest way to see why.
			await page.screenshot({ path: failureShot });
			throw error;
		} finally {
			await browser.close();
		}
	});

	test('editor: a mistyped OTP, run from the editor, opens on the empty Success output with a hint to open Error', async () => {
		const SCREENSHOTS = screenshotsOf(instance);
		const failureShot = path.join(SCREENSHOTS, 'wrong-otp-failure.png');
		fs.rmSync(failureShot, { force: true });
		await instance.emulator.reset();
		const browser = await launchChromium();
		const page = await browser.context.newPage();
		try {
			await signIn(page, server.url, owner);
			await page.goto(`${server.url}/workflow/${WRONG_OTP_WORKFLOW.id}`);
			const node = page.locator('[data-test-id="canvas-node"][data-node-name="Verify Number"]');
			await node.waitFor();
			await page.locator('[data-test-id="execute-workflow-button"]').click();
			await page.locator('[data-test-id="edge-label"]', { hasText: /^1 item$/ }).waitFor();
			await node.dblclick();
			// The hint comes with the run's data: once shown, the run is there.
			const hint = page
				.locator('[data-test-id="ndv"]')
				.getByText(
					'The item went to the Error output (WA400 ×1): open the Error output to see why and what to do.',
				);
			await hint.waitFor();
			await animationsDone(page);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'wrong-otp-hint.png') });
			const requests = await instance.emulator.requests();
			assert.deepEqual(
				requests.map((r) => [r.path.split('/').at(-1), r.status]),
				[['verify', 400]],
			);
		} catch (error) {
			await page.screenshot({ path: failureShot });
			throw error;
		} finally {
			await browser.close();
		}
	});
});
