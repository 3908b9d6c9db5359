// The peer: n8n's own HTTP Request node (n8n-nodes-base, from the pinned n8n install that
// `node scripts/n8n/install.mjs` makes) with a Header Auth credential carrying `api-key`,
// sending the Kaleyra node's request for every item, run by the same engine as the node
// (test/helpers/engine.mjs: n8n-core's WorkflowExecute and its credentials helper).
//
// N in flight: HTTP Request starts the requests of all the items it is given without waiting
// (its Batching option only spaces the starts out, it caps nothing) and awaits them together.
// So it gets N items per run, one run after the other: N requests in flight at the start of a
// run, none beyond N ever (the emulator's max-in-flight counter checks it). That is what a
// Loop Over Items node with batch size N does in a workflow, without the loop's own cost.
// `mode: 'lanes'` instead runs N one-item runs side by side (N in flight all the time, one
// WorkflowExecute run per item): slower and costlier per item here, so not the default.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { resolveTarget } from '../scripts/n8n/targets.mjs';
import { DEFAULT_ACCOUNT } from '../emulator/fixtures.mjs';

export const PEER_TYPE = 'n8n-nodes-base.httpRequest';
// The HTTP Request version a new node gets in n8n 2.41.1 (its defaultVersion).
export const PEER_VERSION = 4.5;
export const baseNodesDir = () =>
	path.join(resolveTarget('v2').dir, 'node_modules', 'n8n-nodes-base');
const HTTP_REQUEST_FILE = 'dist/nodes/HttpRequest/HttpRequest.node.js';

/** Installs the pinned n8n (scripts/n8n/install.mjs) when its n8n-nodes-base is missing. */
export function ensureN8nInstalled(log) {
	if (existsSync(path.join(baseNodesDir(), HTTP_REQUEST_FILE))) return;
	log(`no n8n-nodes-base under ${resolveTarget('v2').dir}: installing n8n for the peer`);
	const script = fileURLToPath(new URL('../scripts/n8n/install.mjs', import.meta.url));
	// Its output goes to stderr with ours: stdout is the report's.
	const { status } = spawnSync(process.execPath, [script, 'v2'], { stdio: ['ignore', 2, 2] });
	if (status !== 0) throw new Error(`scripts/n8n/install.mjs exited ${status}`);
}

/** The HTTP Request node's parameters: the Kaleyra node's Verify Number, mapped from `$json`. */
export function peerParameters(url, sid = DEFAULT_ACCOUNT.sid) {
	return {
		method: 'POST',
		url: `=${url}/v2/${sid}/whatsapp/{{ $json.wabaId }}/number/verify`,
		authentication: 'genericCredentialType',
		genericAuthType: 'httpHeaderAuth',
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'accept', value: 'application/json' }] },
		sendBody: true,
		specifyBody: 'json',
		jsonBody:
			'={ "id": "{{ $json.phoneNumberId }}", "phone_number": "{{ $json.phoneNumber }}", "otp": "{{ $json.otp }}" }',
		// Like the node, which never follows a redirect (HTTP Request 4.x follows by default).
		options: { redirect: { redirect: { followRedirects: false } } },
	};
}

/** Loads HTTP Request (and the Header Auth type) with n8n-core's own package loader. */
export async function loadPeer() {
	const engine = await import('../test/helpers/engine.mjs');
	const require = createRequire(import.meta.url);
	// One n8n-workflow and one n8n-core in the process, as in n8n: the install's n8n-nodes-base
	// gets the project's copies (the same versions, 2.41.x) instead of its own.
	const shared = new Map(['n8n-workflow', 'n8n-core'].map((name) => [name, require.resolve(name)]));
	const resolve = Module._resolveFilename;
	Module._resolveFilename = function (request, ...rest) {
		return shared.get(request) ?? resolve.call(this, request, ...rest);
	};
	const { PackageDirectoryLoader } = require('n8n-core');
	const { NodeHelpers } = require('n8n-workflow');
	// Only the two files, not the whole package (500 nodes would weigh on the peer's RSS).
	const loader = new PackageDirectoryLoader(baseNodesDir());
	loader.loadNodeFromFile(HTTP_REQUEST_FILE);
	loader.loadCredentialFromFile('dist/credentials/HttpHeaderAuth.credentials.js');
	const httpRequest = loader.getNode('httpRequest').type;
	const types = {
		getByName: () => httpRequest,
		getByNameAndVersion: (_type, version) => NodeHelpers.getVersionedNodeType(httpRequest, version),
		getKnownTypes: () => loader.known.nodes,
	};
	// n8n lets HTTP Request use any credential type (FULL_ACCESS_NODE_TYPES), so does this.
	class PeerCredentialsHelper extends engine.TestCredentialsHelper {
		isCredentialUsableByNode() {
			return true;
		}
	}

	/** One WorkflowExecute run of the HTTP Request node on `items`; its output items. */
	async function runOnce(node, items, credentials) {
		const run = await engine.runWorkflow({
			nodes: [node],
			startNode: node,
			items,
			types,
			credentialsHelper: new PeerCredentialsHelper({ httpHeaderAuth: credentials }, types),
		});
		const error = run.data.resultData.error;
		if (error) throw error;
		return run.data.resultData.runData[node.name][0].data.main[0];
	}

	/**
	 * `items` through HTTP Request with `concurrency` requests in flight; all outputs, in order.
	 * batches: runs of `concurrency` items, one after the other; lanes: `concurrency` runs of one
	 * item side by side, each taking the next item as it ends.
	 */
	async function runPeer({
		url,
		items,
		concurrency,
		mode = 'batches',
		apiKey = DEFAULT_ACCOUNT.apiKey,
	}) {
		const node = {
			id: 'kaleyra-peer-node',
			name: 'HTTP Request',
			type: PEER_TYPE,
			typeVersion: PEER_VERSION,
			position: [0, 0],
			parameters: peerParameters(url),
			credentials: { httpHeaderAuth: { id: 'cred-2', name: 'Kaleyra api-key' } },
		};
		const credentials = { name: 'api-key', value: apiKey };
		const size = mode === 'lanes' ? 1 : concurrency;
		const lanes = mode === 'lanes' ? concurrency : 1;
		const outputs = new Array(items.length);
		let next = 0;
		const lane = async () => {
			while (next < items.length) {
				const start = next;
				next += size;
				const output = await runOnce(node, items.slice(start, start + size), credentials);
				output.forEach((item, i) => (outputs[start + i] = item));
			}
		};
		await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
		return outputs;
	}

	return { runPeer, runOnce };
}
