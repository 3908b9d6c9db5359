// The ways Kaleyra may plausibly answer where its pages leave it open: one value per axis.
// The first value of each axis is the default, the most likely one on the evidence that
// docs/kaleyra-api.md weighs (each axis has its own section there, named in the comment).

export const DIALECT_AXES = Object.freeze({
	// ASSUMED (docs/kaleyra-api.md#details-path): the number in details' path, with its '+'
	// (literal or %2B), as digits only, or either.
	detailsPath: Object.freeze(['plus', 'digits', 'both']),
	// ASSUMED (docs/kaleyra-api.md#details-path): what a refused path form (and an unknown
	// number) gets: WA401 "Unauthorized phone number..." or 400 "invalid phone number".
	wrongPathAnswer: Object.freeze(['wa401', 'wa400']),
	// ASSUMED (docs/kaleyra-api.md#accepted-codes): 200 WA200, or 202 WA202 "Request Accepted.".
	accepted: Object.freeze(['WA200', 'WA202']),
	// ASSUMED (docs/kaleyra-api.md#health-fields): Meta's strings or booleans.
	health: Object.freeze(['strings', 'booleans']),
	// ASSUMED (docs/kaleyra-api.md#messaging-limits): the portfolio's fields, the deprecated
	// tier, or both.
	limits: Object.freeze(['portfolio', 'tier', 'both']),
	// ASSUMED (docs/kaleyra-api.md#list-shape): where the list sits in `data`.
	listShape: Object.freeze(['array', 'numbers', 'phone_numbers', 'data']),
	// ASSUMED (docs/kaleyra-api.md#add-shape): what add's `data` is.
	addShape: Object.freeze(['object', 'phoneNumberId', 'bare']),
	// ASSUMED (docs/kaleyra-api.md#list-paging): the whole list at once, or Meta's cursors.
	paging: Object.freeze(['none', 'cursor']),
	// ASSUMED (docs/kaleyra-api.md#id-length): the length of the ids added numbers get.
	idLength: Object.freeze([15, 14]),
});

// Numeric options that are not a choice among values.
const NUMERIC_OPTIONS = Object.freeze({ pageSize: { default: 25, min: 1 } });

export const DEFAULT_DIALECT = Object.freeze({
	...Object.fromEntries(Object.entries(DIALECT_AXES).map(([axis, values]) => [axis, values[0]])),
	...Object.fromEntries(Object.entries(NUMERIC_OPTIONS).map(([name, o]) => [name, o.default])),
});

/** `base` with `partial` over it; TypeError on an unknown axis or value. Returns a frozen copy. */
export function mergeDialect(base, partial = {}) {
	if (partial === null || typeof partial !== 'object' || Array.isArray(partial)) {
		throw new TypeError('a dialect is an object of axis: value');
	}
	for (const [axis, value] of Object.entries(partial)) {
		if (axis in NUMERIC_OPTIONS) {
			if (!Number.isInteger(value) || value < NUMERIC_OPTIONS[axis].min) {
				throw new TypeError(`dialect ${axis} must be an integer >= ${NUMERIC_OPTIONS[axis].min}`);
			}
			continue;
		}
		if (!(axis in DIALECT_AXES)) throw new TypeError(`unknown dialect axis ${axis}`);
		if (!DIALECT_AXES[axis].includes(value)) {
			throw new TypeError(
				`dialect ${axis} must be one of ${DIALECT_AXES[axis].join(', ')}, got ${String(value)}`,
			);
		}
	}
	return Object.freeze({ ...base, ...partial });
}

/**
 * `axis=value,axis=value` (the CLI's and the sandbox's --dialect) as a partial dialect;
 * numbers are read as numbers (idLength=14, pageSize=2). Validated like mergeDialect.
 */
export function parseDialectArg(text) {
	const partial = {};
	for (const pair of String(text ?? '').split(',')) {
		if (pair.trim() === '') continue;
		const at = pair.indexOf('=');
		if (at <= 0) throw new TypeError(`--dialect wants axis=value, got ${pair}`);
		const axis = pair.slice(0, at).trim();
		const raw = pair.slice(at + 1).trim();
		partial[axis] = /^\d+$/.test(raw) ? Number(raw) : raw;
	}
	mergeDialect(DEFAULT_DIALECT, partial);
	return partial;
}

/** `axis=value, ...` for a person (the page, the CLI's first lines). */
export const dialectText = (dialect) =>
	Object.entries(dialect)
		.map(([axis, value]) => `${axis}=${value}`)
		.join(', ');
