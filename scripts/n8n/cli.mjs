// n8n's own command line, run with the pinned n8n and its Node: import credentials and
// workflows, execute a workflow by id and read back its run data.
import { spawn } from 'node:child_process';

/**
 * Runs `n8n <args>`; resolves with its exit code and everything it printed.
 * @param {{ target: ReturnType<import('./targets.mjs').resolveTarget>, env: NodeJS.ProcessEnv }} n8n
 */
export function runN8n({ target, env }, args, { timeoutMs = 120_000 } = {}) {
	return new Promise((resolve, reject) => {
		// Its own process group, so a timeout also ends the task runner n8n starts.
		const child = spawn(target.nodeBin, [target.n8nBin, ...args], {
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		// A hung command must fail the run, not stall CI until its global limit.
		const timer = setTimeout(() => {
			process.kill(-child.pid, 'SIGKILL');
			reject(
				new Error(
					`n8n ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`,
				),
			);
		}, timeoutMs);
		child.once('error', reject);
		child.once('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr });
		});
	});
}

async function runOk(n8n, args) {
	const res = await runN8n(n8n, args);
	if (res.code !== 0)
		throw new Error(`n8n ${args.join(' ')} exited ${res.code}\n${res.stdout}\n${res.stderr}`);
	return res;
}

/** Imports a JSON file holding one credential or an array of them; `data` in plain text. */
export const importCredentials = (n8n, file) =>
	runOk(n8n, ['import:credentials', `--input=${file}`]);

/** Imports a JSON file holding one workflow (with a 16-character id) or an array of them. */
export const importWorkflows = (n8n, file) => runOk(n8n, ['import:workflow', `--input=${file}`]);

/**
 * Makes an imported workflow active, so `n8n start` registers its production webhooks (a Form
 * Trigger's `/form/<path>`): `publish:workflow` on n8n 2.x, `update:workflow --active=true` on
 * 1.x (2.x still takes it, deprecated). Only before `n8n start`: a running n8n does not notice.
 */
export const activateWorkflow = (n8n, id) =>
	runOk(
		n8n,
		n8n.target.n8n.startsWith('1.')
			? ['update:workflow', `--id=${id}`, '--active=true']
			: ['publish:workflow', `--id=${id}`],
	);

/**
 * `n8n execute --id --rawOutput`: log lines first, then the execution as pretty JSON.
 * Returns the parsed execution and the raw output (to search it for leaked secrets).
 */
export async function executeWorkflow(n8n, id) {
	const res = await runN8n(n8n, ['execute', `--id=${id}`, '--rawOutput']);
	const execution = parseExecution(res.stdout);
	if (res.code !== 0 || !execution) {
		throw new Error(
			`n8n execute --id=${id} exited ${res.code} without run data\n${res.stdout}\n${res.stderr}`,
		);
	}
	return { execution, output: res.stdout + res.stderr };
}

// The JSON starts at the first line that is exactly "{" and ends at the next line that is
// exactly "}" (pretty-printed: every inner brace is indented); the log lines around it never
// are. Log lines can come after it too: the task runner may register once the run is over.
function parseExecution(stdout) {
	const start = stdout.search(/^\{$/m);
	if (start === -1) return null;
	const end = stdout.slice(start).search(/^\}$/m);
	if (end === -1) return null;
	try {
		return JSON.parse(stdout.slice(start, start + end + 1));
	} catch {
		return null;
	}
}
