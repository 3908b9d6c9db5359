// The sandbox's n8n owner: a password of each run's own, printed in the banner (the sandbox's
// e2e signs in with what it reads there, in a real n8n).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newOwner, signInLines } from '../../scripts/n8n/owner.mjs';

// What n8n's owner setup accepts: 8 to 64 characters, a digit and an upper-case letter.
const acceptedByN8n = (password) =>
	password.length >= 8 && password.length <= 64 && /\d/.test(password) && /[A-Z]/.test(password);

test('every owner gets a password of its own that n8n accepts', () => {
	const passwords = Array.from({ length: 50 }, () => newOwner().password);
	assert.equal(new Set(passwords).size, passwords.length, 'a password came twice');
	for (const password of passwords) assert.ok(acceptedByN8n(password), password);
	// At least 96 random bits: base64url after the fixed part, 16 characters of 6 bits.
	assert.ok(passwords.every((password) => /^Kaleyra-[\w-]{16}-1$/.test(password)));
});

test("the banner's sign-in line gives the address and this run's password, read back as the e2e does", () => {
	const owner = newOwner();
	const printed = `[sandbox] ready\n  open      http://127.0.0.1:5678\n${signInLines(owner)}\n`;
	const [, email, password] = printed.match(/sign in\s+(\S+) \/ (\S+)/);
	assert.deepEqual({ email, password }, { email: owner.email, password: owner.password });
	assert.match(printed, /any host name/);
});
