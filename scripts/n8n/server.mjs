// `n8n start` as a child process: wait until it is ready, stop it and everything it started.
import { spawnLogged } from './spawnLogged.mjs';

const READY_TIMEOUT_MS = 120_000;

/**
 * @param {{ target: ReturnType<import('./targets.mjs').resolveTarget>, env: NodeJS.ProcessEnv }} n8n
 * @param {{ port: number, log?: (chunk: string) => void }} opts
 */
export async function startN8n({ target, env }, { port, log = () => {} }) {
	// Its own process group, so that stop() also ends the task runner n8n spawns.
	const { child, output, exited } = spawnLogged(target.nodeBin, [target.n8nBin, 'start'], {
		env,
		detached: true,
		log,
	});

	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (child.exitCode !== null || child.signalCode !== null) return;
		process.kill(-child.pid, 'SIGTERM');
		const timer = setTimeout(() => process.kill(-child.pid, 'SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
	};

	const deadline = Date.now() + READY_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`n8n start exited with code ${child.exitCode}\n${output()}`);
		try {
			// n8n 1.x answers readiness before its REST routes are mounted: wait for both.
			const ready = await fetch(`${url}/healthz/readiness`);
			const settings = ready.ok && (await fetch(`${url}/rest/settings`));
			if (settings?.ok) return { url, stop, exited, output };
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	await stop();
	throw new Error(`n8n start was not ready within ${READY_TIMEOUT_MS} ms\n${output()}`);
}

/**
 * Waits until `url` answers 200. n8n listens (and answers /rest) before it has activated the
 * published workflows, so a Form Trigger's `/form/<path>` answers 404 for a while after start.
 * `login` ({ user, password }): the form's Basic Auth.
 */
export async function waitUntilServed(url, { timeoutMs = 60_000, login } = {}) {
	const deadline = Date.now() + timeoutMs;
	const headers = login
		? {
				authorization: `Basic ${Buffer.from(`${login.user}:${login.password}`).toString('base64')}`,
			}
		: {};
	let last;
	while (Date.now() < deadline) {
		try {
			const res = await fetch(url, { headers });
			await res.arrayBuffer();
			if (res.ok) return;
			last = `HTTP ${res.status}`;
		} catch (error) {
			last = error.message;
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	throw new Error(`${url} still answers ${last} after ${timeoutMs} ms`);
}
