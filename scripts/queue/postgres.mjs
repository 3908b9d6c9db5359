// A throw-away PostgreSQL: initdb and pg_ctl from Debian's package, a cluster in a temporary
// folder, listening on 127.0.0.1 and a free port only (its unix socket in that folder too),
// with one password-protected role and database for n8n. Postgres refuses to run as root, so as
// root both programs run as the `postgres` user, and the cluster's folder belongs to it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { requireFromN8n } from './n8nModules.mjs';
import { freePort } from '../n8n/ports.mjs';

const isRoot = () => process.getuid?.() === 0;

/**
 * @param {{ postgresBin: string, postgresUser: string | null, dir: string }} opts
 *   dir: a folder of the caller's; the cluster goes in `${dir}/postgres`.
 */
export async function startPostgres({ postgresBin, postgresUser, dir }) {
	const port = await freePort();
	const home = path.join(dir, 'postgres');
	const dataDir = path.join(home, 'data');
	const socketDir = path.join(home, 'socket');
	const logFile = path.join(home, 'postgres.log');
	const pwFile = path.join(home, 'password');
	const user = 'n8n';
	const database = 'n8n';
	const password = randomBytes(18).toString('base64url');
	fs.mkdirSync(socketDir, { recursive: true });
	fs.writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });

	const asOwner = isRoot();
	if (asOwner) {
		if (!postgresUser)
			throw new Error('running as root, but there is no postgres user to run PostgreSQL as');
		const uid = Number(spawnSync('id', ['-u', postgresUser], { encoding: 'utf8' }).stdout);
		const gid = Number(spawnSync('id', ['-g', postgresUser], { encoding: 'utf8' }).stdout);
		// The postgres user must reach its folder through the caller's (private) one.
		fs.chmodSync(dir, 0o711);
		for (const file of [home, socketDir, pwFile]) fs.chownSync(file, uid, gid);
	}
	const pg = (program, args) => {
		const file = path.join(postgresBin, program);
		const [cmd, argv] = asOwner
			? ['runuser', ['-u', postgresUser, '--', file, ...args]]
			: [file, args];
		const res = spawnSync(cmd, argv, { encoding: 'utf8', cwd: home, timeout: 120_000 });
		return {
			ok: res.status === 0,
			text: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? res.error.message : ''}`,
		};
	};
	const readLog = () => {
		try {
			return fs.readFileSync(logFile, 'utf8');
		} catch {
			return '';
		}
	};

	const init = pg('initdb', [
		'-D',
		dataDir,
		'-U',
		user,
		`--pwfile=${pwFile}`,
		'--auth=scram-sha-256',
		'-E',
		'UTF8',
		'--no-locale',
		'--no-instructions',
	]);
	fs.rmSync(pwFile, { force: true });
	if (!init.ok) throw new Error(`initdb failed\n${init.text}`);

	// A test database: nothing here must survive a power cut, so no fsync.
	const options = [
		'-c listen_addresses=127.0.0.1',
		`-c port=${port}`,
		`-c unix_socket_directories=${socketDir}`,
		'-c fsync=off',
		'-c synchronous_commit=off',
		'-c full_page_writes=off',
		'-c max_connections=200',
	].join(' ');
	const start = pg('pg_ctl', [
		'-D',
		dataDir,
		'-l',
		logFile,
		'-o',
		options,
		'-w',
		'-t',
		'60',
		'start',
	]);
	if (!start.ok) throw new Error(`pg_ctl start failed\n${start.text}\n${readLog()}`);

	const stop = async () => {
		await pool?.end().catch(() => {});
		pool = null;
		if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
		const res = pg('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
		if (!res.ok) throw new Error(`pg_ctl stop failed\n${res.text}`);
	};

	const { Pool } = requireFromN8n('pg');
	const connection = { host: '127.0.0.1', port, user, password };
	let pool = null;
	try {
		const admin = new Pool({ ...connection, database: 'postgres', max: 1 });
		await admin.query(`CREATE DATABASE ${database}`);
		await admin.end();
		pool = new Pool({ ...connection, database, max: 3 });
	} catch (error) {
		await stop().catch(() => {});
		throw new Error(
			`PostgreSQL started but its database could not be made: ${error.message}\n${readLog()}`,
		);
	}

	return {
		port,
		logFile,
		readLog,
		/** What each n8n process needs to use this database. */
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: password,
		},
		query: async (sql, params = []) => (await pool.query(sql, params)).rows,
		/** The whole database as pg_dump's SQL text (schema and every row). */
		dump() {
			const res = spawnSync(
				path.join(postgresBin, 'pg_dump'),
				['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '--no-owner'],
				{ encoding: 'utf8', env: { ...process.env, PGPASSWORD: password }, maxBuffer: 1 << 30 },
			);
			if (res.status !== 0) throw new Error(`pg_dump failed: ${res.stderr}`);
			return res.stdout;
		},
		stop,
	};
}
