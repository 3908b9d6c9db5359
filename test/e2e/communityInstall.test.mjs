// The install path n8n users take: Settings → Community Nodes → Install, from a registry, in
// Chromium; then the update to a newer release through the same screen; and on n8n 2.x the
// install n8n makes itself at start from N8N_COMMUNITY_PACKAGES. The registry is a local
// Verdaccio holding this package's tarball as 0.1.0 and 0.2.0, reached as registry.npmjs.org
// through a proxy that refuses every other host (scripts/registry).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { kaleyraCredential } from '../../scripts/n8n/credentials.mjs';
import { startEmulator } from '../../scripts/n8n/emulator.mjs';
import { n8nEnv } from '../../scripts/n8n/env.mjs';
import { newOwner } from '../../scripts/n8n/owner.mjs';
import { freePorts } from '../../scripts/n8n/ports.mjs';
import { restClient } from '../../scripts/n8n/rest.mjs';
import { startN8n } from '../../scripts/n8n/server.mjs';
import { projectRoot, resolveTarget } from '../../scripts/n8n/targets.mjs';
import { startNpmjsProxy } from '../../scripts/registry/npmjsProxy.mjs';
import { NPMJS_HOST, startVerdaccio } from '../../scripts/registry/verdaccio.mjs';
import { launchChromium, signIn } from './lib/browser.mjs';
import { runBatchExampleInEditor } from './lib/batchExample.mjs';
import { installFromSettings, listTree, updateFromSettings } from './lib/communityNodes.mjs';
import { startRecording, videoWanted } from './lib/recording.mjs';
import { stopN8nAndClose } from './lib/stopN8n.mjs';
import { unpackAs } from './lib/versionedPackage.mjs';

const skip = process.env.KALEYRA_E2E_TARBALL ? false : 'needs a real n8n: run `npm run test:e2e`';
const PACKAGE = 'n8n-nodes-kaleyra-whatsapp';
const NODE_TYPE = `${PACKAGE}.kaleyraWhatsAppNumber`;
const TRIGGER_TYPE = `${PACKAGE}.kaleyraWhatsAppNumberTrigger`;

/**
 * What n8n's installer leaves in the user folder: the package alone, with no node_modules of its
 * own (its peer dependency on n8n-workflow is dropped, so n8n is not pulled in again).
 */
function assertInstalledAlone(userFolder, version) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	assert.deepEqual(listTree(nodesDir), [
		'.npmrc', // the test's own (startInstance)
		'node_modules/',
		`node_modules/${PACKAGE}/`,
		`node_modules/${PACKAGE}/LICENSE.md`,
		`node_modules/${PACKAGE}/README.md`,
		`node_modules/${PACKAGE}/dist/`,
		`node_modules/${PACKAGE}/package.json`,
		'package.json',
	]);
	const nodesManifest = JSON.parse(fs.readFileSync(path.join(nodesDir, 'package.json'), 'utf8'));
	assert.deepEqual(nodesManifest.dependencies, { [PACKAGE]: version });
	const installed = JSON.parse(
		fs.readFileSync(path.join(nodesDir, 'node_modules', PACKAGE, 'package.json'), 'utf8'),
	);
	assert.equal(installed.version, version);
	for (const key of ['dependencies', 'peerDependencies', 'devDependencies'])
		assert.equal(installed[key], undefined, `installed package.json has ${key}`);
}

/** The batch example, pointed at a credential made in this n8n. */
function batchWorkflow(credential) {
	const example = JSON.parse(
		fs.readFileSync(path.join(projectRoot, 'examples', 'verify-numbers-batch.json'), 'utf8'),
	);
	const nodes = example.nodes.map((node) =>
		node.credentials
			? {
					...node,
					credentials: { kaleyraWhatsAppApi: { id: credential.id, name: credential.name } },
				}
			: node,
	);
	// `active`: n8n 1.x's database wants it named.
	return {
		name: example.name,
		nodes,
		connections: example.connections,
		settings: {},
		active: false,
	};
}

