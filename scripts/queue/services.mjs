// Redis and PostgreSQL for the queue-mode suite, from Debian's packages: where their programs
// are, and installing them (as root, with apt-get) when they are missing. The suite runs its own
// throw-away instances of both (redis.mjs, postgres.mjs), never the machine's system services.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { aptInstall } from '../debian/aptInstall.mjs';

const REDIS_CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];
const POSTGRES_ROOT = '/usr/lib/postgresql';
const POSTGRES_PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'pg_dump'];
const PACKAGES = ['redis-server', 'postgresql'];

function findRedis() {
	return REDIS_CANDIDATES.find((file) => fs.existsSync(file)) ?? null;
}

/** The bin folder of the newest PostgreSQL under /usr/lib/postgresql with every program we run. */
function findPostgresBin() {
	let versions = [];
	try {
		versions = fs.readdirSync(POSTGRES_ROOT);
	} catch {
		return null;
	}
	const complete = versions
		.filter((version) => /^\d+$/.test(version))
		.sort((a, b) => Number(b) - Number(a))
		.map((version) => path.join(POSTGRES_ROOT, version, 'bin'))
		.filter((bin) => POSTGRES_PROGRAMS.every((name) => fs.existsSync(path.join(bin, name))));
	return complete[0] ?? null;
}

function userExists(name) {
	return spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0;
}

export function findServices() {
	const redisServer = findRedis();
	const postgresBin = findPostgresBin();
	return {
		redisServer,
		postgresBin,
		// Postgres refuses to run as root: initdb and pg_ctl run as Debian's `postgres` user then.
		postgresUser: userExists('postgres') ? 'postgres' : null,
	};
}

const missing = (found) =>
	[
		!found.redisServer && 'redis-server',
		!found.postgresBin && `PostgreSQL's ${POSTGRES_PROGRAMS.join(', ')}`,
		process.getuid?.() === 0 && !found.postgresUser && 'the postgres user',
	].filter(Boolean);

/**
 * Returns where redis-server and PostgreSQL's programs are, installing Debian's `redis-server`
 * and `postgresql` first when either is missing. Installing needs root; the packages' own
 * services are kept from starting (policy-rc.d), so nothing of the machine's is left running.
 */
export function ensureServices() {
	let found = findServices();
	if (missing(found).length === 0) return found;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`missing ${missing(found).join(' and ')}; as root: apt-get update && apt-get install -y ${PACKAGES.join(' ')}`,
		);
	}
	aptInstall(PACKAGES, { tag: 'queue-services', update: 'always' });
	found = findServices();
	if (missing(found).length > 0) {
		throw new Error(`still missing after apt-get install: ${missing(found).join(', ')}`);
	}
	return found;
}

// `node scripts/queue/services.mjs`: install what is missing, say where everything is.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
	try {
		const found = ensureServices();
		console.log(`[queue-services] redis-server ${found.redisServer}`);
		console.log(
			`[queue-services] postgres ${found.postgresBin} (run as ${found.postgresUser ?? 'this user'})`,
		);
	} catch (error) {
		console.error(`[queue-services] ${error.message}`);
		process.exit(1);
	}
}
