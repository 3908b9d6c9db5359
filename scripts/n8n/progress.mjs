// A long step a person waits for (installing n8n, compiling its native modules): a line every
// few seconds with the elapsed time and, where it helps, how much is on disk so far, so that
// minutes of work never look like a hang.
import { execFile, spawn } from 'node:child_process';

/** "1m30s", "45s". */
export function formatElapsed(ms) {
	const seconds = Math.round(ms / 1000);
	return seconds < 60
		? `${seconds}s`
		: `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/** The size of `dir` in MB as `du` counts it, or null where `du` cannot tell. */
function diskMegabytes(dir) {
	return new Promise((resolve) => {
		execFile('du', ['-sk', dir], (error, stdout) =>
			resolve(error ? null : Math.round(Number.parseInt(stdout, 10) / 1024)),
		);
	});
}

/**
 * Runs `cmd args` with its output passed through, printing
 * `[tag] label: 1m30s, 420 MB downloaded, 812 MB unpacked…` every 15 s: how much each folder of
 * `sizes` grew since the start (npm fills its cache first, then unpacks). Resolves with the exit code.
 * @param {{ tag: string, label: string, cwd: string, env: NodeJS.ProcessEnv, sizes?: { name: string, dir: string }[], everyMs?: number, print?: (line: string) => void }} opts
 */
export async function runWithProgress(
	cmd,
	args,
	{ tag, label, cwd, env, sizes = [], everyMs = 15_000, print = console.log },
) {
	const started = Date.now();
	const before = await Promise.all(sizes.map(({ dir }) => diskMegabytes(dir)));
	print(`[${tag}] ${label}…`);
	const child = spawn(cmd, args, { cwd, env, stdio: 'inherit' });
	const ticker = setInterval(async () => {
		const now = await Promise.all(sizes.map(({ dir }) => diskMegabytes(dir)));
		const grown = sizes
			.map(({ name }, i) => (now[i] === null ? '' : `, ${now[i] - (before[i] ?? 0)} MB ${name}`))
			.join('');
		print(`[${tag}] ${label}: ${formatElapsed(Date.now() - started)}${grown}…`);
	}, everyMs);
	return new Promise((resolve, reject) => {
		child.once('error', (error) => {
			clearInterval(ticker);
			reject(error);
		});
		child.once('exit', (code, signal) => {
			clearInterval(ticker);
			resolve(code ?? signal);
		});
	});
}
