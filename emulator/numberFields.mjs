// A number's raw values as Kaleyra passes Meta's through (status, name status, quality rating,
// messaging limit): the sets they come from, the values a state starts with, and their
// validation for updateNumber(). They change what list and details answer, never what verify
// and retry_otp do (that is the number's internal `state`).

// ASSUMED (docs/kaleyra-api.md#number-status): Meta's values, passed through unchanged.
export const STATUS_VALUES = Object.freeze([
	'CONNECTED',
	'PENDING',
	'FLAGGED',
	'RESTRICTED',
	'OFFLINE',
	'RATE_LIMITED',
	'PAUSED',
	'DELETED',
]);
// ASSUMED (docs/kaleyra-api.md#name-status): Meta's values.
export const NAME_STATUS_VALUES = Object.freeze([
	'APPROVED',
	'AVAILABLE_WITHOUT_REVIEW',
	'PENDING_REVIEW',
	'DECLINED',
	'EXPIRED',
	'NONE',
]);
// ASSUMED (docs/kaleyra-api.md#quality-rating): Meta's values.
export const QUALITY_VALUES = Object.freeze(['GREEN', 'YELLOW', 'RED', 'UNKNOWN']);
// ASSUMED (docs/kaleyra-api.md#messaging-limits): the portfolio ladder (250, 2K, 10K, 100K,
// unlimited) and the deprecated per-number tiers (50, 1K); null is "no limit yet".
export const LIMIT_VALUES = Object.freeze([
	null,
	'TIER_50',
	'TIER_250',
	'TIER_1K',
	'TIER_2K',
	'TIER_10K',
	'TIER_100K',
	'TIER_UNLIMITED',
]);
// max_daily_conversations_per_business for each limit (null: unlimited or none yet).
export const LIMIT_CONVERSATIONS = Object.freeze({
	TIER_50: 50,
	TIER_250: 250,
	TIER_1K: 1000,
	TIER_2K: 2000,
	TIER_10K: 10000,
	TIER_100K: 100000,
	TIER_UNLIMITED: null,
});

// ASSUMED (docs/kaleyra-api.md#number-status): what a number shows before and after
// verification. An `unavailable` number (its verify answers "try again later") looks pending.
const PENDING_VALUES = Object.freeze({
	status: 'PENDING',
	nameStatus: 'PENDING_REVIEW',
	qualityRating: 'UNKNOWN',
	limit: null,
});
// ASSUMED (docs/kaleyra-api.md#messaging-limits): 2,000 a day, the portfolio's first step
// after the 250 of an unverified business.
const CONNECTED_VALUES = Object.freeze({
	status: 'CONNECTED',
	nameStatus: 'APPROVED',
	qualityRating: 'GREEN',
	limit: 'TIER_2K',
});

/** The raw values a number in `state` ('pending', 'approved', 'unavailable') starts with. */
export const valuesFor = (state) => ({
	...(state === 'approved' ? CONNECTED_VALUES : PENDING_VALUES),
});

const SETTABLE = Object.freeze({
	status: STATUS_VALUES,
	nameStatus: NAME_STATUS_VALUES,
	qualityRating: QUALITY_VALUES,
	limit: LIMIT_VALUES,
});

/** `changes` checked against the sets above (TypeError otherwise); returns a plain copy. */
export function checkNumberChanges(changes) {
	if (changes === null || typeof changes !== 'object' || Array.isArray(changes)) {
		throw new TypeError(
			'a number update is an object of { status, nameStatus, qualityRating, limit }',
		);
	}
	for (const [key, value] of Object.entries(changes)) {
		if (!(key in SETTABLE)) throw new TypeError(`a number has no settable ${key}`);
		if (!SETTABLE[key].includes(value)) {
			throw new TypeError(
				`${key} must be one of ${SETTABLE[key].join(', ')}, got ${String(value)}`,
			);
		}
	}
	return { ...changes };
}
