// The owner account of a throw-away n8n (the sandbox's, an e2e file's). Its password is made
// up for each run: n8n answers under any host name, so a web page that points a name of its own
// at 127.0.0.1 (DNS rebinding), or another user of this machine, could otherwise sign in with a
// password written in this repository.
import { randomBytes } from 'node:crypto';

export function newOwner() {
	return {
		email: 'owner@example.com',
		firstName: 'Sandbox',
		lastName: 'Owner',
		// n8n wants 8 to 64 characters with a digit and an upper-case letter; 96 random bits.
		password: `Kaleyra-${randomBytes(12).toString('base64url')}-1`,
	};
}

/** The banner's sign-in lines: the sandbox's user reads this run's password there. */
export function signInLines(owner) {
	return [
		`  sign in   ${owner.email} / ${owner.password}`,
		'            (a new password each run: n8n answers under any host name, so a web page that',
		'            points a name of its own at 127.0.0.1 reaches it too; the password keeps it out)',
	].join('\n');
}
