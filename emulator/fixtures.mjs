// Default account and phone numbers the emulator serves. Tests import these to refer to
// numbers by name (NUMBERS.pending1.id) instead of repeating magic strings.

const deepFreeze = (value) => {
	for (const child of Object.values(value)) {
		if (child && typeof child === 'object') deepFreeze(child);
	}
	return Object.freeze(value);
};

// The api key is deliberately distinctive so a test can grep logs/output for leaks.
export const DEFAULT_ACCOUNT = deepFreeze({
	sid: 'HXAP16000000097IN',
	apiKey: 'A1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d63',
	wabaIds: ['766000000000001'],
});

// state: 'pending' verifies; 'approved' answers WA500 already approved;
// 'unavailable' answers WA500 Please try again later. `name` is the display name (what
// add's `name` sets; ASSUMED (docs/kaleyra-api.md#add-fields): also what the list's `name`
// and details' `verified_name` show).
// Every fixture belongs to the account's first WABA.
export const NUMBERS = deepFreeze({
	pending1: {
		id: '100000000000001',
		phoneNumber: '+919765400001',
		name: 'Acme Support',
		otp: '123456',
		state: 'pending',
	},
	pending2: {
		id: '1000000000000002',
		phoneNumber: '+919765400002',
		name: 'Acme Sales',
		otp: '234567',
		state: 'pending',
	},
	// 17 digits: Number('10987654321098765') === 10987654321098764, so it only survives as a string.
	pendingLongId: {
		id: '10987654321098765',
		phoneNumber: '+919765400003',
		name: 'Acme Long Id',
		otp: '345678',
		state: 'pending',
	},
	// The leading zero only survives if the OTP is sent as a string.
	pendingZeroOtp: {
		id: '100000000000004',
		phoneNumber: '+919765400004',
		name: 'Acme Zero OTP',
		otp: '012345',
		state: 'pending',
	},
	approved: {
		id: '100000000000005',
		phoneNumber: '+919765400005',
		name: 'Acme Approved',
		otp: '456789',
		state: 'approved',
	},
	unavailable: {
		id: '100000000000006',
		phoneNumber: '+919765400006',
		name: 'Acme Unavailable',
		otp: '567890',
		state: 'unavailable',
	},
});

// The same numbers keyed by phone number id: the shape `options.numbers` takes.
export const DEFAULT_NUMBERS = deepFreeze(
	Object.fromEntries(Object.values(NUMBERS).map(({ id, ...number }) => [id, number])),
);

export { deepFreeze };
