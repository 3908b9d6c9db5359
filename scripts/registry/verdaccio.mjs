// A throw-away local npm registry (the pinned Verdaccio, scripts/registry/install.mjs) on
// 127.0.0.1, over TLS with a certificate made for this run, that also answers as
// registry.npmjs.org (see npmjsProxy.mjs). No uplinks: it serves only what is published to it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { freePort, waitFor } from '../n8n/ports.mjs';
import { spawnLogged } from '../n8n/spawnLogged.mjs';
import { verdaccioInstall } from './paths.mjs';

export const NPMJS_HOST = 'registry.npmjs.org';

/** A self-signed certificate for registry.npmjs.org and 127.0.0.1, trusted only where it is given. */
function makeCertificate(dir) {
	const key = path.join(dir, 'key.pem');
	const cert = path.join(dir, 'cert.pem');
	execFileSync(
		'openssl',
		[
			'req',
			'-x509',
			'-newkey',
			'rsa:2048',
			'-nodes',
			'-days',
			'2',
			'-subj',
			`/CN=${NPMJS_HOST}`,
			'-addext',
			`subjectAltName=DNS:${NPMJS_HOST},IP:127.0.0.1`,
			'-keyout',
			key,
			'-out',
			cert,
		],
		{ stdio: 'ignore' },
	);
	return { key, cert };
}

/**
 * Starts Verdaccio with its storage in `dir`. `npmEnv` is what an npm command needs to talk to it
 * (its CA, an empty user config and a cache of its own, so nothing of the user's npm setup, nor
 * what this registry serves, leaks either way).
 */
export async function startVerdaccio(dir) {
	const install = verdaccioInstall();
	if (!fs.existsSync(install.bin))
		throw new Error(`Verdaccio is not installed: run node scripts/registry/install.mjs`);
	fs.mkdirSync(dir, { recursive: true });
	const { key, cert } = makeCertificate(dir);
	const port = await freePort();
	const url = `https://127.0.0.1:${port}`;
	const config = path.join(dir, 'config.yaml');
	fs.writeFileSync(
		config,
		[
			`storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
			`listen: ${url}`,
			'https:',
			`  key: ${JSON.stringify(key)}`,
			`  cert: ${JSON.stringify(cert)}`,
			'auth:',
			'  htpasswd:',
			`    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
			'    max_users: 1',
			// No uplinks: nothing can be fetched through it from another registry.
			'uplinks: {}',
			'packages:',
			"  '**':",
			'    access: $all',
			'    publish: $authenticated',
			'publish:',
			'  allow_offline: true',
			'web:',
			'  enable: false',
			'log: { type: stdout, format: pretty, level: warn }',
			'',
		].join('\n'),
	);
	fs.writeFileSync(path.join(dir, 'npmrc'), '');
	const npmEnv = {
		npm_config_cafile: cert,
		npm_config_userconfig: path.join(dir, 'npmrc'),
		npm_config_cache: path.join(dir, 'npm-cache'),
		npm_config_update_notifier: 'false',
		NODE_EXTRA_CA_CERTS: cert,
	};
	const { child, output, exited } = spawnLogged(process.execPath, [install.bin, '-c', config], {
		env: { ...process.env, ...npmEnv },
	});
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		child.kill('SIGTERM');
		await exited;
	};
	const ca = fs.readFileSync(cert);
	const call = (method, pathname, body) =>
		new Promise((resolve, reject) => {
			const req = https.request(
				`${url}${pathname}`,
				{ method, ca, headers: body ? { 'content-type': 'application/json' } : {} },
				(res) => {
					let text = '';
					res.on('data', (chunk) => (text += chunk));
					res.on('end', () => resolve({ status: res.statusCode, body: text }));
				},
			);
			req.once('error', reject);
			req.end(body && JSON.stringify(body));
		});
	try {
		await waitFor(
			async () => {
				if (child.exitCode !== null)
					throw new Error(`Verdaccio exited with code ${child.exitCode}\n${output()}`);
				return (await call('GET', '/-/ping').catch(() => ({ status: 0 }))).status === 200;
			},
			{ timeoutMs: 60_000, what: 'Verdaccio to answer /-/ping' },
		);
	} catch (error) {
		await stop();
		throw error;
	}

	let token;
	/** `npm publish` of an unpacked package folder, as its publisher would. */
	async function publish(packageDir) {
		if (!token) {
			// What `npm adduser` does: the first user of an empty htpasswd file signs itself up.
			const res = await call('PUT', '/-/user/org.couchdb.user:publisher', {
				name: 'publisher',
				password: 'publisher-password',
			});
			if (res.status !== 201) throw new Error(`Verdaccio adduser: HTTP ${res.status} ${res.body}`);
			token = JSON.parse(res.body).token;
		}
		execFileSync(
			'npm',
			[
				'publish',
				packageDir,
				'--ignore-scripts',
				`--registry=${url}/`,
				`--//127.0.0.1:${port}/:_authToken=${token}`,
				'--loglevel=error',
			],
			{ env: { ...process.env, ...npmEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
		);
	}
	return { url, port, cert, npmEnv, publish, stop, output };
}
