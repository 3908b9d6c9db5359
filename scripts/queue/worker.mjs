// `n8n worker` as a child process in its own process group: `ready` resolves once its health
// endpoint says so; stop() ends it gracefully (SIGTERM), kill() outright (SIGKILL, as a crash
// would), both also while it is still starting.
import { sleep } from '../n8n/ports.mjs';
import { spawnLogged } from '../n8n/spawnLogged.mjs';

const READY_TIMEOUT_MS = 120_000;

/**
 * @param {{ target: ReturnType<import('../n8n/targets.mjs').resolveTarget>, env: NodeJS.ProcessEnv }} n8n
 *   env must hold QUEUE_HEALTH_CHECK_ACTIVE=true and QUEUE_HEALTH_CHECK_PORT.
 * @param {{ concurrency: number, log?: (chunk: string) => void }} opts
 */
export function startWorker({ target, env }, { concurrency, log = () => {} }) {
	const healthPort = Number(env.QUEUE_HEALTH_CHECK_PORT);
	const { child, output, exited } = spawnLogged(
		target.nodeBin,
		[target.n8nBin, 'worker', `--concurrency=${concurrency}`],
		{ env, detached: true, log },
	);
	const alive = () => child.exitCode === null && child.signalCode === null;
	// The whole group: the worker and the task runner it starts die together, as in a crash of
	// the machine or container that runs them.
	const kill = async (signal = 'SIGKILL') => {
		if (!alive()) return;
		process.kill(-child.pid, signal);
		await exited;
	};
	const stop = async () => {
		if (!alive()) return;
		process.kill(-child.pid, 'SIGTERM');
		const timer = setTimeout(() => alive() && process.kill(-child.pid, 'SIGKILL'), 40_000);
		await exited;
		clearTimeout(timer);
	};

	const health = `http://127.0.0.1:${healthPort}`;
	// Resolves once the health endpoint says ready; the handle can stop or kill it before that.
	const ready = (async () => {
		const deadline = Date.now() + READY_TIMEOUT_MS;
		while (Date.now() < deadline) {
			if (!alive()) {
				throw new Error(
					`n8n worker exited (${child.exitCode ?? child.signalCode}) before it was ready\n${output()}`,
				);
			}
			try {
				const res = await fetch(`${health}/healthz/readiness`);
				if (res.ok) return;
			} catch {
				// Not listening yet.
			}
			await sleep(500);
		}
		await kill();
		throw new Error(`n8n worker was not ready within ${READY_TIMEOUT_MS} ms\n${output()}`);
	})();
	ready.catch(() => {});
	return { pid: child.pid, health, alive, kill, stop, exited, ready, output };
}
