// The bank's test customers' sign-in credentials. Sandbox only: the login page shows them. Each user
// is a seeded customer (server/api/seed.ts: username -> customer id psu-<username>).
import { createHash, timingSafeEqual } from 'node:crypto';

export interface TestUser {
  username: string;
  password: string;
}

export const TEST_USERS: readonly TestUser[] = [
  { username: 'demo', password: 'correct-horse' },
  { username: 'alice', password: 'wonderland' },
  { username: 'bob', password: 'builder' },
];

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether the credentials are a test user's (compared in constant time). */
export function checkPassword(username: string, password: string): boolean {
  const user = TEST_USERS.find((u) => u.username === username);
  const ok = timingSafeEqual(digest(password), digest(user?.password ?? `\0${password}`));
  return Boolean(user) && ok;
}

/** The sandbox password of a test user (the engine plays the customer with it). */
export function passwordOf(username: string): string | undefined {
  return TEST_USERS.find((u) => u.username === username)?.password;
}
