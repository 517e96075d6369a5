/** Hashing passwords with argon2id, and a decoy hash so unknown accounts take as long to refuse. */
import { hash, verify } from '@node-rs/argon2';

/** argon2id with the library's defaults (OWASP's recommended m=19 MiB, t=2, p=1). */
export const passwordHasher = {
  hash: (password: string): Promise<string> => hash(password),
  verify: async (hashed: string, password: string): Promise<boolean> => {
    try {
      return await verify(hashed, password);
    } catch {
      return false;
    }
  },
};

/** A real hash of a random password: verified against when the email is unknown, so that
 *  unknown and known accounts take the same time to refuse. */
let decoy: Promise<string> | undefined;
export const decoyHash = (): Promise<string> => (decoy ??= hash(`decoy-${Math.random()}`));