describe('Community Nodes install from a registry, as users install', { skip }, () => {
	const target = resolveTarget();
	const SCREENSHOTS = path.join(projectRoot, 'test/e2e/screenshots', `n8n-${target.n8n}`);
	let dir;
	let registry;
	let proxy;
	let emulator;
	let server;
	let browser;
	let page;
	let rest;
	let userFolder;
	let workflowId;
	let recording;
	const owner = newOwner();

	/** n8n's environment here: its only way out is the proxy, which knows registry.npmjs.org. */
	async function startInstance(name, extraEnv = {}) {
		const [port, brokerPort] = await freePorts(2);
		const folder = path.join(dir, name);
		// n8n 1.x runs `npm outdated` (the Update button) with only PATH from its environment, and
		// without --registry: npm then reads the nodes folder's .npmrc, where an n8n admin behind a
		// proxy puts it too. Without it, that npm would reach the real network.
		const nodesDir = path.join(folder, '.n8n', 'nodes');
		fs.mkdirSync(nodesDir, { recursive: true });
		fs.writeFileSync(
			path.join(nodesDir, '.npmrc'),
			[
				`registry=https://${NPMJS_HOST}/`,
				`proxy=${proxy.url}`,
				`https-proxy=${proxy.url}`,
				`cafile=${registry.cert}`,
				`cache=${registry.npmEnv.npm_config_cache}`,
				'',
			].join('\n'),
		);
		const env = {
			...n8nEnv(target, { userFolder: folder, port, brokerPort }),
			...registry.npmEnv,
			...proxy.env,
			...extraEnv,
		};
		return { folder, server: await startN8n({ target, env }, { port }) };
	}

	before(async () => {
		dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kaleyra-community-'));
		fs.mkdirSync(SCREENSHOTS, { recursive: true });
		registry = await startVerdaccio(path.join(dir, 'registry'));
		// Both releases from the start, so the Update the card offers does not hang on when npm
		// refreshes the package metadata it cached at the first install; that install names its
		// version, as the install dialog allows.
		for (const version of ['0.1.0', '0.2.0'])
			await registry.publish(unpackAs(process.env.KALEYRA_E2E_TARBALL, version, dir));
		proxy = await startNpmjsProxy({ port: registry.port, ca: fs.readFileSync(registry.cert) });
		emulator = await startEmulator();
		({ folder: userFolder, server } = await startInstance('user'));
		rest = restClient(server.url);
		await rest.setUpOwner(owner);
		await rest.login(owner);
		browser = await launchChromium();
		page = await browser.context.newPage();
		if (videoWanted)
			recording = await startRecording(page, path.join(SCREENSHOTS, 'community-install.mp4'));
		await signIn(page, server.url, owner);
	});
	after(async () => {
		try {
			if (recording) console.log(`[e2e] video: ${await recording.stop()}`);
		} finally {
			await browser?.close();
		}
		await stopN8nAndClose(
			server,
			() => emulator?.stop(),
			() => proxy?.stop(),
			() => registry?.stop(),
			() => fs.rmSync(dir, { recursive: true, force: true }),
		);
	});

	/** On failure, what the browser showed: the quickest way to see why. */
	async function withFailureShot(fn) {
		try {
			await fn();
		} catch (error) {
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-failure.png') });
			throw error;
		}
	}

	test('Settings → Community Nodes → Install: the package from the registry, alone in the nodes folder', async (t) => {
		await withFailureShot(async () => {
			const dialog = await installFromSettings(page, server.url, `${PACKAGE}@0.1.0`);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-install-dialog.png') });
			await dialog.install();
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-installed.png') });
		});
		const [installed] = await rest.get('/community-packages');
		assert.equal(installed.packageName, PACKAGE);
		assert.equal(installed.installedVersion, '0.1.0');
		assert.deepEqual(installed.installedNodes.map((node) => node.type).sort(), [
			NODE_TYPE,
			TRIGGER_TYPE,
		]);
		assertInstalledAlone(userFolder, '0.1.0');
		// n8n and its npm went to registry.npmjs.org, which the proxy took to the local registry.
		const asked = proxy.asked();
		assert.ok(
			asked.some((ask) => ask.allowed),
			`n8n never reached ${NPMJS_HOST}: ${JSON.stringify(asked)}`,
		);
		const refused = [...new Set(asked.filter((ask) => !ask.allowed).map((ask) => ask.target))];
		t.diagnostic(`hosts n8n asked for and the proxy refused: ${refused.join(', ') || 'none'}`);
	});

	/** Opens the node panel (+) and searches it; answers the results' names and descriptions. */
	async function searchNodePanel(text) {
		await page.locator('[data-test-id="node-creator-plus-button"]').click();
		await page.locator('[data-test-id="node-creator-search-bar"]').fill(text);
		const names = page.locator('[data-test-id="node-creator-item-name"]');
		// The search answers as the user types: wait for its results, not the list it replaces.
		await names.filter({ hasText: text }).first().waitFor();
		return {
			names: (await names.allInnerTexts()).map((name) => name.trim()),
			descriptions: await page
				.locator('[data-test-id="node-creator-item-description"]')
				.allInnerTexts(),
		};
	}

	test('the node and its trigger in the node panel; the credential made and its test passing; a workflow with the node runs', async () => {
		// An empty workflow's panel offers triggers: n8n lists the Number Trigger under the
		// node's name, with the trigger's description.
		await withFailureShot(async () => {
			await page.goto(`${server.url}/workflow/new`);
			const triggers = await searchNodePanel('Kaleyra');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-node-panel-trigger.png') });
			assert.deepEqual(triggers.names, ['Kaleyra WhatsApp Number']);
			// 2.x shows the trigger's description there; 1.x shows none.
			if (triggers.descriptions.length > 0)
				assert.match(triggers.descriptions[0], /^Starts the workflow when/);
		});

		// The credential, made as the credential modal makes it, then its Test.
		const { data, type, name } = kaleyraCredential(emulator.url);
		const credential = await rest.post('/credentials', { name, type, data });
		await emulator.reset();
		const tested = await rest.post('/credentials/test', {
			credentials: { id: credential.id, name, type, data },
		});
		assert.equal(tested.status, 'OK', JSON.stringify(tested));
		assert.equal((await emulator.requests()).length, 1);

		const workflow = await rest.post('/workflows', batchWorkflow(credential));
		workflowId = workflow.id;
		// A workflow with a trigger: the panel offers the node itself.
		await withFailureShot(async () => {
			await page.goto(`${server.url}/workflow/${workflowId}`);
			const nodes = await searchNodePanel('Kaleyra');
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-node-panel.png') });
			assert.ok(nodes.names.includes('Kaleyra WhatsApp Number'), JSON.stringify(nodes));
			await page.keyboard.press('Escape');
		});
		await runBatchWorkflow('community-workflow-0.1.0.png');
	});

	/** Runs the saved workflow from the editor: 4 items leave by each of the node's outputs. */
	async function runBatchWorkflow(shot) {
		await emulator.reset();
		let labels;
		await withFailureShot(async () => {
			labels = await runBatchExampleInEditor(page, server.url, workflowId);
			await page.screenshot({ path: path.join(SCREENSHOTS, shot) });
		});
		assert.deepEqual(labels, ['1 item', '1 item', '4 items', '4 items', '8 items']);
		// One request per number at least (a number the emulator answers as busy is tried again).
		assert.ok((await emulator.requests()).length >= 8);
	}

	test('the update to 0.2.0 through the same screen; the saved workflow still runs', async () => {
		await withFailureShot(async () => {
			await updateFromSettings(page, server.url, PACKAGE);
			await page.screenshot({ path: path.join(SCREENSHOTS, 'community-updated.png') });
		});
		const [installed] = await rest.get('/community-packages');
		assert.equal(installed.installedVersion, '0.2.0');
		assertInstalledAlone(userFolder, '0.2.0');
		await runBatchWorkflow('community-workflow-0.2.0.png');
	});

	test(
		'N8N_COMMUNITY_PACKAGES: n8n installs the package itself at start',
		{
			skip: target.n8n.startsWith('1.') && 'n8n 1.x has no N8N_COMMUNITY_PACKAGES',
		},
		async () => {
			const instance = await startInstance('from-env', {
				N8N_COMMUNITY_PACKAGES_MANAGED_BY_ENV: 'true',
				N8N_COMMUNITY_PACKAGES: JSON.stringify([{ name: PACKAGE, version: '0.2.0' }]),
			});
			try {
				const envRest = restClient(instance.server.url);
				await envRest.setUpOwner(newOwner());
				const [installed] = await envRest.get('/community-packages');
				assert.equal(installed?.packageName, PACKAGE);
				assert.equal(installed.installedVersion, '0.2.0');
				assertInstalledAlone(instance.folder, '0.2.0');
			} finally {
				await instance.server.stop();
			}
		},
	);
});
