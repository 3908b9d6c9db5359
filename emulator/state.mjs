// The emulator's mutable state: the phone numbers (the fixture's and those added through
// `.../number/add`) and the OTP messages "sent" to them. reset() rebuilds it from the fixture.
// Deterministic on purpose: after a reset, the n-th added number always gets the same id and
// the same OTP, so a test can predict both.

import { mergeDialect } from './dialect.mjs';
import { checkNumberChanges, valuesFor } from './numberFields.mjs';

// ASSUMED (docs/kaleyra-api.md#id-length): phone number ids are 14 or 15 digit numbers (the
// dialect's idLength); the emulator hands them out from a counter starting here (safe
// integers, so a bare JSON number carries them exactly too).
export const FIRST_ADDED_ID = 300000000000001;
export const FIRST_ADDED_ID_14 = 30000000000001;
const FIRST_ID = { 15: FIRST_ADDED_ID, 14: FIRST_ADDED_ID_14 };

// Seed of the OTP sequence; any constant will do, it only has to stay the same.
const OTP_SEED = 0x5eed0f7;

/**
 * The index-th OTP since the last reset: six digits, leading zeros possible (as a real code
 * can have them), never '000000'. A mulberry32 step on seed + index, so it is a pure function
 * of the index.
 */
export function otpAt(index) {
	let t = (OTP_SEED + Math.imul(index + 1, 0x6d2b79f5)) >>> 0;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	const draw = (t ^ (t >>> 14)) >>> 0;
	return String((draw % 999_999) + 1).padStart(6, '0');
}

/**
 * @param {{ account: object, fixture: object, dialect: object, keepOtps: boolean,
 *   onOtp?: (message) => void }} options
 * `fixture`: `{ [id]: { phoneNumber, otp, state, name?, wabaId? } }`; a number without a
 * wabaId belongs to the account's first WABA, one without a name gets a placeholder.
 * `dialect`: the full dialect the emulator started with (reset() comes back to it).
 */
export function createState({ account, fixture, dialect, keepOtps, onOtp }) {
	const state = {
		account,
		dialect,
		numbers: new Map(), // id -> number (see load)
		byPhone: new Map(), // E.164 phone number -> id, to find duplicates and details fast
		otps: [], // OTP messages in the order sent; same array for the emulator's life
		addedCount: 0,
		otpCount: 0,

		setDialect(partial) {
			state.dialect = mergeDialect(state.dialect, partial);
		},

		reset() {
			state.dialect = dialect;
			state.numbers = new Map();
			state.byPhone = new Map();
			for (const [id, number] of Object.entries(fixture)) {
				store(id, {
					phoneNumber: number.phoneNumber,
					name: number.name ?? 'Kaleyra Emulator Number',
					wabaId: number.wabaId ?? account.wabaIds[0],
					verificationType: null, // how its first OTP went out: unknown for a fixture
					otp: number.otp,
					state: number.state,
					otpSentCount: 0,
					...valuesFor(number.state),
				});
			}
			state.otps.length = 0;
			state.addedCount = 0;
			state.otpCount = 0;
		},

		findByPhone: (phoneNumber) => {
			const id = state.byPhone.get(phoneNumber);
			return id === undefined ? null : { id, number: state.numbers.get(id) };
		},

		/** A new pending number in `wabaId`, and its first OTP sent. Returns its id. */
		addNumber({ wabaId, phoneNumber, name, verificationType }) {
			const first = FIRST_ID[state.dialect.idLength];
			let id = String(first + state.addedCount++);
			while (state.numbers.has(id)) id = String(first + state.addedCount++); // a fixture took it
			const number = {
				phoneNumber,
				name,
				wabaId,
				verificationType,
				otp: null,
				state: 'pending',
				otpSentCount: 0,
				...valuesFor('pending'),
			};
			store(id, number);
			state.sendOtp(number, verificationType, 'add');
			return id;
		},

		/**
		 * "Sends" a new OTP over `channel` ('SMS' or 'VOICE'): the next one of the sequence, which
		 * replaces the number's code (the previous one stops verifying), as a real resend does.
		 */
		sendOtp(number, channel, reason) {
			number.otp = otpAt(state.otpCount++);
			number.otpSentCount += 1;
			const message = {
				phoneNumber: number.phoneNumber,
				channel,
				otp: number.otp,
				sentAt: Date.now(),
				reason,
			};
			if (keepOtps) state.otps.push(message);
			onOtp?.(message);
		},

		/** Verified: the number's state and raw values become a connected number's. */
		approve(number) {
			Object.assign(number, { state: 'approved' }, valuesFor('approved'));
		},

		/** Sets any of { status, nameStatus, qualityRating, limit } (TypeError on a bad one). */
		updateNumber(id, changes) {
			const number = state.numbers.get(String(id));
			if (!number) throw new TypeError(`no number with id ${id}`);
			Object.assign(number, checkNumberChanges(changes));
			return { ...number };
		},

		/** Plain copies: `{ [id]: { phoneNumber, name, wabaId, verificationType, otp, state,
		 * otpSentCount, status, nameStatus, qualityRating, limit } }`. */
		snapshot: () =>
			Object.fromEntries([...state.numbers].map(([id, number]) => [id, { ...number }])),
	};

	function store(id, number) {
		state.numbers.set(id, number);
		state.byPhone.set(number.phoneNumber, id);
	}

	state.reset();
	return state;
}

/** What a phone shows for an OTP message (also the CLI's line, after its prefix). */
export const otpText = (message) =>
	`${message.channel} to ${message.phoneNumber}: your WhatsApp code is ${message.otp}`;
