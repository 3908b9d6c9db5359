// Modules the pinned n8n install already holds (its Postgres client, the `flatted` format its
// execution data is stored in), loaded from there so this suite adds no dependency of its own.
import { createRequire } from 'node:module';
import path from 'node:path';
import { resolveTarget } from '../n8n/targets.mjs';

export function requireFromN8n(name, target = resolveTarget()) {
	return createRequire(path.join(target.dir, 'package.json'))(name);
}
